"""Who must act on what is due: reminders for the daily job and notices after each step."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.projects.deadline_reminders import deadline_reminders, step_notices
from khuyencong.projects.models import ProjectState, ProjectTransition
from tests.projects.factories import make_project
from tests.roles import ROLES

pytestmark = pytest.mark.django_db
S = ProjectState
TODAY = dt.date(2026, 11, 30)


def test_reminders_go_to_who_must_act_and_are_the_same_twice_a_day(
    implementer, hatinh_officer, nghean_officer, agency_officer
):
    draft = make_project(year=2027, state=S.DRAFT)  # due 20/5/2026: overdue, the implementer's
    unsigned = make_project(year=2020, state=S.APPROVED)  # the Agency's, under the 2020 directive
    make_project(year=2021, state=S.APPROVED)  # no rule: no reminder
    first = deadline_reminders(on=TODAY)
    by_project = {r.project.pk: r for r in first}
    assert set(by_project) == {draft.pk, unsigned.pk}
    assert by_project[draft.pk].recipients == [implementer]  # not the Agency officer who could also submit
    assert by_project[unsigned.pk].recipients == [agency_officer]
    assert by_project[unsigned.pk].overdue
    again = deadline_reminders(on=TODAY)
    assert [r.key for r in again] == [r.key for r in first]


def test_due_within_the_window_only(implementer):
    make_project(year=2027, state=S.DRAFT)
    assert deadline_reminders(on=dt.date(2026, 5, 1), within_days=7) == []
    soon = deadline_reminders(on=dt.date(2026, 5, 15), within_days=7)
    assert len(soon) == 1 and not soon[0].overdue and soon[0].due.days_left == 5


def _transition(project, action, to_state, comment=""):
    return ProjectTransition.objects.create(
        project=project, action=action, from_state=S.DRAFT, to_state=to_state, comment=comment, user_name="t"
    )


def test_after_submit_the_departments_appraisers_of_that_province_are_told(hatinh_officer, nghean_officer):
    project = make_project(year=2027, state=S.SUBMITTED)
    notices = step_notices(project, _transition(project, "submit", S.SUBMITTED))
    assert [(n.kind, n.recipients, n.due.key) for n in notices] == [
        ("project_step", [hatinh_officer], "province_appraisal")
    ]


def test_a_return_tells_the_implementer_with_the_comment(implementer, hatinh_officer):
    project = make_project(year=2027, state=S.RETURNED)
    notices = step_notices(project, _transition(project, "province_return", S.RETURNED, "Thiếu báo giá"))
    assert [(n.kind, n.recipients, n.comment) for n in notices] == [
        ("project_returned", [implementer], "Thiếu báo giá")
    ]
    rejected = make_project(year=2027, state=S.REJECTED)
    notices = step_notices(rejected, _transition(rejected, "province_reject", S.REJECTED, "Không đạt"))
    assert [(n.kind, n.recipients) for n in notices] == [("project_rejected", [implementer])]


def test_agency_leader_is_told_of_approvals(person_in_role):
    leader = person_in_role(ROLES[2])
    project = make_project(year=2027, state=S.AGENCY_PASSED)
    notices = step_notices(project, _transition(project, "agency_pass", S.AGENCY_PASSED))
    assert [n.recipients for n in notices] == [[leader]]
