"""Idempotency-Key on API creates (khuyencong/api/idempotency.py), shown on POST /establishments:
a replay answers the stored 201 and writes nothing; another body is a 409; keys are per user; no
header changes nothing; only 2xx answers are kept; old keys are purged by the housekeeping."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from khuyencong.accounts.tokens import issue_token
from khuyencong.api.idempotency import HEADER, purge_idempotency_keys
from khuyencong.jobs.services import housekeeping
from khuyencong.kernel.models import IdempotentRequest
from khuyencong.registry.models import Establishment
from tests.registry.factories import commune_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/establishments"


def client_for(user) -> Client:
    _token, secret = issue_token(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api(territory, hatinh_officer):
    return client_for(hatinh_officer)


def body(name="Cơ sở thử lại") -> str:
    return json.dumps({"name": name, "legal_form": "household", "commune_code": commune_of("42").code})


def post(client, data, key=None):
    headers = {HEADER: key} if key is not None else {}
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_a_replay_answers_the_same_record_and_writes_nothing(api):
    first = post(api, body(), "k-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    count = Establishment.objects.count()
    again = post(api, body(), "k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Establishment.objects.count() == count
    stored = IdempotentRequest.objects.get(key="k-1")
    assert stored.status == 201 and stored.response_body["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_a_409_and_writes_nothing(api):
    assert post(api, body(), "k-2").status_code == 201
    count = Establishment.objects.count()
    other = post(api, body("Một cơ sở khác"), "k-2")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert set(other.json()) == {"code", "message", "details"}
    assert Establishment.objects.count() == count


def test_the_same_key_on_another_path_is_a_409(api, hatinh_officer):
    import hashlib

    data = body()
    IdempotentRequest.objects.create(
        user=hatinh_officer, key="k-path", method="POST", path="/api/v1/projects",
        body_sha256=hashlib.sha256(data.encode()).hexdigest(), status=201, response_body={"id": 1},
    )  # fmt: skip
    count = Establishment.objects.count()
    response = post(api, data, "k-path")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_reused"
    assert Establishment.objects.count() == count


def test_a_key_still_running_is_a_409_in_progress(api, hatinh_officer):
    import hashlib

    data = body()
    IdempotentRequest.objects.create(
        user=hatinh_officer, key="k-run", method="POST", path=URL, body_sha256=hashlib.sha256(data.encode()).hexdigest()
    )
    response = post(api, data, "k-run")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_progress"


def test_keys_are_per_user(api, django_user_model):
    from tests.conftest import _user

    colleague = _user(django_user_model, "hatinh2", "provincial_officer", "SCT-42")
    first = post(api, body(), "shared")
    second = post(client_for(colleague), body(), "shared")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert IdempotentRequest.objects.filter(key="shared").count() == 2


def test_without_the_header_every_request_creates(api):
    count = Establishment.objects.count()
    assert post(api, body()).status_code == 201
    assert post(api, body()).status_code == 201
    assert Establishment.objects.count() == count + 2
    assert not IdempotentRequest.objects.exists()


def test_a_refused_request_is_not_kept_so_a_corrected_retry_runs(api):
    bad = json.dumps({"name": "", "legal_form": "household", "commune_code": commune_of("42").code})
    refused = post(api, bad, "k-3")
    assert refused.status_code == 422
    assert not IdempotentRequest.objects.exists()
    corrected = post(api, body(), "k-3")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


def test_a_forbidden_request_is_not_kept(territory, implementer):
    response = post(client_for(implementer), body(), "k-4")
    assert response.status_code == 403
    assert not IdempotentRequest.objects.exists()


def test_a_too_long_key_is_a_422(api):
    count = Establishment.objects.count()
    response = post(api, body(), "x" * 101)
    assert response.status_code == 422 and response.json()["details"][0]["field"] == HEADER
    assert Establishment.objects.count() == count


def test_the_key_is_rolled_back_with_a_failed_write(api, monkeypatch):
    """A crash after the endpoint's write leaves neither the record nor the key."""
    from khuyencong.api import idempotency

    def broken(response):
        raise RuntimeError("disk full")

    monkeypatch.setattr(idempotency, "_body", broken)
    count = Establishment.objects.count()
    with pytest.raises(RuntimeError):
        post(api, body(), "k-crash")
    assert Establishment.objects.count() == count
    assert not IdempotentRequest.objects.exists()


def test_old_keys_are_purged_by_the_housekeeping(api):
    assert post(api, body(), "old").status_code == 201
    assert post(api, body("Mới"), "new").status_code == 201
    IdempotentRequest.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(days=8))
    assert housekeeping()["idempotency_keys_purged"] == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert purge_idempotency_keys() == 0


def test_the_spec_documents_the_header_on_creates_only(api):
    spec = api.get("/api/v1/openapi.json").json()
    names = lambda op: [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]  # noqa: E731
    assert HEADER in names(spec["paths"]["/api/v1/establishments"]["post"])
    assert HEADER in names(spec["paths"]["/api/v1/projects"]["post"])
    assert HEADER not in names(spec["paths"]["/api/v1/establishments"]["get"])
    assert "x-idempotent" not in json.dumps(spec)
