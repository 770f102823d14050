"""Unit scorecards (DOMAIN.md §9: units are evaluated on timeliness, disbursement and outputs as a
basis for commendation): per implementing unit or per province, for a year or a period of years.

Four components, each a numerator over a denominator read from the records through the other
apps' own reads, and capped at 100%:

* **reports on time** — reports sent by their due date ÷ reports due or sent, over every active
  form (``reporting.services.completeness``, the completeness matrix's own cells);
* **disbursement** — disbursed ÷ allocated (``finance.rollups.rollup``, giải ngân ÷ giao dự toán);
* **projects on schedule** — active projects (approved, not stopped or cancelled) with no due step
  overdue today (``projects.deadlines.overdue_q``) ÷ active projects;
* **accepted outputs** — beneficiary lines whose latest acceptance record passed
  (``finance.AcceptanceRecord``) ÷ lines due for acceptance (the project accepted or further
  along, or in progress past its end date).

A component whose denominator is 0 is not measurable: it shows "—", earns no points and leaves
the total. The total is the points earned (weight × rate) over the weights of the measurable
components, on 100; units are ranked by it (equal scores share a rank). A unit is proposed for
commendation (đề nghị khen thưởng) when its total reaches ``COMMENDATION_THRESHOLD``. Only a unit
measured on at least ``MIN_COMPONENTS`` components is ranked or proposed: one figure alone (a
Department that only sends reports, a centre with one project) is no basis for commendation.
The weights and the threshold are the constants below, the one place they live; the page
prints them with each unit's formula.

Every component is one or a few grouped queries for all units at once (the reports: a few per
active form and year), never a query per unit. Rows are kept to the viewer's reach for the
named action ``view_scorecard`` on projects (``organisation/permissions.py``): the Agency sees
every unit, a province its own, an implementer its own unit only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.finance import rollups
from khuyencong.finance.models_settlement import AcceptanceRecord
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Scope, restrict, user_scope
from khuyencong.kernel.text import sort_key
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.deadlines import overdue_q
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.reporting import services as reporting
from khuyencong.reporting.models import ReportForm
from khuyencong.territory.models import Province, Region

# --- the scoring rule (the one place it lives; docs/architecture.md "Unit scorecards") ---------

VIEW_SCORECARD, EXPORT_SCORECARD = "view_scorecard", "export_scorecard"
REPORTS, DISBURSEMENT, SCHEDULE, OUTPUTS = "reports", "disbursement", "schedule", "outputs"
COMPONENTS = (REPORTS, DISBURSEMENT, SCHEDULE, OUTPUTS)
WEIGHTS: dict[str, int] = {REPORTS: 20, DISBURSEMENT: 30, SCHEDULE: 25, OUTPUTS: 25}  # sum: 100
COMMENDATION_THRESHOLD = Decimal(90)  # points out of 100
MIN_COMPONENTS = 2  # measured components needed to be ranked and proposed
MAX_YEARS = 10  # the longest period a scorecard covers

LABELS = {
    REPORTS: _("Reports on time"),
    DISBURSEMENT: _("Disbursement"),
    SCHEDULE: _("Projects on schedule"),
    OUTPUTS: _("Accepted outputs"),
}
NUMERATOR_LABELS = {
    REPORTS: _("reports sent on time"),
    DISBURSEMENT: _("money disbursed"),
    SCHEDULE: _("projects with nothing overdue"),
    OUTPUTS: _("beneficiary lines passed acceptance"),
}
DENOMINATOR_LABELS = {
    REPORTS: _("reports due"),
    DISBURSEMENT: _("money allocated to the unit"),
    SCHEDULE: _("active projects"),
    OUTPUTS: _("beneficiary lines due for acceptance"),
}

UNIT, PROVINCE = "unit", "province"
KINDS = (UNIT, PROVINCE)
# Projects being carried out or done: approved and not stopped or cancelled.
ACTIVE_STATES = (
    ProjectState.APPROVED,
    ProjectState.CONTRACTED,
    ProjectState.IN_PROGRESS,
    ProjectState.ACCEPTED,
    ProjectState.SETTLEMENT_SUBMITTED,
    ProjectState.SETTLED,
    ProjectState.CLOSED,
)
# Projects whose beneficiary lines should have been accepted at the facility.
ACCEPTED_OR_LATER = (
    ProjectState.ACCEPTED,
    ProjectState.SETTLEMENT_SUBMITTED,
    ProjectState.SETTLED,
    ProjectState.CLOSED,
)
HUNDRED = Decimal(100)
POINT = Decimal("0.1")


class ScorecardRefused(Exception):
    """No scorecard for this viewer or input; ``status``: 403 (no permission), 404, 422 (bad input)."""

    def __init__(self, message: str, status: int = 422, field_name: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field_name


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Component:
    key: str
    numerator: int = 0
    denominator: int = 0
    extra: int = 0  # for the schedule: overdue projects (the list a reader opens)

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def numerator_label(self) -> str:
        return str(NUMERATOR_LABELS[self.key])

    @property
    def denominator_label(self) -> str:
        return str(DENOMINATOR_LABELS[self.key])

    @property
    def weight(self) -> int:
        return WEIGHTS[self.key]

    @property
    def measured(self) -> bool:
        return self.denominator > 0

    @property
    def capped(self) -> bool:
        """The numerator passes the denominator (e.g. disbursed above a late allocation): 100%."""
        return self.measured and self.numerator > self.denominator

    @property
    def rate(self) -> Decimal | None:
        """numerator ÷ denominator as a fraction in [0, 1]; None when there is nothing to divide by."""
        if not self.measured:
            return None
        return min(Decimal(1), Decimal(max(self.numerator, 0)) / Decimal(self.denominator))

    @property
    def percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * HUNDRED).quantize(POINT, rounding=ROUND_HALF_UP)

    @property
    def points(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * self.weight).quantize(POINT, rounding=ROUND_HALF_UP)

    @property
    def percent_text(self) -> str:
        """85,0% — or "—" when not measurable (never 0%)."""
        value = self.percent
        return "—" if value is None else f"{value:f}".replace(".", ",") + "%"

    @property
    def points_text(self) -> str:
        value = self.points
        return "—" if value is None else decimal_text(value)

    @property
    def numerator_text(self) -> str:
        return format_vnd(self.numerator) if self.key == DISBURSEMENT else f"{self.numerator:,}".replace(",", ".")

    @property
    def denominator_text(self) -> str:
        return format_vnd(self.denominator) if self.key == DISBURSEMENT else f"{self.denominator:,}".replace(",", ".")

    def add(self, other: Component) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.extra += other.extra


def decimal_text(value: Decimal | None) -> str:
    """53,2 (Vietnamese decimal comma); "—" for None."""
    return "—" if value is None else f"{value:f}".replace(".", ",")


def _components() -> dict[str, Component]:
    return {key: Component(key) for key in COMPONENTS}


@dataclass
class Scorecard:
    kind: str
    pk: int
    code: str
    name: str
    province_pk: int | None = None  # the province in force (a unit of an abolished one: its successor)
    province_code: str = ""
    province_name: str = ""
    unit_kind: str = ""
    unit_kind_label: str = ""
    region_id: int | None = None
    components: dict[str, Component] = field(default_factory=_components)
    rank: int | None = None

    @property
    def parts(self) -> list[Component]:
        return [self.components[key] for key in COMPONENTS]

    @property
    def measured(self) -> list[Component]:
        return [c for c in self.parts if c.measured]

    @property
    def measured_weight(self) -> int:
        return sum(c.weight for c in self.measured)

    @property
    def points(self) -> Decimal:
        return sum((c.points or Decimal(0) for c in self.measured), Decimal(0))

    @property
    def score(self) -> Decimal | None:
        """Points earned over the weights measured, on 100 (None when nothing is measured)."""
        weight = self.measured_weight
        if not weight:
            return None
        return (self.points * HUNDRED / Decimal(weight)).quantize(POINT, rounding=ROUND_HALF_UP)

    @property
    def score_text(self) -> str:
        return decimal_text(self.score)

    @property
    def points_text(self) -> str:
        return decimal_text(self.points.quantize(POINT))

    @property
    def rankable(self) -> bool:
        return len(self.measured) >= MIN_COMPONENTS

    @property
    def commended(self) -> bool:
        score = self.score
        return self.rankable and score is not None and score >= COMMENDATION_THRESHOLD


@dataclass
class Board:
    kind: str
    years: list[int]
    rows: list[Scorecard]
    total: Scorecard
    today: dt.date

    @property
    def year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    @property
    def period_label(self) -> str:
        return str(self.year) if len(self.years) == 1 else f"{self.year}–{self.last_year}"

    @property
    def commended(self) -> list[Scorecard]:
        return [row for row in self.rows if row.commended]


# --- inputs --------------------------------------------------------------------------------------


def parse_years(year: Any, to: Any = None, *, today: dt.date | None = None) -> list[int]:
    """The years of a scorecard: ``year`` (default: last year, the latest complete one) through
    ``to`` (default: ``year``)."""
    today = today or timezone.localdate()

    def one(raw: Any, name: str, default: int) -> int:
        if raw in (None, ""):
            return default
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ScorecardRefused(str(_("Enter the year as four digits, e.g. 2025.")), field_name=name)
        if not 2000 <= value <= 2100:
            raise ScorecardRefused(str(_("The year must be between 2000 and 2100.")), field_name=name)
        return value

    first = one(year, "year", today.year - 1)
    last = one(to, "to", first)
    if last < first:
        raise ScorecardRefused(str(_("The period must end in or after its first year.")), field_name="to")
    if last - first + 1 > MAX_YEARS:
        raise ScorecardRefused(str(_("A period covers at most %(n)s years.") % {"n": MAX_YEARS}), field_name="to")
    return list(range(first, last + 1))


def parse_kind(raw: Any) -> str:
    value = str(raw).strip() if raw not in (None, "") else UNIT
    if value not in KINDS:
        raise ScorecardRefused(str(_("Choose “unit” or “province”.")), field_name="kind")
    return value


def reach(user) -> Scope:
    return user_scope(user, VIEW_SCORECARD, Project)


# --- the components, each for all groups at once --------------------------------------------------


def _project_column(kind: str, prefix: str = "") -> str:
    return f"{prefix}implementing_unit_id" if kind == UNIT else f"{prefix}province_id"


def _schedule(user, kind: str, years: list[int], today: dt.date) -> dict[int, Component]:
    """Active projects and those with a due step overdue today: one GROUP BY."""
    column = _project_column(kind)
    projects = restrict(Project.objects.all(), user, VIEW_SCORECARD).filter(year__in=years, state__in=ACTIVE_STATES)
    late = overdue_q(today=today, years=years)
    rows = (
        projects.order_by()
        .values(column)
        .annotate(active=Count("id"), overdue=Count("id", filter=late))
        .values_list(column, "active", "overdue")
    )
    out: dict[int, Component] = {}
    for key, active, overdue in rows:
        if key is not None:
            out[key] = Component(SCHEDULE, numerator=active - overdue, denominator=active, extra=overdue)
    return out


def _outputs(user, kind: str, years: list[int], today: dt.date) -> dict[int, Component]:
    """Beneficiary lines due for acceptance and those whose latest record passed: one GROUP BY."""
    column = _project_column(kind, "project__")
    projects = restrict(Project.objects.all(), user, VIEW_SCORECARD).filter(year__in=years)
    latest = AcceptanceRecord.objects.filter(beneficiary_id=OuterRef("pk")).order_by("-accepted_on", "-pk")
    due = Q(project__state__in=ACCEPTED_OR_LATER) | Q(
        project__state=ProjectState.IN_PROGRESS, project__end_date__lt=today
    )
    lines = (
        BeneficiaryLine.objects.filter(project__in=projects.values("pk"))
        .filter(due)
        .annotate(passed=Subquery(latest.values("passed")[:1]), recorded=Exists(latest))
    )
    rows = (
        lines.order_by()
        .values(column)
        .annotate(due=Count("id"), passed_lines=Count("id", filter=Q(recorded=True, passed=True)))
        .values_list(column, "due", "passed_lines")
    )
    return {key: Component(OUTPUTS, numerator=passed, denominator=due) for key, due, passed in rows if key is not None}


def _disbursement(user, kind: str, years: list[int]) -> dict[int, Component]:
    """Disbursed ÷ allocated from the finance rollups (a grouped query per source)."""
    if not rollups.may_view(user):
        return {}
    result = rollups.rollup(user, years=years, group_by=[kind])
    return {
        row.key[kind]: Component(DISBURSEMENT, numerator=row.disbursed, denominator=row.allocated)
        for row in result.rows
        if row.key.get(kind) is not None and (row.allocated or row.disbursed)
    }


def _reports(kind: str, years: list[int], scope: Scope, today: dt.date) -> dict[int, Component]:
    """Reports on time ÷ reports due or sent, over every active form's completeness matrix."""
    out: dict[int, Component] = defaultdict(lambda: Component(REPORTS))
    for form in ReportForm.objects.filter(is_active=True).order_by("code"):
        for year in years:
            matrix = reporting.completeness(form, year, scope=None if scope.everywhere else scope, today=today)
            for row in matrix.rows:
                key = row.unit.pk if kind == UNIT else (row.province.pk if row.province is not None else None)
                if key is None:
                    continue
                rated = sum(1 for cell in row.cells if cell is not None and cell.status in reporting.RATED)
                on_time = sum(1 for cell in row.cells if cell is not None and cell.status == reporting.ON_TIME)
                if rated:
                    out[key].add(Component(REPORTS, numerator=on_time, denominator=rated))
    return dict(out)


