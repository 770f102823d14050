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


def assigned_units(assignment: FormAssignment) -> list[OrgUnit]:
    """The units an assignment names, or every unit of its kind (active ones, and closed ones that
    have a known closing date: they still owe the periods before it)."""
    base = OrgUnit.objects.select_related("province", "province__successor")
    named = list(base.filter(pk__in=assignment.units.values("pk")))
    if named or not assignment.unit_kind:
        return named
    kind = base.filter(kind=assignment.unit_kind)
    return list(kind.filter(Q(is_active=True) | Q(province__valid_to__isnull=False)).order_by("path"))


def expected_reports(form: ReportForm, year: int) -> list[Expected]:
    """Every report ``form`` expects for ``year``: per assignment covering the year, each of its
    units, each period of the year the unit exists at the end of (``lifespan``). A unit in two
    assignments owes one report per period (the first assignment's due rule)."""
    found: dict[tuple, Expected] = {}
    for assignment in form.assignments.order_by("from_year", "pk"):
        if not assignment.covers(year):
            continue
        units = assigned_units(assignment)
        spans = lifespans(units)
        for unit in units:
            span = spans.get(unit.pk, Lifespan())
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
                 today: dt.date | None = None) -> Matrix:  # fmt: skip
    """The matrix of ``form`` for ``year``: each expected unit × each period, the status of its
    report. ``scope`` keeps the units a user reaches (the reach of their view permission on
    reports), ``province`` one province. A few queries per assignment, one for the reports."""
    today = today or timezone.localdate()
    periods = periods_of(form.period_type, year)
    expected = expected_reports(form, year)
    if province is not None:
        expected = [e for e in expected if e.province is not None and e.province.pk == province.pk]
    if scope is not None:
        expected = [
            e
            for e in expected
            if scope.covers(province_id=e.province.pk if e.province else None, org_unit_id=e.unit.pk)
        ]
    reports = {
        (r.org_unit_id, r.period_start): r
        for r in Report.objects.filter(form=form, year=year).only(
            "pk", "org_unit_id", "period_start", "state", "submitted_on", "due_on", "version", "form_id", "year"
        )
    }
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
