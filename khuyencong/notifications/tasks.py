"""The daily reminders, run by the worker every morning at 07:00 Vietnam time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from huey.contrib.djhuey import HUEY, db_periodic_task

from khuyencong.notifications import services

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def daily_at(hour: int, minute: int, zone: ZoneInfo = VIETNAM) -> Callable[[dt.datetime], bool]:
    """A huey schedule: true once a day at ``hour:minute`` in ``zone``, whether the worker keeps
    its clock in UTC (huey's default) or in local time."""

    def due(moment: dt.datetime) -> bool:
        aware = moment.replace(tzinfo=dt.UTC) if HUEY.utc else moment.astimezone()
        local = aware.astimezone(zone)
        return local.hour == hour and local.minute == minute

    return due


@db_periodic_task(daily_at(7, 0))
def send_daily_reminders() -> None:
    services.send_daily_reminders(dt.datetime.now(VIETNAM).date())
