"""/api/v1/contracts: scoped reads with the page's filters, drafts, signing, amendments with
If-Match, and the API's error shape on every refusal (nothing written)."""

from __future__ import annotations

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.contracts.models import Contract, ContractAmendment, ContractState
from khuyencong.projects.models import ProjectState
from tests.contracts.factories import approved_project, make_contract

pytestmark = pytest.mark.django_db
URL = "/api/v1/contracts"


def api(client, user):
    _token, secret = issue_token(user=user, name="contracts")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def body(project, **extra):
    return {"project_id": project.pk, "kind": "main", "number": "05/2026/HĐ-KCQG", "value": project.approved_support,
            "signed_on": "2026-03-10", "start_date": "2026-03-15", "end_date": "2026-11-30", **extra}  # fmt: skip


def test_draft_sign_and_amend_through_the_api(client, agency_officer):
    project = approved_project()
    client = api(client, agency_officer)
    created = client.post(URL, body(project), "application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == "draft" and data["party_a_code"] == "CUC-DMST" and data["province_code"] == "42"
    assert data["actions"] == ["sign", "terminate"]
    pk, version = data["id"], data["version"]
    stale = client.post(f"{URL}/{pk}/sign", {}, "application/json", HTTP_IF_MATCH=f'"{version + 1}"')
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    signed = client.post(f"{URL}/{pk}/sign", {}, "application/json", HTTP_IF_MATCH=f'"{version}"')
    assert signed.status_code == 200, signed.content
    assert signed.json()["state"] == "signed"
    project.refresh_from_db()
    assert project.state == ProjectState.CONTRACTED
    version = signed.json()["version"]
    raise_it = {
        "number": "PL-01",
        "signed_on": "2026-04-01",
        "reason": "Tăng",
        "new_value": project.approved_support + 1,
    }
    over = client.post(f"{URL}/{pk}/amendments", raise_it, "application/json", HTTP_IF_MATCH=str(version))
    assert over.status_code == 422 and over.json()["code"] == "over_approved_support"
    assert over.json()["details"] == {"field": "new_value"}
    amended = client.post(f"{URL}/{pk}/amendments", {"number": "PL-01", "signed_on": "2026-04-01",
                          "reason": "Gia hạn", "new_end_date": "2026-12-31"}, "application/json",
                          HTTP_IF_MATCH=str(version))  # fmt: skip
    assert amended.status_code == 201, amended.content
    assert amended.json()["amendments"][0]["new_end_date"] == "2026-12-31"
    again = client.post(f"{URL}/{pk}/amendments", {"number": "PL-02", "signed_on": "2026-04-02",
                        "reason": "Gia hạn", "new_end_date": "2027-01-31"}, "application/json",
                        HTTP_IF_MATCH=str(version))  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "stale"
    assert ContractAmendment.objects.count() == 1
    detail = client.get(f"{URL}/{pk}").json()
    assert [t["action"] for t in detail["transitions"]] == ["sign", "amend"]


def test_refusals_have_the_error_shape_and_write_nothing(client, agency_officer, implementer, nghean_officer):
    project = approved_project()
    over = api(client, agency_officer).post(URL, body(project, value=project.approved_support + 1), "application/json")
    assert over.status_code == 422 and over.json()["code"] == "over_approved_support"
    bad_dates = client.post(URL, body(project, start_date="2026-03-01"), "application/json")
    assert bad_dates.status_code == 422 and bad_dates.json()["code"] == "dates_out_of_order"
    assert not Contract.objects.exists()
    client.defaults.pop("HTTP_AUTHORIZATION")
    forbidden = api(client, implementer).post(URL, body(project), "application/json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    client.defaults.pop("HTTP_AUTHORIZATION")
    unseen = api(client, nghean_officer).post(URL, body(project), "application/json")
    assert unseen.status_code == 422 and unseen.json()["details"][0]["field"] == "project_id"
    assert not Contract.objects.exists()
    contract = make_contract(project)
    assert client.get(f"{URL}/{contract.pk}").status_code == 404
    sign = client.post(f"{URL}/{contract.pk}/sign", {}, "application/json")
    assert sign.status_code == 404 and sign.json()["code"] == "not_found"
    contract.refresh_from_db()
    assert contract.state == ContractState.DRAFT


def test_list_filters_and_keyset_paging(client, agency_officer, hatinh_officer):
    national = approved_project()
    local = approved_project(level="local")
    make_contract(national, number="A-1")
    make_contract(local, number="B-1")
    client = api(client, agency_officer)
    listed = client.get(URL, {"level": "local"}).json()
    assert [item["number"] for item in listed["items"]] == ["B-1"]
    page = client.get(URL, {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert client.get(URL, {"kind": "nope"}).status_code == 422
    assert client.get(URL, {"colour": "red"}).status_code == 422
    client.defaults.pop("HTTP_AUTHORIZATION")
    mine = api(client, hatinh_officer).get(URL, {"q": "a-1"}).json()
    assert [item["number"] for item in mine["items"]] == ["A-1"]
