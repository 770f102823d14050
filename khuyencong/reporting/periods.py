"""The periods of a year a form reports on (``kernel.periods`` plus months)."""

from __future__ import annotations

import calendar
import datetime as dt

from khuyencong.kernel import periods
from khuyencong.kernel.periods import Period
from khuyencong.reporting.models import PeriodType


def month(y: int, m: int) -> Period:
    last = calendar.monthrange(y, m)[1]
    return Period(dt.date(y, m, 1), dt.date(y, m, last), f"Tháng {m}/{y}")


def periods_of(period_type: str, year: int) -> list[Period]:
    if period_type == PeriodType.MONTH:
        return [month(year, m) for m in range(1, 13)]
    if period_type == PeriodType.QUARTER:
        return [periods.quarter(year, q) for q in range(1, 5)]
    if period_type == PeriodType.HALF_YEAR:
        return [periods.half_year(year, h) for h in (1, 2)]
    return [periods.year(year)]


def period_starting(period_type: str, start: dt.date) -> Period | None:
    """The period of this type that begins on ``start`` (None when none does)."""
    for period in periods_of(period_type, start.year):
        if period.start == start:
            return period
    return None
