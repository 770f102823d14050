"""Rollups of the programme's money at every level (DOMAIN.md §6): read-only.

``rollup(user, year=…, group_by=[…], filters)`` answers, per group, the plan budget (the money rows
of each plan's approved version in force), what was allocated to units (giao dự toán), contracted
(main contracts in force: signed, amended or liquidated), advanced, paid, recovered, disbursed
(paid advances and payments less recoveries: giải ngân) and settled, with the three rates the
programme reports: allocated ÷ plan, disbursed ÷ allocated, settled ÷ disbursed (None when there
is nothing to divide by).

Every figure is one ``GROUP BY`` in the database: the ledger over the columns each entry copies
from its project (year, level, province, province before 1/7/2025, unit, content, funding source),
the allocations over their own columns, the contracts and plan lines over their project's or
plan's. Python merges the few grouped rows (never the entries) and maps provinces onto the three
regions of the regional centres (``territory.Region`` of kind ``centre``, a province → region
membership kept as data; a regional centre's own allocation, which has no province, falls in the
region the centre serves). Every source is kept to the user's reach for the ledger
(``kernel.scoping``): the allocations and entries through ``restrict``, the contracts and plan
lines through the same reach over their project's or line's province and unit.

A group a source cannot say (a national plan line with no province, an allocation by the
province before 1/7/2025) falls in a row whose key is None ("not assigned"), so the totals row
is always the sum of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.kernel.money import format_percent
from khuyencong.kernel.scoping import Action, Scope, can, restrict, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import FundingSource, PlanLine, PlanVersion
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province, Region

DIMENSIONS: dict[str, Any] = {
    "year": _("Year"),
    "province": _("Province"),
    "legacy_province": _("Province before 1/7/2025"),
    "region": _("Region"),
    "unit": _("Implementing unit"),
    "content": _("Activity content"),
    "funding_source": _("Funding source"),
    "level": _("Level"),
}
FIGURES = ("plan", "allocated", "contracted", "advanced", "paid", "recovered", "disbursed", "settled", "awaiting")
# Contracts that count as contracted money: signed and in force, or carried out and liquidated.
CONTRACTED_STATES = (ContractState.SIGNED, ContractState.AMENDED, ContractState.LIQUIDATED)


class UnknownDimension(ValueError):
    """A ``group_by`` value that is not one of ``DIMENSIONS``."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        super().__init__(f"unknown group_by: {', '.join(self.names)}")


def rate(numerator: int, denominator: int | None) -> Decimal | None:
    """``numerator / denominator`` as a fraction, None when there is nothing to divide by."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass
class RollupRow:
    key: dict[str, Any]  # dimension -> id or value (None: not assigned)
    labels: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # dimension -> code for links (province, unit…)
    plan: int = 0
    allocated: int = 0
    contracted: int = 0
    advanced: int = 0
    paid: int = 0
    recovered: int = 0
    settled: int = 0
    awaiting: int = 0  # advances and payments requested, not yet approved

    @property
    def disbursed(self) -> int:
        return self.advanced + self.paid - self.recovered

    @property
    def allocated_rate(self) -> Decimal | None:
        return rate(self.allocated, self.plan)

    @property
    def disbursed_rate(self) -> Decimal | None:
        return rate(self.disbursed, self.allocated)

    @property
    def settled_rate(self) -> Decimal | None:
        return rate(self.settled, self.disbursed)

    @property
    def allocated_percent(self) -> str:
        return format_percent(self.allocated, self.plan)

    @property
    def disbursed_percent(self) -> str:
        return format_percent(self.disbursed, self.allocated)

    @property
    def settled_percent(self) -> str:
        return format_percent(self.settled, self.disbursed)

    def add(self, other: RollupRow) -> None:
        for name in ("plan", "allocated", "contracted", "advanced", "paid", "recovered", "settled", "awaiting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


@dataclass
class Rollup:
    group_by: list[str]
    rows: list[RollupRow]
    total: RollupRow
    years: list[int] | None


# --- the columns of each source ------------------------------------------------------------------

REGION_KIND = Region.Kind.CENTRE


def _level_source(level_path: str):
    """The funding source a project's money comes from when its plan line does not say."""
    return Case(
        When(**{level_path: Level.NATIONAL}, then=Value(FundingSource.CENTRAL)), default=Value(FundingSource.LOCAL)
    )


