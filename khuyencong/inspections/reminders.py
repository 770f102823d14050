"""Inspection follow-ups in the notifications layer (imported at start-up by the notifications app,
``NotificationsConfig.ready`` → ``autodiscover_modules("reminders")``).

The daily provider ``inspections.follow_ups``: each open follow-up due within
``REMIND_WITHIN_DAYS`` days or already overdue, to the people of its responsible unit who report
follow-ups done (an active role holding ``close_follow_up`` bound to that very unit) and to the
head of its mission (a member with an account). Keys are stable per follow-up and due date, and the
daily job writes each reminder once per person and day (``key:YYYY-MM-DD``), so a second run the
same day writes nothing. Three queries whatever the number of follow-ups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from khuyencong.inspections.models import FollowUp, FollowUpStatus, MemberRole, MissionMember
from khuyencong.notifications.services import DEADLINE_DUE, DEADLINE_OVERDUE, Reminder, reminder_provider
from khuyencong.organisation.models import Role, RoleAssignment
from khuyencong.organisation.permissions import CLOSE_FOLLOW_UP, allowed_actions

REMIND_WITHIN_DAYS = 7


def due_follow_ups(*, on: dt.date, within_days: int = REMIND_WITHIN_DAYS) -> list[FollowUp]:
    """Open follow-ups overdue on ``on`` or due within ``within_days`` days of it."""
    rows = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_date__lte=on + dt.timedelta(days=within_days))
    return list(rows.select_related("responsible_unit", "finding__mission").order_by("due_date", "pk"))


def _responsible_people(unit_ids: set[int]) -> dict[int, list]:
    """unit id -> the active people who report its follow-ups done (roles holding the step there)."""
    roles = [role for role in Role.values if CLOSE_FOLLOW_UP in allowed_actions(role, "inspections.followup")]
    rows = (
        RoleAssignment.objects.active()
        .filter(role__in=roles, org_unit_id__in=sorted(unit_ids), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    people: dict[int, list] = defaultdict(list)
    for assignment in rows:
        if assignment.user not in people[assignment.org_unit_id]:
            people[assignment.org_unit_id].append(assignment.user)
    return people


def _heads(mission_ids: set[int]) -> dict[int, list]:
    """mission id -> its head(s) with an account."""
    rows = MissionMember.objects.filter(
        mission_id__in=sorted(mission_ids), role=MemberRole.HEAD, user__isnull=False, user__is_active=True
    ).select_related("user")
    heads: dict[int, list] = defaultdict(list)
    for member in rows:
        heads[member.mission_id].append(member.user)
    return heads


@reminder_provider("inspections.follow_ups")
def follow_up_reminders(on: dt.date) -> Iterable[Reminder]:
    rows = due_follow_ups(on=on)
    if not rows:
        return
    people = _responsible_people({up.responsible_unit_id for up in rows})
    heads = _heads({up.finding.mission_id for up in rows})
    for up in rows:
        recipients = {u.pk: u for u in [*people.get(up.responsible_unit_id, []), *heads.get(up.finding.mission_id, [])]}
        if not recipients:
            continue
        overdue = up.due_date < on
        yield Reminder(
            recipients=list(recipients.values()),
            kind=DEADLINE_OVERDUE if overdue else DEADLINE_DUE,
            subject=format_lazy(
                "{}: {}",
                _("Inspection follow-up overdue") if overdue else _("Inspection follow-up due"),
                up.action[:80],
            ),
            body=format_lazy(
                _("{unit} is to report by {date} on the recommendation of {mission}: {action}"),
                unit=up.responsible_unit.name,
                date=up.due_date.strftime("%d/%m/%Y"),
                mission=up.finding.mission.name,
                action=up.action,
            ),
            key=f"followup:{up.pk}:due:{up.due_date.isoformat()}",
            link=reverse("inspections:followup_detail", args=[up.pk]),
            ref=up,
            due_date=up.due_date,
        )
