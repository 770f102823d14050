"""The money API: lists with the page's filters, details with the actions available, a payment
request written once per Idempotency-Key (201 then 200, 409 on other content), approve / reject,
amounts only as JSON integers, one error shape, no server errors."""

from __future__ import annotations

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.finance import accounts
from khuyencong.finance.models import Allocation, EntryStatus, LedgerEntry
from khuyencong.organisation.models import OrgUnit
from tests.finance.factories import contracted_project, plan_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def make(user):
        _token, secret = issue_token(user=user, name="finance")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make


def shaped(response, status, code=None):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) >= {"code", "message", "details"}, body
    if code:
        assert body["code"] == code, body
    return body


def payment_body(project, amount=100_000_000, **extra):
    return {"project_id": project.pk, "kind": "payment", "amount": amount, "entry_date": "2026-03-20", **extra}


def test_a_payment_request_is_written_once_per_key(api, implementer, territory):
    project = contracted_project()
    client = api(implementer)
    first = client.post("/api/v1/ledger-entries", payment_body(project), "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/ledger-entries", payment_body(project), "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = client.post(
        "/api/v1/ledger-entries", payment_body(project, 5), "application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    shaped(other, 409, "idempotency_conflict")
    assert LedgerEntry.objects.count() == 1
    assert first.json()["status"] == "requested" and first.json()["amount"] == 100_000_000


@pytest.mark.parametrize("amount", ["2.080.000.000", "100000000", 1.5, True, None])
def test_an_amount_is_a_json_integer(api, implementer, territory, amount):
    project = contracted_project()
    response = api(implementer).post("/api/v1/ledger-entries", payment_body(project, amount), "application/json")
    body = shaped(response, 422, "validation_error")
    assert any(d["field"].endswith("amount") for d in body["details"]), body
    if isinstance(amount, str):
        assert "JSON integer" in str(body["details"])
    assert not LedgerEntry.objects.exists()


def test_caps_answer_with_their_code(api, implementer, territory):
    project = contracted_project()
    body = shaped(api(implementer).post("/api/v1/ledger-entries", payment_body(project, 300_000_000),
                                        "application/json"), 422, "over_contract")  # fmt: skip
    assert body["details"] == {"field": "amount"}
    assert not LedgerEntry.objects.exists()


def test_approve_and_reject_through_the_api(api, implementer, agency_officer, territory):
    project = contracted_project()
    client = api(implementer)
    one = client.post("/api/v1/ledger-entries", payment_body(project), "application/json").json()
    two = client.post("/api/v1/ledger-entries", payment_body(project, 20_000_000), "application/json").json()
    assert one["available_actions"] == []  # the implementer requests, never approves
    shaped(client.post(f"/api/v1/ledger-entries/{one['id']}/actions/approve", {}, "application/json"), 403)
    officer = api(agency_officer)
    detail = officer.get(f"/api/v1/ledger-entries/{one['id']}").json()
    assert detail["available_actions"] == ["approve", "reject"]
    approved = officer.post(f"/api/v1/ledger-entries/{one['id']}/actions/approve", {}, "application/json")
    assert approved.status_code == 200 and approved.json()["status"] == EntryStatus.PAID
    shaped(officer.post(f"/api/v1/ledger-entries/{two['id']}/actions/reject", {}, "application/json"), 422)
    rejected = officer.post(f"/api/v1/ledger-entries/{two['id']}/actions/reject", {"comment": "Thiếu hồ sơ"},
                            "application/json")  # fmt: skip
    assert rejected.json()["status"] == EntryStatus.REJECTED
    assert rejected.json()["transitions"][0]["comment"] == "Thiếu hồ sơ"
    shaped(officer.post(f"/api/v1/ledger-entries/{two['id']}/actions/approve", {}, "application/json"), 409)
    shaped(officer.post(f"/api/v1/ledger-entries/{two['id']}/actions/pay", {}, "application/json"), 404)
    assert accounts.reconcile() == []


def test_lists_take_the_pages_filters(api, implementer, agency_officer, territory):
    project = contracted_project()
    client = api(implementer)
    client.post("/api/v1/ledger-entries", payment_body(project), "application/json")
    client.post("/api/v1/ledger-entries", {**payment_body(project, 10_000_000), "kind": "advance"}, "application/json")
    officer = api(agency_officer)
    assert len(officer.get("/api/v1/ledger-entries").json()["items"]) == 2
    assert len(officer.get("/api/v1/ledger-entries", {"kind": "advance"}).json()["items"]) == 1
    assert len(officer.get("/api/v1/ledger-entries", {"project": project.code.lower()}).json()["items"]) == 2
    shaped(officer.get("/api/v1/ledger-entries", {"kind": "gift"}), 422, "validation_error")
    shaped(officer.get("/api/v1/ledger-entries", {"colour": "red"}), 422, "validation_error")
    shaped(officer.get("/api/v1/ledger-entries/999999999"), 404, "not_found")


def test_allocations_through_the_api(api, agency_officer, implementer, territory):
    plan = plan_of(2026)
    unit = OrgUnit.objects.get(code="TTKC-42")
    body = {"plan_id": plan.pk, "unit_id": unit.pk, "amount": 400_000_000, "decision_number": "20/QĐ-BCT",
            "decision_date": "2026-01-20"}  # fmt: skip
    client = api(agency_officer)
    created = client.post("/api/v1/allocations", body, "application/json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert created.status_code == 201, created.content
    assert created.json()["province_code"] == "42" and created.json()["funding_source"] == "central"
    assert client.post("/api/v1/allocations", body, "application/json", HTTP_IDEMPOTENCY_KEY="a-1").status_code == 200
    shaped(client.post("/api/v1/allocations", {**body, "amount": 700_000_000}, "application/json"), 422, "over_plan")
    shaped(client.post("/api/v1/allocations", {**body, "amount": "400 triệu"}, "application/json"), 422)
    shaped(client.post("/api/v1/allocations", {**body, "amount": -1}, "application/json"), 422, "reason_required")
    assert Allocation.objects.count() == 1
    listed = client.get("/api/v1/allocations", {"unit": "TTKC-42"}).json()["items"]
    assert [item["amount"] for item in listed] == [400_000_000]
    assert client.get(f"/api/v1/allocations/{listed[0]['id']}").json()["decision_number"] == "20/QĐ-BCT"
    shaped(api(implementer).post("/api/v1/allocations", body, "application/json"), 403, "forbidden")