def _ledger_columns() -> dict[str, Any]:
    return {
        "year": "year",
        "province": "province_id",
        "legacy_province": "legacy_province_id",
        "region": "province_id",
        "unit": "unit_id",
        "content": "content_id",
        "funding_source": "funding_source",
        "level": "level",
        "plan": "plan_id",
    }


def _allocation_columns() -> dict[str, Any]:
    return {
        "year": "year",
        "province": "province_id",
        "legacy_province": None,
        "region": "province_id",
        "unit": "unit_id",
        "content": "plan_line__content_id",
        "funding_source": "funding_source",
        "level": "level",
        "plan": "plan_id",
    }


def _contract_columns() -> dict[str, Any]:
    return {
        "year": "project__year",
        "province": "project__province_id",
        "legacy_province": "project__legacy_province_id",
        "region": "project__province_id",
        "unit": "project__implementing_unit_id",
        "content": "project__content_id",
        "funding_source": Coalesce(F("project__plan_line__funding_source"), _level_source("project__level")),
        "level": "project__level",
        "plan": "project__plan_id",
    }


def _line_columns() -> dict[str, Any]:
    return {
        "year": "plan_version__plan__year",
        "province": Coalesce(F("province_id"), F("plan_version__plan__province_id")),
        "legacy_province": None,
        "region": Coalesce(F("province_id"), F("plan_version__plan__province_id")),
        "unit": "implementing_unit_id",
        "content": "content_id",
        "funding_source": "funding_source",
        "level": "plan_version__plan__level",
        "plan": "plan_version__plan_id",
    }


def _expression(column: Any):
    return F(column) if isinstance(column, str) else column


# --- reach ---------------------------------------------------------------------------------------


def _reach_q(scope: Scope, province_path: Any, unit_path: str) -> Q:
    """The rows whose province or unit lies in ``scope`` (the same "or" as ``kernel.scoping``)."""
    if scope.everywhere:
        return Q()
    condition = Q(pk__in=[])
    if scope.province_ids:
        if isinstance(province_path, str):
            condition |= Q(**{f"{province_path}__in": sorted(scope.province_ids)})
        else:
            for path in province_path:
                condition |= Q(**{f"{path}__in": sorted(scope.province_ids)})
    if scope.org_unit_ids:
        condition |= Q(**{f"{unit_path}__in": sorted(scope.org_unit_ids)})
    return condition


def may_view(user) -> bool:
    return can(user, Action.VIEW, LedgerEntry) or can(user, Action.VIEW, Allocation)


# --- filters -------------------------------------------------------------------------------------


def _filter(queryset, columns: dict[str, Any], filters: dict[str, Any], regions: dict[int, int]):
    """``queryset`` kept to ``filters`` (dimension -> value or list of values) over ``columns``."""
    for name, value in filters.items():
        if value in (None, "", []):
            continue
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if name == "region":
            # A region is the provinces it holds (current and before 1/7/2025) and, for a regional
            # centre's own allocation, the centre serving it.
            provinces = [p for p, r in regions.items() if r in set(values)]
            column = columns["region"]
            condition = _in(column, provinces)
            if queryset.model is Allocation:
                condition |= Q(province_id__isnull=True, unit__region_id__in=values)
            queryset = queryset.filter(condition)
            continue
        column = columns.get(name)
        if column is None:
            return queryset.none()
        queryset = queryset.filter(_in(column, values))
    return queryset


def _in(column: Any, values: list) -> Q:
    if isinstance(column, str):
        return Q(**{f"{column}__in": values})
    from django.db.models.lookups import In

    return Q(In(column, values))


# --- the grouped reads ---------------------------------------------------------------------------


def _group(queryset, columns: dict[str, Any], dims: list[str], aggregates: dict[str, Any]):
    names = {f"k_{d}": _expression(columns[d]) if columns[d] is not None else Value(None, IntegerField()) for d in dims}
    if queryset.model is Allocation and "region" in dims:
        names["k_centre_region"] = F("unit__region_id")
    return queryset.order_by().annotate(**names).values(*names).annotate(**aggregates)


