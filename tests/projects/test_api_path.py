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


def _accept_and_settle(project, implementer, approver, *, accepted_on, sent_on, checker=None):
    """The steps another flow takes, through its API: every line's acceptance record (the last
    accepts the project), the settlement dossier, (the check,) the approval (settles it). The
    bare steps are never offered on the project meanwhile."""
    url = f"/api/v1/projects/{project.pk}"
    reserved = {"accept", "submit_settlement", "settle", "settle_local"}
    lines = _as(implementer).get(url).json()["beneficiaries"]
    for n, line in enumerate(lines, 1):
        offered = {a["action"] for a in _as(implementer).get(url).json()["available_actions"]}
        assert not offered & reserved, offered
        body = {"beneficiary_id": line["id"], "passed": True, "accepted_on": accepted_on,
                "record_number": f"BB-{n}", "achieved_outputs": "Đạt"}  # fmt: skip
        answer = _as(implementer).post("/api/v1/acceptances", body, "application/json")
        assert answer.status_code == 201, answer.content
    assert _as(implementer).get(url).json()["state"] == "accepted"
    sent = _as(implementer).post("/api/v1/settlements", {"project_id": project.pk, "submitted_on": sent_on},
                                 "application/json")  # fmt: skip
    assert sent.status_code == 201, sent.content
    settlement = sent.json()
    assert _as(approver).get(url).json()["state"] == "settlement_submitted"
    assert not {a["action"] for a in _as(approver).get(url).json()["available_actions"]} & reserved
    base = f"/api/v1/settlements/{settlement['id']}/actions"
    if checker is not None:
        checked = _as(checker).post(f"{base}/check", {"on": sent_on}, "application/json")
        assert checked.status_code == 200, checked.content
    body = {"settled_amount": 0, "decision_number": "7/QĐ-QT", "decision_date": timezone.localdate().isoformat()}
    approved = _as(approver).post(f"{base}/approve", body,
                                  "application/json")  # fmt: skip
    assert approved.status_code == 200, approved.content
    assert _as(approver).get(url).json()["state"] == "settled"


def test_the_national_path_through_the_api(django_user_model, implementer, hatinh_officer, agency_officer):
    leader = _user(django_user_model, "cuc.lanhdao.api", Role.AGENCY_LEADER, "CUC-DMST")
    plan = make_plan(None, year=2026, approved=True)
    project = make_project(year=2026)
    _walk(project, [
        (implementer, "submit", {"on": "2025-05-10"}),
        (hatinh_officer, "province_pass", {"on": "2025-06-01", "comment": "Đạt"}),
        (hatinh_officer, "send_to_agency", {"on": "2025-06-10"}),
        (agency_officer, "agency_pass", {"on": "2025-09-01"}),
        (leader, "approve", {"decision_number": "99/QĐ-BCT", "decision_date": "2026-01-15",
                             "plan_line": _line(plan).pk}),
        (agency_officer, "contract", {"on": "2026-03-01"}),
        (implementer, "start", {"on": "2026-03-02"}),
    ])  # fmt: skip
    _accept_and_settle(project, implementer, agency_officer, accepted_on="2026-09-01", sent_on="2026-09-10")
    final = _walk(project, [(agency_officer, "close", {})])
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
    _walk(project, [
        (implementer, "submit", {"on": "2025-09-01"}),
        (hatinh_officer, "province_pass", {"on": "2025-10-01"}),
        (leader, "approve_local", {"decision_number": "5/QĐ-UBND", "decision_date": "2026-01-20",
                                   "plan_line": _line(plan).pk}),
        (hatinh_officer, "contract_local", {"on": "2026-02-01"}),
        (implementer, "start", {"on": "2026-02-02"}),
    ])  # fmt: skip
    _accept_and_settle(project, implementer, hatinh_officer, accepted_on="2026-08-01", sent_on="2026-08-05",
                       checker=finance)  # fmt: skip
    final = _walk(project, [(hatinh_officer, "close_local", {})])
    assert final["state"] == "closed"
    # An approved 2020 national project never contracted is overdue (the 15/5/2020 directive).
    late = make_project(year=2020, state="approved", approved_on=dt.date(2020, 1, 15))
    rows = _as(agency_officer).get("/api/v1/deadlines", {"overdue": "true"}).json()
    listed = rows.get("items", rows.get("results", rows)) if isinstance(rows, dict) else rows
    assert late.code in str(listed)
