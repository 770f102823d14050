"""Adjustments in the scoping suite: every role reads, proposes and confirms exactly within its
reach (through the project: its province; an implementer only its own unit's projects), pages
and API; every refusal has the API's error shape and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.adjustments import actions
from khuyencong.adjustments.models import Adjustment
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.projects.factories import make_project
from tests.roles import CASE_IDS, CASES

pytestmark = pytest.mark.django_db

READ = {"view", "export"}
ADJUSTMENT_ROLES = {
    Role.SYSTEM_ADMIN: READ | {"propose", "confirm", "approve", "approve_local"},
    Role.AGENCY_OFFICER: READ | {"propose"},
    Role.AGENCY_LEADER: READ | {"approve"},
    Role.REGIONAL_OFFICER: READ | {"propose"},
    Role.PROVINCIAL_OFFICER: READ | {"propose", "confirm"},
    Role.PROVINCIAL_LEADER: READ | {"confirm", "approve_local"},
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: READ | {"propose"},
    Role.INSPECTOR: READ,
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}


@pytest.fixture
def records(admin_user):
    out = {}
    for key, code in {"hatinh": "42", "nghean": "40"}.items():
        project = make_project(
            code, state=ProjectState.CONTRACTED, approved_support=150_000_000, end_date=dt.date(2026, 10, 31)
        )
        out[key] = actions.propose_adjustment(
            user=admin_user, project=project, kind="timeline", reason="Chậm tiến độ", changes={"end_date": "2026-12-15"}
        )
    return out


def _may(case, action):
    return bool(case.role) and action in ADJUSTMENT_ROLES[case.role]


def _shape(response, code):
    body = response.json()
    assert set(body) >= {"code", "message", "details"} and body["code"] == code, body


def _snapshot():
    return sorted(Adjustment.objects.values_list("pk", "state", "version"))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_reads_proposes_and_confirms_within_its_reach(case, person_in_role, records, client, client_for):
    user = person_in_role(case)
    _token, secret = issue_token(user=user, name="suite")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    visible = case.reach if _may(case, "view") else ()
    # reads: the API list and detail, the pages
    listed = client.get("/api/v1/adjustments")
    assert listed.status_code == (200 if _may(case, "view") else 403)
    ids = {item["id"] for item in listed.json()["items"]} if listed.status_code == 200 else set()
    pages = client_for(user)
    assert pages.get("/adjustments/").status_code == (200 if _may(case, "view") else 403)
    for key, adjustment in records.items():
        assert (adjustment.pk in ids) == (key in visible), key
        detail = client.get(f"/api/v1/adjustments/{adjustment.pk}")
        assert detail.status_code == (200 if key in visible else 404), key
        if detail.status_code == 404:
            _shape(detail, "not_found")
        section = pages.get(f"/adjustments/projects/{adjustment.project_id}/")
        project_seen = key in case.reach and bool(case.role) and case.role != Role.ESTABLISHMENT
        assert section.status_code == (200 if project_seen else 404), key
        if section.status_code == 200:
            assert (adjustment.reason in section.content.decode()) == (key in visible)
    # writes: propose (API and page) and confirm (API)
    for key, adjustment in records.items():
        before = _snapshot()
        response = client.post(
            f"/api/v1/projects/{adjustment.project_id}/adjustments",
            {"kind": "place", "reason": "Đổi địa điểm", "changes": {"location": "Thôn 7"}},
            "application/json",
        )
        expected = 403 if not _may(case, "propose") else 201 if key in case.reach else 404
        assert response.status_code == expected, (key, response.content[:300])
        if expected == 201:
            assert Adjustment.objects.count() == len(before) + 1
            Adjustment.objects.filter(pk=response.json()["id"]).delete()
        else:
            _shape(response, {403: "forbidden", 404: "not_found"}[expected])
            assert _snapshot() == before
        page = pages.post(
            f"/adjustments/projects/{adjustment.project_id}/propose/",
            {"kind": "place", "reason": "Đổi địa điểm", "cause": "other", "location": "Thôn 8"},
        )
        assert page.status_code == (403 if not _may(case, "propose") else 302 if key in case.reach else 404), key
        Adjustment.objects.filter(kind="place").delete()
        response = client.post(f"/api/v1/adjustments/{adjustment.pk}/actions/confirm", {}, "application/json")
        expected = 403 if not _may(case, "confirm") else 200 if key in case.reach else 404
        assert response.status_code == expected, (key, response.content[:300])
        if expected != 200:
            _shape(response, {403: "forbidden", 404: "not_found"}[expected])
            assert _snapshot() == before
        else:
            assert Adjustment.objects.get(pk=adjustment.pk).state == "confirmed"
