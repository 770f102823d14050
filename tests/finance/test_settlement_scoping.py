"""Acceptances and settlements in the scoping suite: for each of the eleven roles (plus the Nghệ An
officer and a user without a role) the pages, the export and the API show exactly the reach of
the role, and each write (an acceptance, sending the dossier, approving) succeeds only for the
roles that hold it and only where they reach; every refusal has the API's shape and changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.finance.models import AcceptanceRecord, Settlement, SettlementState
from khuyencong.finance.settlement import submit_settlement_dossier
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.finance.settlement_factories import accept_all, running_project
from tests.roles import CASE_IDS, CASES

pytestmark = pytest.mark.django_db
R = Role
VIEWERS = {R.SYSTEM_ADMIN, R.AGENCY_OFFICER, R.AGENCY_LEADER, R.REGIONAL_OFFICER, R.PROVINCIAL_OFFICER,
           R.PROVINCIAL_LEADER, R.PROVINCIAL_FINANCE, R.IMPLEMENTER, R.INSPECTOR, R.VIEWER}  # fmt: skip
EXPORTERS = VIEWERS - {R.VIEWER}
ACCEPTERS = {R.SYSTEM_ADMIN, R.AGENCY_OFFICER, R.REGIONAL_OFFICER, R.PROVINCIAL_OFFICER, R.IMPLEMENTER}
SUBMITTERS = ACCEPTERS
APPROVERS = {R.SYSTEM_ADMIN, R.AGENCY_OFFICER, R.AGENCY_LEADER}
PROVINCES = {"hatinh": "42", "nghean": "40"}


@pytest.fixture
def admin_actor(django_user_model):
    from khuyencong.organisation.services import assign_role

    user = django_user_model.objects.create_user(username="quan-tri-qt", password="x", full_name="Quản trị")
    assign_role(user=user, role=R.SYSTEM_ADMIN, org_unit=None)
    return user


def accepted(code, actor):
    return accept_all(actor, running_project(province_code=code))


@pytest.fixture
def records(territory, admin_actor):
    found = {}
    for key, code in PROVINCES.items():
        project = accepted(code, admin_actor)
        found[key] = submit_settlement_dossier(user=admin_actor, project=project, submitted_on=dt.date(2026, 10, 25))
    return found


def api(client, user):
    _token, secret = issue_token(user=user, name="suite")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def snapshot():
    return (list(Settlement.objects.order_by("pk").values()), list(AcceptanceRecord.objects.order_by("pk").values()))


def has(case, roles) -> bool:
    return bool(case.role) and case.role in roles


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_reads_exactly_its_reach(case, person_in_role, records, client_for, client):
    user = person_in_role(case)
    pages = client_for(user)
    listed = pages.get(reverse("settlements:settlement_list"))
    assert listed.status_code == (200 if has(case, VIEWERS) else 403)
    for key, settlement in records.items():
        visible = has(case, VIEWERS) and key in case.reach
        if listed.status_code == 200:
            assert (settlement.project.code in listed.content.decode()) == visible, key
        detail = pages.get(reverse("settlements:settlement_detail", args=[settlement.pk])).status_code
        assert detail == (200 if visible else 404 if has(case, VIEWERS) else 403), key
        dossier = pages.get(reverse("settlements:dossier", args=[settlement.project_id])).status_code
        assert dossier == (200 if visible else 404 if has(case, VIEWERS) else 403), key
    export = pages.get(reverse("settlements:settlement_export"))
    assert export.status_code == (200 if has(case, EXPORTERS) else 403)
    client_api = api(client, user)
    for path in ("/api/v1/settlements", "/api/v1/acceptances"):
        response = client_api.get(path)
        assert response.status_code == (200 if has(case, VIEWERS) else 403), path
        ids = {item["project_id"] for item in response.json()["items"]} if response.status_code == 200 else set()
        for key, settlement in records.items():
            assert (settlement.project_id in ids) == (has(case, VIEWERS) and key in case.reach), (path, key)
    for key, settlement in records.items():
        detail = client_api.get(f"/api/v1/settlements/{settlement.pk}")
        assert detail.status_code == (200 if has(case, VIEWERS) and key in case.reach else 404), key


def expected_write(case, roles, key, done):
    if not has(case, roles):
        return 403
    return done if key in case.reach else 422


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_accepts_and_sends_only_in_its_reach(case, person_in_role, territory, admin_actor, client):
    user = person_in_role(case)
    client_api = api(client, user)
    for key, code in PROVINCES.items():
        project = running_project(province_code=code)
        line = project.beneficiaries.order_by("position").first()
        before = snapshot()
        body = {"beneficiary_id": line.pk, "passed": True, "accepted_on": "2026-10-20", "record_number": "BB-API",
                "achieved_outputs": "Đạt"}  # fmt: skip
        response = client_api.post("/api/v1/acceptances", body, "application/json")
        expected = expected_write(case, ACCEPTERS, key, 201)
        assert response.status_code == expected, (key, response.content[:400])
        if expected != 201:
            assert {"code", "message", "details"} <= set(response.json())
            assert snapshot() == before
        ready = accepted(code, admin_actor)
        before = snapshot()
        response = client_api.post("/api/v1/settlements", {"project_id": ready.pk, "submitted_on": "2026-10-25"},
                                   "application/json")  # fmt: skip
        expected = expected_write(case, SUBMITTERS, key, 201)
        assert response.status_code == expected, (key, response.content[:400])
        if expected == 201:
            ready.refresh_from_db()
            assert ready.state == ProjectState.SETTLEMENT_SUBMITTED
        else:
            assert {"code", "message", "details"} <= set(response.json())
            assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_approves_only_in_its_reach(case, person_in_role, records, client):
    user = person_in_role(case)
    client_api = api(client, user)
    for key, found in records.items():
        before = snapshot()
        body = {"settled_amount": 100_000_000, "decision_number": "QT-API", "decision_date": "2026-11-05"}
        response = client_api.post(f"/api/v1/settlements/{found.pk}/actions/approve", body, "application/json")
        visible = has(case, VIEWERS) and key in case.reach
        expected = (200 if has(case, APPROVERS) else 403) if visible else 404
        assert response.status_code == expected, (key, response.content[:400])
        if expected == 200:
            found.refresh_from_db()
            assert found.state == SettlementState.APPROVED
        else:
            assert response.json()["code"] in {"forbidden", "not_found"}
            assert snapshot() == before
