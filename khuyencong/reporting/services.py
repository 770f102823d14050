"""Computations on reports other code calls: which reports are expected from whom, the system
figures that pre-fill them, and the completeness matrix (unit × period)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from khuyencong.kernel.money import format_percent
from khuyencong.kernel.periods import Period
from khuyencong.kernel.scoping import Scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting import sources
from khuyencong.reporting.lifespan import Lifespan, current_province, lifespans
from khuyencong.reporting.models import FormAssignment, Report, ReportForm, ReportState
from khuyencong.reporting.periods import periods_of


@dataclass(frozen=True)
class Expected:
    """A report ``unit`` owes on ``form`` for ``period``, due on ``due_on``."""

    form: ReportForm
    unit: OrgUnit
    period: Period
    due_on: dt.date
    province: Any = None

    @property
    def key(self) -> tuple[int, int, dt.date]:
        return (self.form.pk, self.unit.pk, self.period.start)


def _units() -> Any:
    return OrgUnit.objects.select_related("province", "province__successor")


def _kind_q(kinds) -> Q:
    """Every unit of ``kinds``: active ones, and closed ones that have a known closing date (they
    still owe the periods before it)."""
    return Q(kind__in=sorted(kinds)) & (Q(is_active=True) | Q(province__valid_to__isnull=False))


def assigned_units(assignment: FormAssignment) -> list[OrgUnit]:
    """The units an assignment names, or every unit of its kind (see ``_kind_q``)."""
    named = list(_units().filter(pk__in=assignment.units.values("pk")))
    if named or not assignment.unit_kind:
        return named
    return list(_units().filter(_kind_q({assignment.unit_kind})).order_by("path"))


@dataclass
class Roster:
    """Who sends which forms in some years: the assignments covering one of them with their units,
    and each unit's lifespan; read once for any number of forms (four queries)."""

    years: frozenset[int]
    assignments: dict[int, list[tuple[FormAssignment, list[OrgUnit]]]]  # form id -> (assignment, units)
    spans: dict[int, Lifespan]


def roster(forms, year: int | None = None, *, years=(), unit_ids=None) -> Roster:
    """The roster of ``forms`` for ``year`` (or each of ``years``), of every unit or of ``unit_ids``."""
    wanted_years = frozenset([year] if year is not None else years)
    form_ids = [f.pk for f in forms]
    ordered = FormAssignment.objects.filter(form_id__in=form_ids).order_by("from_year", "pk")
    rows = [a for a in ordered if any(a.covers(y) for y in wanted_years)]
    through = FormAssignment.units.through
    named: dict[int, list[int]] = defaultdict(list)
    if rows:
        pairs = through.objects.filter(formassignment_id__in=[a.pk for a in rows]).values_list(
            "formassignment_id", "orgunit_id"
        )
        for assignment_id, unit_id in pairs:
            named[assignment_id].append(unit_id)
    kinds = {a.unit_kind for a in rows if not named.get(a.pk) and a.unit_kind}
    wanted = Q(pk__in=sorted({u for ids in named.values() for u in ids}))
    if kinds:
        wanted |= _kind_q(kinds)
    if unit_ids is not None:
        wanted &= Q(pk__in=sorted(unit_ids))
    units = list(_units().filter(wanted).order_by("path")) if rows else []
    by_kind: dict[str, list[OrgUnit]] = defaultdict(list)
    by_id = {u.pk: u for u in units}
    for unit in units:
        if unit.kind in kinds and (unit.is_active or (unit.province_id and unit.province.valid_to is not None)):
            by_kind[unit.kind].append(unit)
    assignments: dict[int, list[tuple[FormAssignment, list[OrgUnit]]]] = defaultdict(list)
    for assignment in rows:
        if named.get(assignment.pk):
            chosen = sorted((by_id[u] for u in set(named[assignment.pk]) if u in by_id), key=lambda u: u.path)
        else:
            chosen = list(by_kind.get(assignment.unit_kind, [])) if assignment.unit_kind else []
        assignments[assignment.form_id].append((assignment, chosen))
    return Roster(years=wanted_years, assignments=assignments, spans=lifespans(units) if units else {})