# --- the board -----------------------------------------------------------------------------------


def _unit_rows(ids: set[int], regions: dict[int, int]) -> dict[int, Scorecard]:
    units = OrgUnit.objects.filter(pk__in=sorted(ids)).select_related("province", "province__successor")
    kinds = dict(OrgUnit.Kind.choices)
    out = {}
    for unit in units:
        province = unit.province
        if province is not None and province.successor_id is not None and province.valid_to is not None:
            province = province.successor
        region = regions.get(province.pk) if province is not None else unit.region_id
        out[unit.pk] = Scorecard(
            kind=UNIT,
            pk=unit.pk,
            code=unit.code,
            name=unit.name,
            province_pk=province.pk if province else None,
            province_code=province.code if province else "",
            province_name=province.short_name if province else "",
            unit_kind=unit.kind,
            unit_kind_label=str(kinds.get(unit.kind, unit.kind)),
            region_id=region,
        )
    return out


def _province_rows(ids: set[int], regions: dict[int, int]) -> dict[int, Scorecard]:
    out = {}
    # Only provinces in force are rows (an allocation or entry kept by a province before 1/7/2025
    # has no row of its own).
    for province in Province.objects.current().filter(pk__in=sorted(ids)):
        out[province.pk] = Scorecard(
            kind=PROVINCE,
            pk=province.pk,
            code=province.code,
            name=province.short_name,
            province_pk=province.pk,
            province_code=province.code,
            province_name=province.short_name,
            region_id=regions.get(province.pk),
        )
    return out


