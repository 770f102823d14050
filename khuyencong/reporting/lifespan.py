"""When a unit exists for reporting, and which province in force it belongs to.

A report is expected from a unit for a period when the unit exists on the period's last day:
``opened_on <= period.end < closed_on``. The dates come from the unit's ``UnitTerm`` when it has
one; otherwise a unit bound to a province abolished by the 1/7/2025 reform closes on the day after
the province's last day (its successor takes over from then on), and any other unit is open
without limits. A unit that opens on 1/7/2025 (a ``UnitTerm``) is expected for the third quarter
of 2025 on, and for the year 2025, whose end it exists on; not for the first half-year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting.models import UnitTerm

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Lifespan:
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None  # the first day the unit no longer exists

    def exists_on(self, day: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (self.closed_on is None or day < self.closed_on)


def derived(unit: OrgUnit) -> Lifespan:
    """The lifespan a unit has without a ``UnitTerm``: closed with its abolished province."""
    province = unit.province if unit.province_id else None
    if province is not None and province.valid_to is not None:
        return Lifespan(closed_on=province.valid_to + DAY)
    return Lifespan()


def lifespans(units: Iterable[OrgUnit]) -> dict[int, Lifespan]:
    """The lifespan of each unit (``province`` should be selected with it): one query for the terms."""
    units = list(units)
    terms = {t.org_unit_id: t for t in UnitTerm.objects.filter(org_unit__in=[u.pk for u in units])}
    spans = {}
    for unit in units:
        base = derived(unit)
        term = terms.get(unit.pk)
        if term is not None:
            base = Lifespan(opened_on=term.opened_on or base.opened_on, closed_on=term.closed_on or base.closed_on)
        spans[unit.pk] = base
    return spans


def lifespan_of(unit: OrgUnit) -> Lifespan:
    return lifespans([unit])[unit.pk]


def current_province(unit: OrgUnit):
    """The province in force of ``unit``: its own, or the successor of its abolished province."""
    if not unit.province_id:
        return None
    province = unit.province
    if province.valid_to is not None and province.successor_id:
        return province.successor
    return province
