"""The money figures a periodic report is pre-filled with (``reporting.sources.FINANCE_HOOKS``).

Registered from ``FinanceConfig.ready``; reporting never imports this app. Both read the records
the rollups read (``finance.rollups``), with the same definitions, for one unit over one period:

* ``finance.disbursed`` — money paid out in the period (giải ngân): paid advances and payments
  dated within it, less the recoveries paid back within it;
* ``finance.allocated`` — the allocations (giao dự toán) of the period's year decided up to the
  period's last day, reductions included.

Whose money: everything for the Ministry and the Agency; the province's for a unit that manages
a province (the People's Committee, the Department, the Department of Finance; for a unit of a
province abolished on 1/7/2025, the money placed in that province before the reform); otherwise
the unit's own, as the implementing unit of the projects. The figures are the system's, not a
user's view: no reach is applied (the report's readers are scoped on the report).
"""

from __future__ import annotations

from django.db.models import Q, Sum

from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.models import OrgUnit

MANAGING_KINDS = {OrgUnit.Kind.PROVINCIAL_COMMITTEE, OrgUnit.Kind.DOIT, OrgUnit.Kind.FINANCE_DEPT}


def _whose(unit: OrgUnit, *, legacy_column: str | None) -> Q | None:
    """The rows of ``unit`` (None: every row)."""
    if unit.kind in OrgUnit.NATIONAL_KINDS:
        return None
    if unit.kind in MANAGING_KINDS and unit.province_id:
        if unit.province.valid_to is not None:
            if legacy_column is not None:
                return Q(**{legacy_column: unit.province_id})
            return Q(province_id=unit.province_id) | Q(unit__province_id=unit.province_id)
        return Q(province_id=unit.province_id)
    return Q(unit_id=unit.pk)


def disbursed(unit: OrgUnit, period) -> int:
    """Paid advances and payments dated in the period, less recoveries dated in it (đồng)."""
    entries = LedgerEntry.objects.filter(
        status=EntryStatus.PAID,
        kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT, EntryKind.RECOVERY],
        entry_date__range=(period.start, period.end),
    )
    whose = _whose(unit, legacy_column="legacy_province_id")
    if whose is not None:
        entries = entries.filter(whose)
    totals = entries.aggregate(
        out=Sum("amount", filter=Q(kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT])),
        back=Sum("amount", filter=Q(kind=EntryKind.RECOVERY)),
    )
    return (totals["out"] or 0) - (totals["back"] or 0)


def allocated(unit: OrgUnit, period) -> int:
    """Allocations of the period's year decided by the period's last day (đồng)."""
    rows = Allocation.objects.filter(year=period.end.year, decision_date__lte=period.end)
    whose = _whose(unit, legacy_column=None)
    if whose is not None:
        rows = rows.filter(whose)
    return rows.aggregate(total=Sum("amount"))["total"] or 0


def register() -> None:
    from khuyencong.reporting import sources

    sources.register("finance.disbursed", disbursed)
    sources.register("finance.allocated", allocated)
