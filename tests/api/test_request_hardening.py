"""Request ids the client cannot forge, and no caching of signed-in content."""

import logging

import pytest
from django.http import HttpResponse

from khuyencong.accounts.tokens import issue_token
from khuyencong.audit.models import ObjectChange
from khuyencong.kernel import context
from khuyencong.kernel.middleware import RequestIdLogFilter, RequestIdMiddleware
from tests.registry.factories import commune_of

pytestmark = pytest.mark.django_db

FORGED_ID = "ed07bedfeb844957893a096aedc0b1eb"


def bearer(user):
    _token, secret = issue_token(user=user, name="t")
    return {"Authorization": f"Bearer {secret}"}


class TestRequestId:
    def test_client_request_id_never_reaches_the_change_log(self, client, territory, hatinh_officer):
        response = client.post(
            "/api/v1/establishments",
            {"name": "Cơ sở thử mã yêu cầu", "legal_form": "household", "commune_code": commune_of("42").code},
            "application/json",
            headers={**bearer(hatinh_officer), "X-Request-ID": FORGED_ID},
        )
        assert response.status_code == 201, response.content
        entry = ObjectChange.objects.get(
            content_type__model="establishment", object_id=str(response.json()["id"]), action="create"
        )
        assert entry.request_id != FORGED_ID
        assert entry.request_id == response["X-Request-ID"]
        assert not ObjectChange.objects.filter(request_id=FORGED_ID).exists()

    def test_every_request_gets_a_fresh_server_id(self, client):
        first = client.get("/healthz", headers={"X-Request-ID": FORGED_ID})["X-Request-ID"]
        second = client.get("/healthz", headers={"X-Request-ID": FORGED_ID})["X-Request-ID"]
        assert FORGED_ID not in (first, second)
        assert first != second and len(first) == 32

    def test_client_id_is_kept_apart_for_correlation(self, rf):
        seen = {}

        def view(request):
            seen.update(server=context.get_request_id(), client=context.get_client_request_id())
            record = logging.LogRecord("x", logging.INFO, "", 0, "m", None, None)
            RequestIdLogFilter().filter(record)
            seen["log"] = record.request_id
            return HttpResponse()

        response = RequestIdMiddleware(view)(rf.get("/", headers={"X-Request-ID": FORGED_ID}))
        assert seen["client"] == FORGED_ID and seen["server"] == response["X-Request-ID"] != FORGED_ID
        assert seen["log"] == f"{seen['server']} client={FORGED_ID}"
        assert context.get_request_id() == "" and context.get_client_request_id() == ""

    def test_malformed_client_id_is_dropped(self, rf):
        seen = {}

        def view(request):
            seen["client"] = context.get_client_request_id()
            return HttpResponse()

        RequestIdMiddleware(view)(rf.get("/", headers={"X-Request-ID": "bad id; with spaces"}))
        assert seen["client"] == ""


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get("Cache-Control", "")


class TestNoStore:
    def test_signed_in_pages_and_exports_are_not_stored(self, client_for, hatinh_officer):
        client = client_for(hatinh_officer)
        for url in ["/", "/establishments/", "/org-units/", "/org-units/export/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert no_store(response), url

    def test_api_responses_are_not_stored(self, client, hatinh_officer):
        assert no_store(client.get("/api/v1/me", headers=bearer(hatinh_officer)))
        assert no_store(client.get("/api/v1/me"))  # the 401 too

    def test_static_files_stay_cacheable_for_signed_in_users(self, client_for, hatinh_officer):
        response = client_for(hatinh_officer).get("/static/kc/app.js")
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")

    def test_anonymous_login_page_is_unchanged(self, client):
        response = client.get("/accounts/login/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