def _sum(**filters):
    return Coalesce(Sum("amount", filter=Q(**filters)), 0) if filters else Coalesce(Sum("amount"), 0)


def _leaf_lines_in_force():
    """Money rows (no children) of each plan's latest approved version."""
    latest = (
        PlanVersion.objects.filter(plan_id=OuterRef("plan_version__plan_id"), status=PlanVersion.Status.APPROVED)
        .order_by("-sequence")
        .values("pk")[:1]
    )
    children = PlanLine.objects.filter(parent_id=OuterRef("pk"))
    return PlanLine.objects.filter(plan_version_id=Subquery(latest)).filter(~Exists(children))


def _years_filter(filters: dict[str, Any], year: int | None, years: Iterable[int] | None) -> dict[str, Any]:
    out = dict(filters)
    if year is not None:
        out["year"] = [int(year)]
    elif years is not None:
        out["year"] = [int(y) for y in years]
    return out


def region_map() -> dict[int, int]:
    """province id (current and before 1/7/2025) -> id of its regional-centre region (one query)."""
    through = Region.provinces.through
    pairs = through.objects.filter(region__kind=REGION_KIND).order_by("region__code")
    return dict(pairs.values_list("province_id", "region_id"))


def rollup(
    user,
    *,
    year: int | None = None,
    years: Iterable[int] | None = None,
    group_by: Sequence[str] = ("province",),
    **filters: Any,
) -> Rollup:
    """The money of the programme in the user's reach, grouped by ``group_by`` (see ``DIMENSIONS``)
    and kept to ``year`` / ``years`` and ``filters`` (a dimension -> a value or list of values, ids
    for provinces, units, contents and regions; ``plan`` -> an annual plan id)."""
    dims = list(dict.fromkeys(group_by))
    unknown = [d for d in dims if d not in DIMENSIONS]
    bad_filters = [f for f in filters if f not in DIMENSIONS and f != "plan"]
    if unknown or bad_filters:
        raise UnknownDimension(unknown + bad_filters)
    filters = _years_filter(filters, year, years)
    regions = region_map() if ("region" in dims or filters.get("region")) else {}
    scope = user_scope(user, Action.VIEW, LedgerEntry)
    rows: dict[tuple, RollupRow] = {}

    def row_for(record: dict) -> RollupRow:
        key = []
        for d in dims:
            value = record.get(f"k_{d}")
            if d == "region":
                value = regions.get(value) if value is not None else record.get("k_centre_region")
            key.append(value)
        found = rows.get(tuple(key))
        if found is None:
            found = rows[tuple(key)] = RollupRow(key=dict(zip(dims, key, strict=True)))
        return found

    # Plan budget: the money rows of the approved versions in force.
    line_columns = _line_columns()
    lines = _leaf_lines_in_force().filter(
        _reach_q(scope, ["province_id", "plan_version__plan__province_id"], "implementing_unit_id")
    )
    lines = _filter(lines, line_columns, filters, regions)
    for record in _group(lines, line_columns, dims, {"s_plan": _sum()}):
        row_for(record).plan += record["s_plan"]

    # Allocations (restricted as the allocation list is).
    allocation_columns = _allocation_columns()
    allocations = _filter(restrict(Allocation.objects.all(), user, Action.VIEW), allocation_columns, filters, regions)
    for record in _group(allocations, allocation_columns, dims, {"s_allocated": _sum()}):
        row_for(record).allocated += record["s_allocated"]

    # Contracted: main contracts signed and in force or liquidated, by their project's columns.
    contract_columns = _contract_columns()
    contracts = Contract.objects.filter(kind=ContractKind.MAIN, state__in=CONTRACTED_STATES).filter(
        _reach_q(scope, "project__province_id", "project__implementing_unit_id")
    )
    contracts = _filter(contracts, contract_columns, filters, regions)
    for record in _group(contracts, contract_columns, dims, {"s_contracted": Coalesce(Sum("value"), 0)}):
        row_for(record).contracted += record["s_contracted"]

    # The ledger: one pass, a conditional sum per figure.
    ledger_columns = _ledger_columns()
    entries = _filter(restrict(LedgerEntry.objects.all(), user, Action.VIEW), ledger_columns, filters, regions)
    paid = EntryStatus.PAID
    aggregates = {
        "s_advanced": _sum(kind=EntryKind.ADVANCE, status=paid),
        "s_paid": _sum(kind=EntryKind.PAYMENT, status=paid),
        "s_recovered": _sum(kind=EntryKind.RECOVERY, status=paid),
        "s_settled": _sum(kind=EntryKind.SETTLEMENT, status=paid),
        "s_awaiting": _sum(kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT], status=EntryStatus.REQUESTED),
    }
    for record in _group(entries, ledger_columns, dims, aggregates):
        row = row_for(record)
        row.advanced += record["s_advanced"]
        row.paid += record["s_paid"]
        row.recovered += record["s_recovered"]
        row.settled += record["s_settled"]
        row.awaiting += record["s_awaiting"]

    ordered = [row for row in rows.values() if any(row.figures().values())]
    _label(ordered, dims)
    ordered.sort(key=lambda row: tuple(_sort_key(row, d) for d in dims))
    total = RollupRow(key={})
    for row in ordered:
        total.add(row)
    return Rollup(group_by=dims, rows=ordered, total=total, years=filters.get("year"))


