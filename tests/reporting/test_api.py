"""/api/v1/reports: the list with the page's filters, one report with its figures, PUT of the
figures (per-field 422s, nothing written), the steps, and the one error shape for refusals."""

from __future__ import annotations

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.reporting.models import ReportState, ReportValue
from tests.reporting.factories import GOOD, make_form, make_report, unit

pytestmark = pytest.mark.django_db


def api(client, user):
    _token, secret = issue_token(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def report(territory):
    return make_report(make_form(code="BC-API"), unit("SCT-42"))


def test_list_filters_and_detail(report, client, hatinh_officer):
    c = api(client, hatinh_officer)
    listed = c.get("/api/v1/reports", {"form": "BC-API", "status": "missing"}).json()
    assert [item["id"] for item in listed["items"]] == [report.pk]
    assert c.get("/api/v1/reports", {"status": "returned"}).json()["items"] == []
    bad = c.get("/api/v1/reports", {"year": "abc"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    detail = c.get(f"/api/v1/reports/{report.pk}").json()
    assert [v["code"] for v in detail["values"]] == ["SL01", "KP01", "TL01", "GC01"]
    assert detail["values"][0]["system_value"] == "3.00" or float(detail["values"][0]["system_value"]) == 3
    assert detail["actions"] == ["submit"]


def test_put_values_refuses_per_field_and_writes_nothing(report, client, hatinh_officer):
    c = api(client, hatinh_officer)
    body = {"values": {**GOOD, "TL01": {"value": "101"}, "XX": {"value": "1"}}}
    response = c.put(f"/api/v1/reports/{report.pk}/values", body, "application/json")
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["details"]}
    assert fields == {"values.TL01", "values.XX"}
    assert not ReportValue.objects.filter(report=report, reported_value__isnull=False).exists()
    ok = c.put(f"/api/v1/reports/{report.pk}/values", {"values": GOOD, "version": 0}, "application/json")
    assert ok.status_code == 200 and ok.json()["state"] == ReportState.DRAFT and ok.json()["version"] == 1
    stale = c.put(f"/api/v1/reports/{report.pk}/values", {"values": GOOD, "version": 0}, "application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


def test_steps_through_the_api(report, client, hatinh_officer, agency_officer):
    c = api(client, hatinh_officer)
    c.put(f"/api/v1/reports/{report.pk}/values", {"values": GOOD}, "application/json")
    submitted = c.post(f"/api/v1/reports/{report.pk}/actions/submit", {}, "application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    unknown = c.post(f"/api/v1/reports/{report.pk}/actions/publish", {}, "application/json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_action"
    a = api(client, agency_officer)
    no_comment = a.post(f"/api/v1/reports/{report.pk}/actions/return", {}, "application/json")
    assert no_comment.status_code == 422 and no_comment.json()["code"] == "comment_required"
    approved = a.post(f"/api/v1/reports/{report.pk}/actions/approve", {}, "application/json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    c = api(client, hatinh_officer)
    locked = c.put(f"/api/v1/reports/{report.pk}/values", {"values": GOOD}, "application/json")
    assert locked.status_code == 409 and locked.json()["code"] == "locked"
    again = c.post(f"/api/v1/reports/{report.pk}/actions/submit", {}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "locked"
