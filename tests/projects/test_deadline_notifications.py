"""Project deadlines in the notifications layer: the daily provider and the notices after a step."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import DEADLINE_OVERDUE, reminder_providers, send_daily_reminders
from khuyencong.projects import actions
from khuyencong.projects.models import ProjectState
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
S = ProjectState
DAY = dt.date(2026, 11, 30)


def test_the_provider_is_registered_at_start_up():
    assert "projects.deadlines" in reminder_providers()


def test_overdue_items_reach_who_must_act_once_a_day(implementer, agency_officer, hatinh_officer):
    draft = make_project(year=2027, state=S.DRAFT)  # registration due 20/5/2026
    unsigned = make_project(year=2020, state=S.APPROVED)  # the 2020 directive: 15/5/2020
    send_daily_reminders(DAY)
    mine = Notification.objects.filter(recipient=implementer, ref_id=str(draft.pk))
    assert [(n.kind, n.subject) for n in mine] == [
        (DEADLINE_OVERDUE, f"{draft.code}: Nộp hồ sơ đề án về Sở Công Thương")
    ]
    assert Notification.objects.filter(recipient=agency_officer, ref_id=str(unsigned.pk)).count() == 1
    assert not Notification.objects.filter(recipient=hatinh_officer, kind=DEADLINE_OVERDUE).exists()
    before = Notification.objects.count()
    send_daily_reminders(DAY)  # twice the same day: nothing new
    assert Notification.objects.count() == before
    send_daily_reminders(DAY + dt.timedelta(days=1))  # the next day: again
    assert Notification.objects.filter(recipient=implementer, ref_id=str(draft.pk)).count() == 2


def test_after_submit_the_department_is_told_and_a_return_tells_the_implementer(
    implementer, hatinh_officer, nghean_officer, django_capture_on_commit_callbacks
):
    project = make_project(year=2027, state=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        actions.take_step(user=implementer, project=project, action="submit")
    told = Notification.objects.filter(kind="project_step", ref_id=str(project.pk))
    assert [n.recipient for n in told] == [hatinh_officer]
    assert "Thẩm định đề án" in told[0].subject
    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.take_step(user=hatinh_officer, project=project, action="province_return", comment="Thiếu báo giá")
    returned = Notification.objects.filter(kind="project_returned", ref_id=str(project.pk))
    assert [n.recipient for n in returned] == [implementer]
    assert "Thiếu báo giá" in returned[0].body
