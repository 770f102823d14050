"""Project deadlines in the notifications layer (imported at start-up by the notifications app,
``NotificationsConfig.ready`` → ``autodiscover_modules("reminders")``).

* the daily reminder provider ``projects.deadlines``: each item overdue or due within
  ``REMIND_WITHIN_DAYS`` to the people who must act (``deadline_reminders``); the daily job writes
  each once per person and day, so running it twice the same day sends nothing new;
* after each project step commits (``actions.on_step``): a notice to whoever must act next, and
  to the implementer on a return (with the comment) or a rejection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from khuyencong.notifications.services import (
    DEADLINE_DUE,
    DEADLINE_OVERDUE,
    Reminder,
    notify,
    reminder_provider,
)
from khuyencong.projects.actions import on_step
from khuyencong.projects.deadline_reminders import deadline_reminders, step_notices
from khuyencong.projects.deadlines import RULES_BY_KEY

REMIND_WITHIN_DAYS = 7


def _link(project) -> str:
    return f"{reverse('deadlines:list')}?{urlencode({'q': project.code})}"


@reminder_provider("projects.deadlines")
def project_deadlines(on: dt.date) -> Iterable[Reminder]:
    for item in deadline_reminders(on=on, within_days=REMIND_WITHIN_DAYS):
        label = RULES_BY_KEY[item.due.key].label
        yield Reminder(
            recipients=item.recipients,
            kind=DEADLINE_OVERDUE if item.overdue else DEADLINE_DUE,
            subject=format_lazy("{}: {}", item.project.code, label),
            body=format_lazy(
                _("{project}. Due by {date} under {rule}."),
                project=item.project.name,
                date=item.due.due_date.strftime("%d/%m/%Y") if item.due.due_date else "",
                rule=item.due.citation,
            ),
            key=item.key,
            link=_link(item.project),
            ref=item.project,
            due_date=item.due.due_date,
        )


@on_step
def tell_who_acts_next(project, transition) -> None:
    for notice in step_notices(project, transition):
        if notice.kind == "project_rejected":
            subject = format_lazy(_("{code} did not pass"), code=project.code)
        elif notice.kind == "project_returned":
            subject = format_lazy(_("{code} was returned for documents"), code=project.code)
        else:
            subject = format_lazy(
                "{}: {}", project.code, RULES_BY_KEY[notice.due.key].label if notice.due else project.name
            )
        body = format_lazy(_("{project}. Comment: {comment}"), project=project.name, comment=notice.comment)
        notify(
            recipients=notice.recipients,
            kind=notice.kind,
            subject=subject,
            body=body if notice.comment else project.name,
            link=_link(project),
            ref=project,
            dedupe_key=notice.key,
        )