def rank(rows: list[Scorecard]) -> None:
    """Competition ranking by score (1, 2, 2, 4) among the rows measured on enough components
    (``MIN_COMPONENTS``); the others keep their score but have no rank."""
    scored = sorted((r for r in rows if r.rankable), key=lambda r: r.score or 0, reverse=True)
    previous: Decimal | None = None
    position = 0
    for index, row in enumerate(scored, start=1):
        if row.score != previous:
            position, previous = index, row.score
        row.rank = position
    for row in rows:
        if not row.rankable:
            row.rank = None


def board(
    user,
    *,
    years: list[int],
    kind: str = UNIT,
    unit_kind: str = "",
    province: Province | None = None,
    region: Region | None = None,
    today: dt.date | None = None,
) -> Board:
    """Every unit's (or province's) scorecard in the viewer's reach for ``years``, ranked."""
    today = today or timezone.localdate()
    scope = reach(user)
    if scope.is_empty:
        raise ScorecardRefused(str(_("Your role does not show unit scorecards.")), status=403)
    found: dict[str, dict[int, Component]] = {
        SCHEDULE: _schedule(user, kind, years, today),
        OUTPUTS: _outputs(user, kind, years, today),
        DISBURSEMENT: _disbursement(user, kind, years),
        REPORTS: _reports(kind, years, scope, today),
    }
    ids = set().union(*(figures.keys() for figures in found.values()))
    regions = rollups.region_map()
    rows_by_id = _unit_rows(ids, regions) if kind == UNIT else _province_rows(ids, regions)
    for key, figures in found.items():
        for pk, component in figures.items():
            if pk in rows_by_id:
                rows_by_id[pk].components[key] = component
    rows = [row for row in rows_by_id.values() if _kept(row, scope, kind, unit_kind, province, region)]
    rank(rows)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -(r.score or 0), r.name))
    total = Scorecard(kind=kind, pk=0, code="", name=str(_("All units shown")))
    for row in rows:
        for component in row.parts:
            total.components[component.key].add(component)
    return Board(kind=kind, years=years, rows=rows, total=total, today=today)


