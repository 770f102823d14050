"""Periods the programme reports on: years, half-years, quarters, five-year programmes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"Năm {y}")


def half_year(y: int, half: int) -> Period:
    if half not in (1, 2):
        raise ValueError("half must be 1 or 2")
    if half == 1:
        return Period(dt.date(y, 1, 1), dt.date(y, 6, 30), f"6 tháng đầu năm {y}")
    return Period(dt.date(y, 7, 1), dt.date(y, 12, 31), f"6 tháng cuối năm {y}")


def quarter(y: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1..4")
    start = dt.date(y, 3 * q - 2, 1)
    end = (dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)) - dt.timedelta(days=1)
    return Period(start, end, f"Quý {q}/{y}")


def programme_period(first_year: int, last_year: int) -> Period:
    return Period(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), f"Giai đoạn {first_year}–{last_year}")
