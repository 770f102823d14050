"""The province endpoint answers codes that exist only before the 1/7/2025 reform."""

import pytest

from khuyencong.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, territory, hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="geo")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def test_legacy_code_answers_the_legacy_province_with_its_successor(client):
    response = client.get("/api/v1/geo/provinces/36")  # Nam Định, merged into Ninh Bình
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Tỉnh Nam Định"
    assert body["is_legacy"] is True
    assert body["valid_to"] == "2025-06-30"
    assert body["successor"]["code"] == "37"
    assert body["successor"]["name"] == "Tỉnh Ninh Bình"
    assert body["successor"]["valid_to"] is None


def test_current_code_answers_the_current_province(client):
    body = client.get("/api/v1/geo/provinces/37").json()
    assert body["name"] == "Tỉnh Ninh Bình"
    assert body["is_legacy"] is False
    assert body["valid_to"] is None and body["successor"] is None


def test_explicit_date_still_selects_the_unit_in_force(client):
    before = client.get("/api/v1/geo/provinces/37", {"at": "2024-01-01"}).json()
    assert before["is_legacy"] is True and before["successor"]["valid_to"] is None
    # Nam Định did not exist after the reform: asking for it on that date is still a 404.
    assert client.get("/api/v1/geo/provinces/36", {"at": "2025-07-01"}).status_code == 404


@pytest.mark.parametrize("code", ["99", "00", "360", "abc"])
def test_code_that_never_existed_is_404(client, code):
    response = client.get(f"/api/v1/geo/provinces/{code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/v1/geo/provinces", "/api/v1/geo/provinces/42", "/api/v1/geo/communes"])
@pytest.mark.parametrize("value", ["0", "1700000000", "2024-1-1"])
def test_date_must_be_iso_not_a_timestamp(client, url, value):
    response = client.get(url, {"at": value})
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "at"
    assert client.get(url, {"at": "2024-01-01"}).status_code == 200