# --- labels --------------------------------------------------------------------------------------


def _sort_key(row: RollupRow, dim: str) -> tuple:
    value = row.key.get(dim)
    if value is None:
        return (1, "")
    if dim == "year":
        return (0, f"{value:06d}")
    return (0, row.codes.get(dim) or row.labels.get(dim, ""))


NAMED: dict[str, Any] = {"province": Province, "legacy_province": Province, "region": Region, "unit": OrgUnit}


def _label(rows: list[RollupRow], dims: list[str]) -> None:
    """Names and codes for the keys, one query per kind of key."""
    not_assigned = str(_("Not assigned"))
    wanted: dict[str, set] = {d: {r.key[d] for r in rows if r.key.get(d) is not None} for d in dims}
    names: dict[str, dict] = {}
    codes: dict[str, dict] = {}
    for dim in dims:
        ids = sorted(wanted[dim])
        if dim in NAMED:
            found = list(NAMED[dim].objects.filter(pk__in=ids).values_list("pk", "name", "code"))
            names[dim] = {pk: name for pk, name, _code in found}
            codes[dim] = {pk: code for pk, _name, code in found}
        elif dim == "content":
            contents = list(ActivityContent.objects.filter(pk__in=ids).values_list("pk", "name", "code"))
            names[dim] = {pk: f"{code} {name}" for pk, name, code in contents}
            codes[dim] = {pk: code for pk, _name, code in contents}
        elif dim == "funding_source":
            names[dim] = {value: str(label) for value, label in FundingSource.choices}
            codes[dim] = {value: value for value, _label in FundingSource.choices}
        elif dim == "level":
            names[dim] = {value: str(label) for value, label in Level.choices}
            codes[dim] = {value: value for value, _label in Level.choices}
        else:  # year
            names[dim] = {value: str(value) for value in ids}
            codes[dim] = {value: str(value) for value in ids}
    for row in rows:
        for dim in dims:
            value = row.key.get(dim)
            row.labels[dim] = not_assigned if value is None else names[dim].get(value, str(value))
            row.codes[dim] = "" if value is None else codes[dim].get(value, "")


def parse_group_by(raw: str | Sequence[str] | None, default: Sequence[str] = ("province",)) -> list[str]:
    """``"province,unit"`` or a list -> the dimensions; raises UnknownDimension for others."""
    if raw is None or raw == "" or raw == []:
        return list(default)
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in str(item).split(",")]
    names = [p.strip() for p in parts if p.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise UnknownDimension(unknown)
    return list(dict.fromkeys(names)) or list(default)


__all__ = ["DIMENSIONS", "Rollup", "RollupRow", "UnknownDimension", "may_view", "parse_group_by", "rate", "rollup"]
