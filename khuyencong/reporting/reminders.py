"""Reports in the notifications layer (imported at start-up by the notifications app,
``NotificationsConfig.ready`` → ``autodiscover_modules("reminders")``).

The daily provider ``reporting.reports``: each report still to send (expected, draft or returned)
whose due date is within ``REMIND_WITHIN_DAYS`` or past, once its period is over, to the people
who send reports for its unit (``selectors.senders``: a role holding ``submit`` bound to the unit
itself); keys are stable per report and due date, so the daily job writes each once a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from khuyencong.notifications.services import DEADLINE_DUE, DEADLINE_OVERDUE, Reminder, reminder_provider
from khuyencong.reporting.selectors import due_reports, senders

REMIND_WITHIN_DAYS = 7


@reminder_provider("reporting.reports")
def report_reminders(on: dt.date) -> Iterable[Reminder]:
    for report in due_reports(on=on, within_days=REMIND_WITHIN_DAYS):
        recipients = senders(report)
        if not recipients:
            continue
        overdue = report.due_on < on
        yield Reminder(
            recipients=recipients,
            kind=DEADLINE_OVERDUE if overdue else DEADLINE_DUE,
            subject=format_lazy("{}: {} · {}", _("Report due"), report.form.code, report.period_label),
            body=format_lazy(
                _("{form} of {unit} for {period}, due by {date}."),
                form=report.form.name,
                unit=report.org_unit.name,
                period=report.period_label,
                date=report.due_on.strftime("%d/%m/%Y"),
            ),
            key=f"report:{report.pk}:due:{report.due_on.isoformat()}",
            link=reverse("reporting:report_detail", args=[report.pk]),
            ref=report,
            due_date=report.due_on,
        )