def expected_reports(form: ReportForm, year: int, *, within: Roster | None = None) -> list[Expected]:
    """Every report ``form`` expects for ``year``: per assignment covering the year, each of its
    units, each period of the year the unit exists at the end of (``lifespan``). A unit in two
    assignments owes one report per period (the first assignment's due rule). ``within``: the
    roster already read for several forms (``roster``)."""
    within = within if within is not None and year in within.years else roster([form], year)
    found: dict[tuple, Expected] = {}
    for assignment, units in within.assignments.get(form.pk, []):
        if not assignment.covers(year):
            continue
        for unit in units:
            span = within.spans.get(unit.pk, Lifespan())
            if not unit.is_active and span.closed_on is None:
                continue
            for period in periods_of(form.period_type, year):
                if not span.exists_on(period.end):
                    continue
                item = Expected(
                    form=form,
                    unit=unit,
                    period=period,
                    due_on=period.end + dt.timedelta(days=assignment.due_days),
                    province=current_province(unit),
                )
                found.setdefault(item.key, item)
    return list(found.values())


def system_figures(report: Report, indicators) -> dict[int, Decimal | None]:
    """indicator id -> the system figure of its source for the report's unit and period."""
    period = Period(report.period_start, report.period_end, report.period_label)
    return {
        indicator.pk: sources.compute(indicator.source, report.org_unit, period) if indicator.source else None
        for indicator in indicators
    }


# --- completeness ------------------------------------------------------------------------------

ON_TIME, LATE, MISSING, RETURNED, PENDING, IN_REVIEW = "on_time", "late", "missing", "returned", "pending", "in_review"
RATED = (ON_TIME, LATE, RETURNED, MISSING)


def cell_status(report: Report | None, due_on: dt.date, today: dt.date) -> str:
    """One cell of the matrix: on time / late (sent, by the date it was last sent), returned,
    missing (due and not sent) or pending (not due yet and not sent)."""
    if report is not None and report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
        assert report.submitted_on is not None
        return LATE if report.submitted_on > due_on else ON_TIME
    if report is not None and report.state == ReportState.RETURNED:
        return RETURNED
    return MISSING if today > due_on else PENDING


@dataclass
class Cell:
    status: str
    due_on: dt.date
    report: Report | None = None


@dataclass
class Row:
    unit: OrgUnit
    province: Any
    cells: list[Cell | None] = field(default_factory=list)  # one per period; None: not expected


@dataclass
class Matrix:
    form: ReportForm
    year: int
    periods: list[Period]
    rows: list[Row]
    counts: dict[str, int]

    @property
    def rated(self) -> int:
        """Cells that count in the rates: expected and either due or already sent."""
        return sum(self.counts[s] for s in RATED)

    def rate(self, status: str) -> Decimal | None:
        """Share of the rated cells in ``status``, in percent (never above 100)."""
        if not self.rated:
            return None
        return (Decimal(self.counts[status]) * 100 / Decimal(self.rated)).quantize(Decimal("0.1"))

    @property
    def rates(self) -> dict[str, Decimal | None]:
        return {status: self.rate(status) for status in RATED}

    @property
    def rate_texts(self) -> dict[str, str]:
        """The rates as people read them: 88,9% (— when nothing is rated yet)."""
        return {status: format_percent(self.counts[status], self.rated, digits=1) for status in RATED}