def _kept(row: Scorecard, scope: Scope, kind: str, unit_kind: str, province, region) -> bool:
    if kind == UNIT:
        in_reach = scope.covers(province_id=row.province_pk, org_unit_id=row.pk)
        if not in_reach or (unit_kind and row.unit_kind != unit_kind):
            return False
    elif not scope.everywhere and row.pk not in scope.province_ids:
        return False
    if province is not None and row.province_code != province.code:
        return False
    return region is None or row.region_id == region.pk


def sort_rows(rows: list[Scorecard], sort: str) -> list[Scorecard]:
    """The rows in a column's order (``name``, ``score``, a component key, ``rank``; ``-`` reverses)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")

    def value(row: Scorecard):
        if key == "name":
            return (0, sort_key(row.name))
        if key in COMPONENTS:
            rate = row.components[key].rate
            return (0 if rate is not None else 1, rate if rate is not None else 0)
        if key == "province":
            return (0, sort_key(row.province_name))
        if key == "score":
            return (0 if row.score is not None else 1, row.score if row.score is not None else 0)
        return (0 if row.rank is not None else 1, row.rank or 0)

    ordered = sorted(rows, key=value, reverse=descending)
    if descending:  # rows without a value stay at the end
        ordered = [r for r in ordered if value(r)[0] == 0] + [r for r in ordered if value(r)[0] == 1]
    return ordered


SORTS = ("rank", "name", "province", "score", *COMPONENTS)


# --- a query's filters (the page, its export and the API read the same ones) -------------------

PARAMETERS = ("year", "to", "kind", "unit_kind", "province", "region", "sort")
UNIT_KINDS = (
    OrgUnit.Kind.AGENCY,
    OrgUnit.Kind.REGIONAL_CENTRE,
    OrgUnit.Kind.DOIT,
    OrgUnit.Kind.PROVINCIAL_CENTRE,
    OrgUnit.Kind.IMPLEMENTING_UNIT,
)


@dataclass
class Query:
    years: list[int]
    kind: str = UNIT
    unit_kind: str = ""
    province: Province | None = None
    region: Region | None = None
    sort: str = "rank"

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of these filters (what links and the export carry)."""
        values = {
            "year": str(self.years[0]),
            "to": str(self.years[-1]) if len(self.years) > 1 else "",
            "kind": self.kind,
            "unit_kind": self.unit_kind,
            "province": self.province.code if self.province else "",
            "region": self.region.code if self.region else "",
            "sort": "" if self.sort == "rank" else self.sort,
        }
        values.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in values.items() if v}


