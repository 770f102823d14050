import datetime as dt

import pytest
from django.utils import timezone

from khuyencong.accounts.models import ApiToken
from khuyencong.accounts.tokens import issue_token, revoke_token

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_me_with_token_lists_active_roles(client, hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="t")
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "hatinh"
    assert [r["role"] for r in body["roles"]] == ["provincial_officer"]
    assert body["roles"][0]["org_unit_name"] == "Sở Công Thương tỉnh Hà Tĩnh"
    # Vietnamese stays readable, not \\u-escaped
    assert "Sở Công Thương".encode() in response.content


def test_me_with_session(client, hatinh_officer):
    client.force_login(hatinh_officer)
    assert client.get("/api/v1/me").json()["username"] == "hatinh"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer kc_abc", "Bearer kc_abc_def", "Basic xyz", "Bearer "])
def test_malformed_or_unknown_token_is_401_with_error_shape(client, header, hatinh_officer):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert set(response.json()) == {"code", "message", "details"}


def test_no_credentials_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_expired_token_is_401(client, hatinh_officer):
    token, secret = issue_token(user=hatinh_officer, name="t", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_revoked_token_is_401_and_only_owner_revokes(client, hatinh_officer, nghean_officer):
    token, secret = issue_token(user=hatinh_officer, name="t")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert revoke_token(user=nghean_officer, prefix=token.prefix) is False
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert revoke_token(user=hatinh_officer, prefix=token.prefix) is True
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_token_is_stored_hashed(hatinh_officer):
    token, secret = issue_token(user=hatinh_officer, name="t")
    token.refresh_from_db()
    assert secret not in (token.key_hash, token.prefix)
    assert token.expires_at > timezone.now() + dt.timedelta(days=89)


def test_token_of_deactivated_user_is_401(client, hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="t")
    hatinh_officer.is_active = False
    hatinh_officer.save()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_openapi_spec_and_docs(client, hatinh_officer):
    client.force_login(hatinh_officer)
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/org-units",
        "/api/v1/geo/provinces",
        "/api/v1/geo/provinces/{code}",
        "/api/v1/geo/communes",
    ]:
        assert path in paths
    client.force_login(hatinh_officer)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_unknown_api_path_gives_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_validation_error_shape(client, hatinh_officer):
    client.force_login(hatinh_officer)
    response = client.get("/api/v1/geo/provinces", {"at": "2024-13-45"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"][0]["field"]


class TestGeo:
    @pytest.fixture(autouse=True)
    def login(self, client, hatinh_officer):
        client.force_login(hatinh_officer)

    def test_province_counts_before_and_after_reform(self, client):
        assert len(client.get("/api/v1/geo/provinces", {"at": "2024-01-01"}).json()) == 63
        assert len(client.get("/api/v1/geo/provinces", {"at": "2025-07-01"}).json()) == 34
        assert len(client.get("/api/v1/geo/provinces").json()) == 34

    def test_province_detail_with_predecessors(self, client):
        body = client.get("/api/v1/geo/provinces/37").json()  # Ninh Bình after the reform
        assert body["name"] == "Tỉnh Ninh Bình"
        names = {p["name"] for p in body["predecessors"]}
        assert {"Tỉnh Nam Định", "Tỉnh Hà Nam", "Tỉnh Ninh Bình"} <= names

    def test_legacy_province_detail_with_successor(self, client):
        body = client.get("/api/v1/geo/provinces/36", {"at": "2024-01-01"}).json()  # Nam Định
        assert body["name"] == "Tỉnh Nam Định"
        assert body["successor"]["name"] == "Tỉnh Ninh Bình"

    def test_unknown_province_is_json_404(self, client):
        response = client.get("/api/v1/geo/provinces/99")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_communes_paginate_by_cursor_without_duplicates(self, client):
        seen = []
        cursor = None
        while True:
            params = {"province": "42", "limit": 50}
            if cursor:
                params["cursor"] = cursor
            body = client.get("/api/v1/geo/communes", params).json()
            seen += [c["code"] for c in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) > 50
        assert seen == sorted(seen)

    def test_commune_search_without_accents(self, client):
        body = client.get("/api/v1/geo/communes", {"q": "thach ha", "province": "42"}).json()
        assert any("Thạch Hà" in c["name"] for c in body["items"])

    def test_malformed_cursor_is_400(self, client):
        response = client.get("/api/v1/geo/communes", {"cursor": "!!notacursor"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_cursor"

    def test_legacy_communes_on_a_past_date(self, client):
        body = client.get("/api/v1/geo/communes", {"at": "2024-01-01", "province": "36", "limit": 5}).json()
        assert body["items"] and all(c["successor_code"] for c in body["items"])
