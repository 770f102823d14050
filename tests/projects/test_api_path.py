"""The whole national and local path through the API, each step by the role that takes it: the same
table as the buttons, the history on the project, the deadlines answer for what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from khuyencong.accounts.tokens import issue_token
from khuyencong.organisation.models import Role
from khuyencong.planning.models import PlanLine
from tests.conftest import _user
from tests.planning.factories import make_plan
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user=user, name='t')[1]}"
    return client


def _line(plan) -> PlanLine:
    return PlanLine.objects.filter(plan_version__plan=plan, children__isnull=True, parent__isnull=True).first()


def _walk(project, steps):
    url = f"/api/v1/projects/{project.pk}"
    for who, action, body in steps:
        client = _as(who)
        offered = client.get(url).json()["available_actions"]
        assert action in [a if isinstance(a, str) else a.get("action") for a in offered], (action, offered)
        answer = client.post(f"{url}/actions/{action}", body, "application/json")
        assert answer.status_code == 200, (action, answer.content)
    return _as(steps[-1][0]).get(url).json()


def test_the_national_path_through_the_api(django_user_model, implementer, hatinh_officer, agency_officer):
    leader = _user(django_user_model, "cuc.lanhdao.api", Role.AGENCY_LEADER, "CUC-DMST")
    plan = make_plan(None, year=2026, approved=True)
    project = make_project(year=2026)
    today = timezone.localdate().isoformat()
    final = _walk(project, [
        (implementer, "submit", {"on": "2025-05-10"}),
        (hatinh_officer, "province_pass", {"on": "2025-06-01", "comment": "Đạt"}),
        (hatinh_officer, "send_to_agency", {"on": "2025-06-10"}),
        (agency_officer, "agency_pass", {"on": "2025-09-01"}),
        (leader, "approve", {"decision_number": "99/QĐ-BCT", "decision_date": "2026-01-15",
                             "plan_line": _line(plan).pk}),
        (agency_officer, "contract", {"on": "2026-03-01"}),
        (implementer, "start", {"on": "2026-03-02"}),
        (implementer, "accept", {"on": "2026-09-01"}),
        (implementer, "submit_settlement", {"on": "2026-09-10"}),
        (agency_officer, "settle", {"decision_number": "7/BB-TL", "decision_date": today}),
        (agency_officer, "close", {}),
    ])  # fmt: skip
    assert final["state"] == "closed"
    assert [t["action"] for t in final["transitions"]][:2] == ["submit", "province_pass"]
    assert len(final["transitions"]) == 11


def test_the_local_path_through_the_api_and_the_overdue_list(
    django_user_model, implementer, hatinh_officer, agency_officer
):
    leader = _user(django_user_model, "hatinh.lanhdao.api", Role.PROVINCIAL_LEADER, "UBND-42")
    finance = _user(django_user_model, "hatinh.taichinh.api", Role.PROVINCIAL_FINANCE, "STC-42")
    plan = make_plan("42", year=2026, approved=True)
    project = make_project(year=2026, level="local")
    final = _walk(project, [
        (implementer, "submit", {"on": "2025-09-01"}),
        (hatinh_officer, "province_pass", {"on": "2025-10-01"}),
        (leader, "approve_local", {"decision_number": "5/QĐ-UBND", "decision_date": "2026-01-20",
                                   "plan_line": _line(plan).pk}),
        (hatinh_officer, "contract_local", {"on": "2026-02-01"}),
        (implementer, "start", {"on": "2026-02-02"}),
        (implementer, "accept", {"on": "2026-08-01"}),
        (implementer, "submit_settlement", {"on": "2026-08-05"}),
        (finance, "settle_local", {"decision_number": "3/QT", "decision_date": timezone.localdate().isoformat()}),
        (hatinh_officer, "close_local", {}),
    ])  # fmt: skip
    assert final["state"] == "closed"
    # An approved 2020 national project never contracted is overdue (the 15/5/2020 directive).
    late = make_project(year=2020, state="approved", approved_on=dt.date(2020, 1, 15))
    rows = _as(agency_officer).get("/api/v1/deadlines", {"overdue": "true"}).json()
    listed = rows.get("items", rows.get("results", rows)) if isinstance(rows, dict) else rows
    assert late.code in str(listed)
