"""Adjustments through the API and the pages: same rules, same codes, nothing written on a refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.adjustments.models import Adjustment
from khuyencong.adjustments.views import adjustments_context
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.conftest import _user
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
S = ProjectState


@pytest.fixture
def agency_leader(django_user_model, territory):
    return _user(django_user_model, "cuc.lanhdao", Role.AGENCY_LEADER, "CUC-DMST")


def _api(client, user):
    _token, secret = issue_token(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _project(**fields):
    return make_project(
        state=S.CONTRACTED,
        approved_support=150_000_000,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 10, 31),
        **fields,
    )


def test_the_api_path(implementer, hatinh_officer, agency_leader, nghean_officer):
    from django.test import Client

    project = _project()
    body = {"kind": "budget", "reason": "Giá thiết bị giảm", "changes": {"approved_support": 130_000_000}}
    response = _api(Client(), nghean_officer).post(
        f"/api/v1/projects/{project.pk}/adjustments", body, "application/json"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = _api(Client(), implementer).post(f"/api/v1/projects/{project.pk}/adjustments", body, "application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "proposed" and created["actions"] == ["withdraw"]
    officer = _api(Client(), hatinh_officer)
    assert [item["id"] for item in officer.get("/api/v1/adjustments").json()["items"]] == [created["id"]]
    assert officer.get(f"/api/v1/adjustments/{created['id']}").json()["actions"] == ["confirm", "reject", "withdraw"]
    response = officer.post(f"/api/v1/adjustments/{created['id']}/actions/reject", {}, "application/json")
    assert response.status_code == 422 and response.json()["code"] == "comment_required"
    response = officer.post(f"/api/v1/adjustments/{created['id']}/actions/confirm", {}, "application/json")
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    leader = _api(Client(), agency_leader)
    response = leader.post(f"/api/v1/adjustments/{created['id']}/actions/approve", {}, "application/json")
    assert response.status_code == 422 and response.json()["code"] == "decision_required"
    response = leader.post(
        f"/api/v1/adjustments/{created['id']}/actions/approve",
        {"decision_number": "77/QĐ-BCT", "decision_date": "2026-06-01"},
        "application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert response.json()["before"] == {"approved_support": 150_000_000}
    project.refresh_from_db()
    assert project.approved_support == 130_000_000
    response = leader.post(f"/api/v1/adjustments/{created['id']}/actions/nonsense", {}, "application/json")
    assert response.status_code == 404


def test_after_settlement_the_api_refuses_with_a_code(implementer):
    from django.test import Client

    project = _project()
    type(project).objects.filter(pk=project.pk).update(state=S.SETTLED)
    body = {"kind": "timeline", "reason": "Chậm", "changes": {"end_date": "2026-12-01"}}
    response = _api(Client(), implementer).post(f"/api/v1/projects/{project.pk}/adjustments", body, "application/json")
    assert response.status_code == 409 and response.json()["code"] == "project_settled"
    assert not Adjustment.objects.exists()


def test_the_pages(implementer, hatinh_officer, agency_leader, client_for):
    project = _project()
    pages = client_for(implementer)
    form = pages.get(f"/adjustments/projects/{project.pk}/propose/?kind=timeline")
    assert form.status_code == 200 and 'name="end_date"' in form.content.decode()
    assert 'name="approved_support"' not in form.content.decode()
    response = pages.post(
        f"/adjustments/projects/{project.pk}/propose/",
        {"kind": "timeline", "reason": "", "cause": "other", "end_date": "20/12/2026"},
    )
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    response = pages.post(
        f"/adjustments/projects/{project.pk}/propose/",
        {
            "kind": "timeline",
            "reason": "Mưa lũ kéo dài",
            "cause": "natural_disaster",
            "cause_event": "Lũ tháng 10/2026",
            "end_date": "20/12/2026",
        },
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert adjustment.changes == {"end_date": "2026-12-20"}
    section = adjustments_context(project, hatinh_officer)
    assert [[s.action for s in steps] for _row, steps in section["adjustment_rows"]] == [
        ["confirm", "reject", "withdraw"]
    ]
    assert section["adjustment_propose_url"]  # the Department may propose too
    officer = client_for(hatinh_officer)
    page = officer.get(f"/adjustments/projects/{project.pk}/").content.decode()
    assert "20/12/2026" in page and 'data-action="confirm"' in page
    assert project.code in officer.get("/adjustments/").content.decode()
    assert officer.post(f"/adjustments/{adjustment.pk}/confirm/", {}).status_code == 302
    leader = client_for(agency_leader)
    response = leader.post(f"/adjustments/{adjustment.pk}/approve/", {"decision_number": "", "decision_date": ""})
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    response = leader.post(
        f"/adjustments/{adjustment.pk}/approve/", {"decision_number": "99/QĐ-BCT", "decision_date": "01/06/2026"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.end_date == dt.date(2026, 12, 20)
    assert client_for(implementer).post(f"/adjustments/{adjustment.pk}/confirm/", {}).status_code == 403


def test_the_lists_cost_the_same_queries_for_one_row_and_many(implementer, hatinh_officer, client_for):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from khuyencong.adjustments import actions

    def counts():
        pages, api = client_for(hatinh_officer), _api(Client(), hatinh_officer)
        with CaptureQueriesContext(connection) as page:
            assert pages.get("/adjustments/").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/v1/adjustments").status_code == 200
        return len(page.captured_queries), len(listed.captured_queries)

    def propose():
        actions.propose_adjustment(
            user=implementer, project=_project(), kind="timeline", reason="Chậm", changes={"end_date": "2026-12-01"}
        )

    propose()
    one = counts()
    for _ in range(5):
        propose()
    assert counts() == one