def completeness(form: ReportForm, year: int, *, scope: Scope | None = None, province=None,
                 province_ids=None, unit_ids=None, today: dt.date | None = None,
                 within: Roster | None = None, sent: dict | None = None) -> Matrix:  # fmt: skip
    """The matrix of ``form`` for ``year``: each expected unit × each period, the status of its
    report. ``scope`` keeps the units a user reaches (the reach of their view permission on
    reports), ``province`` one province, ``province_ids`` / ``unit_ids`` a region's provinces or a
    unit and its sub-units (the dashboards' scopes). Five queries (``within`` and ``sent``, read
    once for several forms by ``completeness_of_forms``, save them)."""
    today = today or timezone.localdate()
    periods = periods_of(form.period_type, year)
    expected = expected_reports(form, year, within=within)
    if province is not None:
        expected = [e for e in expected if e.province is not None and e.province.pk == province.pk]
    if province_ids is not None:
        expected = [e for e in expected if e.province is not None and e.province.pk in province_ids]
    if unit_ids is not None:
        expected = [e for e in expected if e.unit.pk in unit_ids]
    if scope is not None:
        expected = [
            e
            for e in expected
            if scope.covers(province_id=e.province.pk if e.province else None, org_unit_id=e.unit.pk)
        ]
    if sent is None:
        sent = _sent([form], year)
    reports = sent.get(form.pk, {})
    by_unit: dict[int, Row] = {}
    index = {p.start: i for i, p in enumerate(periods)}
    counts: dict[str, int] = defaultdict(int)
    for item in expected:
        row = by_unit.get(item.unit.pk)
        if row is None:
            row = by_unit[item.unit.pk] = Row(unit=item.unit, province=item.province, cells=[None] * len(periods))
        report = reports.get((item.unit.pk, item.period.start))
        status = cell_status(report, item.due_on, today)
        row.cells[index[item.period.start]] = Cell(status=status, due_on=item.due_on, report=report)
        counts[status] += 1
    rows = sorted(by_unit.values(), key=lambda r: (r.province.code if r.province else "", r.unit.path))
    return Matrix(form=form, year=year, periods=periods, rows=rows, counts={s: counts[s] for s in (*RATED, PENDING)})


def _sent(forms, year: int) -> dict[int, dict[tuple[int, dt.date], Report]]:
    """form id -> (unit id, period start) -> its report, for ``year``: one query."""
    out: dict[int, dict[tuple[int, dt.date], Report]] = defaultdict(dict)
    rows = Report.objects.filter(form__in=[f.pk for f in forms], year=year).only(
        "pk", "org_unit_id", "period_start", "state", "submitted_on", "due_on", "version", "form_id", "year"
    )
    for report in rows:
        out[report.form_id][(report.org_unit_id, report.period_start)] = report
    return out


def completeness_of_forms(forms, year: int, **filters) -> list[Matrix]:
    """``completeness`` of each form in ``forms`` for ``year`` (the same ``filters``), in a fixed
    number of queries whatever the number of forms (the dashboards' card of missing reports)."""
    forms = list(forms)
    if not forms:
        return []
    within, sent = roster(forms, year), _sent(forms, year)
    return [completeness(form, year, within=within, sent=sent, **filters) for form in forms]


@dataclass
class Completeness:
    """The reports of several forms added up: expected (every cell, due or not), on time, late,
    missing, returned, not due yet, and the rates over the cells due or sent (never above 100%)."""

    year: int
    matrices: list[Matrix]

    def count(self, status: str) -> int:
        return sum(m.counts[status] for m in self.matrices)

    @property
    def expected(self) -> int:
        return sum(self.count(s) for s in (*RATED, PENDING))

    @property
    def rated(self) -> int:
        return sum(m.rated for m in self.matrices)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in (*RATED, PENDING)}

    @property
    def rate_texts(self) -> dict[str, str]:
        return {status: format_percent(self.count(status), self.rated, digits=1) for status in RATED}


def missing_not_laid_out(forms, unit_ids, *, today: dt.date | None = None) -> list[Expected]:
    """Reports ``unit_ids`` owe on ``forms`` that are past due and were never laid out (no report
    row: nobody pressed "lay out" for the year), this year and last: what a unit's home page adds
    to its missing reports. Six queries whatever the number of forms and units."""
    today = today or timezone.localdate()
    forms, unit_ids = list(forms), set(unit_ids)
    if not forms or not unit_ids:
        return []
    years = (today.year - 1, today.year)
    within = roster(forms, years=years, unit_ids=unit_ids)
    existing = set(
        Report.objects.filter(
            form__in=[f.pk for f in forms], org_unit__in=sorted(unit_ids), year__in=years
        ).values_list("form_id", "org_unit_id", "period_start")
    )
    missing = [
        item
        for year in years
        for form in forms
        for item in expected_reports(form, year, within=within)
        if item.due_on < today and (form.pk, item.unit.pk, item.period.start) not in existing
    ]
    return sorted(missing, key=lambda e: (e.due_on, e.form.code, e.unit.path))
