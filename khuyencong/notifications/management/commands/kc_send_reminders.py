"""``khuyencong send-reminders [--date dd/mm/yyyy]``: the daily reminders and digests, by hand.

The worker runs the same every morning at 07:00; running it again on a day sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from khuyencong.notifications.services import send_daily_reminders


def _date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(f"--date must be a day as dd/mm/yyyy, not {value!r}.") from None


class Command(BaseCommand):
    help = "Write the day's reminders as notifications and send each person one digest e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day, dd/mm/yyyy (default: today)")

    def handle(self, *args, **options):
        on = _date(options["date"]) if options["date"] else timezone.localdate()
        result = send_daily_reminders(on)
        self.stdout.write(
            f"{on:%d/%m/%Y}: {result.reminders} reminders, {result.notifications} new notifications, "
            f"{result.digests} digest e-mails sent"
        )
        if result.failed_providers:
            self.stderr.write("failed providers: " + ", ".join(result.failed_providers))
        if result.failed_reminders:
            self.stderr.write("malformed reminders: " + ", ".join(result.failed_reminders))
