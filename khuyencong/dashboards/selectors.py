"""The figures of a dashboard: read-only, within the viewer's reach and the dashboard's scope.

``dashboard(user, scope=…, year=…, provinces=…)`` gathers, in a fixed number of queries whatever
the number of projects: projects by state, overdue items (``projects.deadlines.overdue_q``), the
projects and money per province for the map (current provinces, or those before 1/7/2025 for
historical years), disbursement by month, and the programme's targets against what the records
show. Money KPIs come from one function, ``money_kpis``, over the finance rollups
(``khuyencong.finance.rollups.rollup``); nothing here adds money up itself except the monthly
series, which the rollups do not group by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.finance import rollups
from khuyencong.kernel.money import format_percent
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.planning.models import Programme, ProgrammeTarget
from khuyencong.projects.deadlines import overdue_q
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import REFORM_DATE, Province

from .scope import NATIONAL, PROVINCE, REGION, UNIT, DashboardScope

CURRENT, LEGACY = "current", "legacy"
GENERATIONS = (CURRENT, LEGACY)
MIN_YEAR, MAX_YEAR = 2000, 2100
# A project counts towards a target once accepted at the facility (the output exists), and as
# under way from approval to acceptance.
DONE_STATES = (ProjectState.ACCEPTED, ProjectState.SETTLEMENT_SUBMITTED, ProjectState.SETTLED, ProjectState.CLOSED)
UNDER_WAY_STATES = (ProjectState.APPROVED, ProjectState.CONTRACTED, ProjectState.IN_PROGRESS)
# Target units the records can count: projects (one demonstration model per project) and the
# establishments a project supported. Machines, lines, clusters, fairs and people trained are in
# the beneficiaries' free-text outputs only.
PROJECT_UNITS = {"mô hình"}
ESTABLISHMENT_UNITS = {"cơ sở"}


class DashboardInputError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def default_generation(year: int) -> str:
    """Years before the reform are shown by the provinces of the time."""
    return LEGACY if year < REFORM_DATE.year else CURRENT


def parse_year(raw: Any) -> int:
    if raw in (None, ""):
        return timezone.localdate().year
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise DashboardInputError("year", _("Enter the year as four digits, e.g. 2026."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DashboardInputError(
            "year", _("The year must be between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
    return year


def parse_generation(raw: Any, year: int) -> str:
    if raw in (None, ""):
        return default_generation(year)
    value = str(raw).strip()
    if value not in GENERATIONS:
        raise DashboardInputError(
            "provinces", _("Choose the provinces as “current” (34, from 1/7/2025) or “legacy” (63, before).")
        )
    return value


# --- money ---------------------------------------------------------------------------------------


@dataclass
class Money:
    plan: int = 0
    allocated: int = 0
    disbursed: int = 0
    settled: int = 0
    by_province: dict[str, dict[str, int]] = field(default_factory=dict)  # province code -> figures

    @property
    def allocated_percent(self) -> str:
        return format_percent(self.allocated, self.plan)

    @property
    def disbursed_percent(self) -> str:
        return format_percent(self.disbursed, self.allocated)

    @property
    def settled_percent(self) -> str:
        return format_percent(self.settled, self.disbursed)


def money_kpis(user, *, year: int, scope: DashboardScope, generation: str) -> Money | None:
    """Plan budget, allocated, disbursed and settled money in scope, in total and per province.

    The one place money enters a dashboard: the finance rollups (``finance.rollups.rollup``),
    grouped by the province of the chosen generation. None when the viewer may not see money.
    """
    if not rollups.may_view(user):
        return None
    dimension = "legacy_province" if generation == LEGACY else "province"
    filters: dict[str, Any] = {}
    if scope.kind in (REGION, PROVINCE):
        filters["province"] = sorted(scope.province_ids)
    elif scope.kind == UNIT:
        filters["unit"] = sorted(scope.unit_ids)
    result = rollups.rollup(user, year=year, group_by=[dimension], **filters)
    money = Money(
        plan=result.total.plan,
        allocated=result.total.allocated,
        disbursed=result.total.disbursed,
        settled=result.total.settled,
    )
    for row in result.rows:
        code = row.codes.get(dimension)
        if code:
            money.by_province[code] = {"allocated": row.allocated, "disbursed": row.disbursed}
    return money


def may_view_ledger(user) -> bool:
    from khuyencong.finance.models import LedgerEntry

    return can(user, Action.VIEW, LedgerEntry)


def disbursement_by_month(user, *, year: int, scope: DashboardScope) -> list[dict]:
    """Money paid out (advances and payments, less recoveries) to the projects of ``year``, per
    month of the entry's date: one grouped query. Empty when the viewer may not see the ledger."""
    from khuyencong.finance.models import EntryKind, EntryStatus, LedgerEntry

    if not may_view_ledger(user):
        return []
    entries = restrict(LedgerEntry.objects.all(), user, Action.VIEW).filter(
        year=year, status=EntryStatus.PAID, kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT, EntryKind.RECOVERY]
    )
    if scope.kind in (REGION, PROVINCE):
        entries = entries.filter(province__in=sorted(scope.province_ids))
    elif scope.kind == UNIT:
        entries = entries.filter(unit__in=sorted(scope.unit_ids))
    signed = Case(When(kind=EntryKind.RECOVERY, then=-F("amount")), default=F("amount"), output_field=IntegerField())
    rows = (
        entries.annotate(y=ExtractYear("entry_date"), m=ExtractMonth("entry_date"))
        .values("y", "m")
        .annotate(total=Sum(signed))
        .order_by("y", "m")
    )
    return [
        {"year": r["y"], "month": r["m"], "label": f"{r['m']:02d}/{r['y']}", "amount": r["total"] or 0} for r in rows
    ]


