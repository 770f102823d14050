"""The daily reminders of inspection follow-ups (inspections/reminders.py): open follow-ups due
within 7 days or overdue, to the responsible unit's people and the mission's head, once per person
and day."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.inspections.models import FollowUpStatus, MemberRole, MissionMember
from khuyencong.inspections.reminders import follow_up_reminders
from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import DEADLINE_DUE, DEADLINE_OVERDUE, reminder_providers, send_daily_reminders
from tests.inspections.factories import make_finding, make_follow_up, make_mission, make_visit

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 7, 1)


@pytest.fixture
def follow_ups(territory, django_user_model):
    head = django_user_model.objects.create_user(username="truongdoan", password="x")
    mission = make_mission("42")
    MissionMember.objects.create(mission=mission, user=head, name="Trưởng đoàn", role=MemberRole.HEAD)
    MissionMember.objects.create(mission=mission, name="Thành viên ngoài", role=MemberRole.MEMBER)
    finding = make_finding(mission, make_visit(mission))
    return {
        "head": head,
        "soon": make_follow_up(finding, due=DAY + dt.timedelta(days=5), action="Hoàn thiện hồ sơ nghiệm thu"),
        "overdue": make_follow_up(finding, due=DAY - dt.timedelta(days=10), action="Lắp biển hiệu đề án"),
        "later": make_follow_up(finding, due=DAY + dt.timedelta(days=20)),
        "done": make_follow_up(
            finding, due=DAY - dt.timedelta(days=30), status=FollowUpStatus.DONE, closed_on=DAY - dt.timedelta(days=31)
        ),
        "other": make_follow_up(finding, unit="SCT-42", due=DAY + dt.timedelta(days=1)),
    }


def test_the_provider_is_registered():
    assert reminder_providers()["inspections.follow_ups"] is follow_up_reminders


def test_due_soon_and_overdue_follow_ups_go_to_the_unit_and_the_mission_head(follow_ups, implementer,
                                                                              hatinh_officer):  # fmt: skip
    reminders = {r.key: r for r in follow_up_reminders(DAY)}
    soon, overdue = follow_ups["soon"], follow_ups["overdue"]
    assert set(reminders) == {
        f"followup:{soon.pk}:due:{soon.due_date.isoformat()}",
        f"followup:{overdue.pk}:due:{overdue.due_date.isoformat()}",
        f"followup:{follow_ups['other'].pk}:due:{follow_ups['other'].due_date.isoformat()}",
    }
    first = reminders[f"followup:{soon.pk}:due:{soon.due_date.isoformat()}"]
    assert {u.username for u in first.recipients} == {implementer.username, "truongdoan"}
    assert first.kind == DEADLINE_DUE and first.due_date == soon.due_date
    assert first.link == f"/inspections/follow-ups/{soon.pk}/"
    late = reminders[f"followup:{overdue.pk}:due:{overdue.due_date.isoformat()}"]
    assert late.kind == DEADLINE_OVERDUE
    # The Department's officer is reminded of the follow-up addressed to the Department only.
    other = reminders[f"followup:{follow_ups['other'].pk}:due:{follow_ups['other'].due_date.isoformat()}"]
    assert {u.username for u in other.recipients} == {hatinh_officer.username, "truongdoan"}
    assert hatinh_officer not in first.recipients


def test_written_once_per_person_and_day(follow_ups, implementer):
    def mine():
        return Notification.objects.filter(recipient=implementer, dedupe_key__startswith="followup:")

    send_daily_reminders(DAY)
    assert mine().count() == 2
    assert {n.kind for n in mine()} == {DEADLINE_DUE, DEADLINE_OVERDUE}
    assert {n.link for n in mine()} == {f"/inspections/follow-ups/{follow_ups[k].pk}/" for k in ("soon", "overdue")}
    send_daily_reminders(DAY)
    assert mine().count() == 2
    send_daily_reminders(DAY + dt.timedelta(days=1))
    assert mine().count() == 4


def test_a_follow_up_reported_done_is_no_longer_reminded(follow_ups, implementer):
    from khuyencong.inspections import actions

    actions.close_follow_up(user=implementer, follow_up=follow_ups["soon"], closed_on=DAY - dt.timedelta(days=1),
                            note="Đã gửi hồ sơ.")  # fmt: skip
    keys = {r.key for r in follow_up_reminders(DAY)}
    assert not any(k.startswith(f"followup:{follow_ups['soon'].pk}:") for k in keys)


def test_nothing_due_reads_one_query(territory, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert list(follow_up_reminders(DAY)) == []


def test_a_fixed_number_of_queries_whatever_the_number_of_follow_ups(follow_ups, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(list(follow_up_reminders(DAY))) == 3