def parse_query(user, params, *, today: dt.date | None = None) -> Query:
    """The filters of ``params`` (a mapping of query parameters); ScorecardRefused for a bad value
    (422, with the field) or a province or region outside the viewer's reach (404)."""
    scope = reach(user)
    if scope.is_empty:
        raise ScorecardRefused(str(_("Your role does not show unit scorecards.")), status=403)
    years = parse_years(params.get("year"), params.get("to"), today=today)
    kind = parse_kind(params.get("kind"))
    unit_kind = str(params.get("unit_kind") or "").strip()
    if unit_kind and unit_kind not in UNIT_KINDS:
        raise ScorecardRefused(str(_("Unknown kind of unit.")), field_name="unit_kind")
    province = None
    code = str(params.get("province") or "").strip()
    if code:
        province = Province.objects.current().filter(code=code.zfill(2)).first()
        if province is None or not (scope.everywhere or province.pk in scope.province_ids):
            raise ScorecardRefused(
                str(_("No province “%(code)s” within your reach.") % {"code": code[:10]}), status=404
            )
    region = None
    code = str(params.get("region") or "").strip()
    if code:
        region = Region.objects.filter(kind=Region.Kind.CENTRE, code=code).first()
        if region is None:
            raise ScorecardRefused(str(_("No region “%(code)s”.") % {"code": code[:10]}), status=404)
    sort = str(params.get("sort") or "rank").strip()
    if sort.lstrip("-") not in SORTS:
        raise ScorecardRefused(str(_("Unknown sort order.")), field_name="sort")
    return Query(years=years, kind=kind, unit_kind=unit_kind, province=province, region=region, sort=sort)


def board_for(user, query: Query, *, today: dt.date | None = None) -> Board:
    """The board of ``query``, its rows in the query's sort order."""
    result = board(
        user,
        years=query.years,
        kind=query.kind,
        unit_kind=query.unit_kind if query.kind == UNIT else "",
        province=query.province,
        region=query.region,
        today=today,
    )
    result.rows = sort_rows(result.rows, query.sort)
    return result