# --- projects ------------------------------------------------------------------------------------


def scoped_projects(user, *, scope: DashboardScope, year: int | None = None):
    projects = restrict(Project.objects.all(), user, Action.VIEW).filter(scope.project_q())
    return projects if year is None else projects.filter(year=year)


def projects_by_state(projects) -> list[dict]:
    counts = dict(projects.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return [
        {"state": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in ProjectState.choices
        if counts.get(value)
    ]


def province_rows(projects, *, generation: str, scope: DashboardScope, money: Money | None) -> tuple[list[dict], int]:
    """One row per province of the generation (34 or 63) for the map, and the number of projects
    that cannot be placed on it (a project after the reform in a merged province has no province
    before 1/7/2025)."""
    column = "legacy_province" if generation == LEGACY else "province"
    counts = dict(projects.order_by().values_list(column).annotate(n=Count("id")).values_list(column, "n"))
    unplaced = counts.pop(None, 0)
    provinces = Province.objects.legacy() if generation == LEGACY else Province.objects.current()
    rows = []
    for pk, code, name, successor_id in provinces.order_by("code").values_list("pk", "code", "short_name", "successor"):
        current_id = successor_id if generation == LEGACY else pk
        in_scope = scope.kind in (NATIONAL, UNIT) or current_id in scope.province_ids
        figures = (money.by_province.get(code) if money else None) or {}
        allocated, disbursed = figures.get("allocated", 0), figures.get("disbursed", 0)
        rows.append(
            {
                "code": code,
                "name": name,
                "in_scope": in_scope,
                "projects": counts.get(pk, 0),
                "allocated": allocated,
                "disbursed": disbursed,
                "disbursed_rate": float(Decimal(disbursed) * 100 / allocated) if allocated else None,
                "disbursed_percent": format_percent(disbursed, allocated),
            }
        )
    return rows, unplaced


# --- programme targets ---------------------------------------------------------------------------


def programme_for(year: int) -> Programme | None:
    """The national programme whose period holds ``year`` (else the latest one before it)."""
    national = Programme.objects.filter(level=Level.NATIONAL)
    return (
        national.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year").first()
        or national.filter(end_year__lt=year).order_by("-end_year").first()
    )


def target_progress(user, *, scope: DashboardScope, programme: Programme | None) -> list[dict]:
    """Each target of ``programme`` against the records of its period within scope (three queries)."""
    if programme is None:
        return []
    targets = list(ProgrammeTarget.objects.filter(programme=programme).select_related("content"))
    contents = sorted({t.content_id for t in targets if t.content_id})
    projects = scoped_projects(user, scope=scope).filter(
        year__gte=programme.start_year, year__lte=programme.end_year, content__in=contents
    )
    done: dict[int, int] = {}
    under_way: dict[int, int] = {}
    for content_id, done_n, under_way_n in (
        projects.order_by()
        .values_list("content")
        .annotate(
            d=Count("id", filter=Q(state__in=DONE_STATES)),
            u=Count("id", filter=Q(state__in=UNDER_WAY_STATES)),
        )
        .values_list("content", "d", "u")
    ):
        done[content_id], under_way[content_id] = done_n, under_way_n
    establishments = dict(
        BeneficiaryLine.objects.filter(project__in=projects.filter(state__in=DONE_STATES).values("pk"))
        .order_by()
        .values_list("project__content")
        .annotate(n=Count("establishment", distinct=True))
        .values_list("project__content", "n")
    )
    rows = []
    for target in targets:
        unit = target.unit.strip().casefold()
        row: dict[str, Any] = {
            "name": target.name,
            "unit": target.unit,
            "target": target.target_value,
            "content": target.content.name if target.content else "",
            "content_code": target.content.code if target.content else "",
            "achieved": None,
            "under_way": None,
            "basis": "",
            "percent": "",
        }
        if target.content_id and unit in PROJECT_UNITS:
            row.update(
                achieved=done.get(target.content_id, 0),
                under_way=under_way.get(target.content_id, 0),
                basis=_("projects of this content accepted at the facility (one model each)"),
            )
        elif target.content_id and unit in ESTABLISHMENT_UNITS:
            row.update(
                achieved=establishments.get(target.content_id, 0),
                basis=_("establishments supported by accepted projects of this content"),
            )
        elif not target.content_id:
            row["basis"] = _("Not computable yet: the target names no activity content.")
        else:
            row["basis"] = _(
                "Not computable yet: the records do not hold this quantity (a project's outputs are free text)."
            )
        if row["achieved"] is not None and target.target_value:
            row["percent"] = format_percent(row["achieved"], target.target_value, digits=1)
        rows.append(row)
    return rows


# --- the whole dashboard -------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: DashboardScope
    year: int
    generation: str
    states: list[dict]
    total_projects: int
    overdue: int
    money: Money | None
    monthly: list[dict]
    provinces: list[dict]
    unplaced: int
    programme: Programme | None
    targets: list[dict]
    may_view_money: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.total_projects and not (self.money and (self.money.plan or self.money.allocated))

    @property
    def is_legacy(self) -> bool:
        return self.generation == LEGACY


def dashboard(user, *, scope: DashboardScope, year: int, generation: str, today: dt.date | None = None) -> Dashboard:
    projects = scoped_projects(user, scope=scope, year=year)
    states = projects_by_state(projects)
    money = money_kpis(user, year=year, scope=scope, generation=generation)
    provinces, unplaced = province_rows(projects, generation=generation, scope=scope, money=money)
    programme = programme_for(year)
    return Dashboard(
        scope=scope,
        year=year,
        generation=generation,
        states=states,
        total_projects=sum(s["count"] for s in states),
        overdue=projects.filter(overdue_q(today=today or timezone.localdate())).count(),
        money=money,
        monthly=disbursement_by_month(user, year=year, scope=scope),
        provinces=provinces,
        unplaced=unplaced,
        programme=programme,
        targets=target_progress(user, scope=scope, programme=programme),
        may_view_money=money is not None,
    )
