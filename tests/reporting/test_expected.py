"""Which reports are expected: per unit and period, following the unit's lifespan through the
1/7/2025 merger; laid out once (idempotent), pre-filled from the system's records; the
completeness matrix and its rates (never above 100%)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting import actions, services, sources
from khuyencong.reporting.models import Report, ReportState, ReportValue, UnitTerm
from khuyencong.territory.models import Province
from tests.reporting.factories import legacy_unit, make_form, make_report, unit

pytestmark = pytest.mark.django_db


def labels(expected, code):
    return [e.period.label for e in expected if e.unit.code == code]


def test_every_department_owes_four_quarters(territory):
    form = make_form()
    expected = services.expected_reports(form, 2024)
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT, is_active=True).count()
    assert len(expected) == departments * 4
    assert labels(expected, "SCT-42") == ["Quý 1/2024", "Quý 2/2024", "Quý 3/2024", "Quý 4/2024"]
    first = next(e for e in expected if e.unit.code == "SCT-42")
    assert first.due_on == dt.date(2024, 4, 15)


def test_a_unit_closed_by_the_merger_owes_nothing_after_it_and_a_new_unit_nothing_before(territory):
    old = legacy_unit("02")  # Hà Giang, merged into Tuyên Quang on 1/7/2025
    new = unit("SCT-08")
    UnitTerm.objects.create(org_unit=new, opened_on=dt.date(2025, 7, 1))
    form = make_form()
    expected = services.expected_reports(form, 2025)
    assert labels(expected, old.code) == ["Quý 1/2025", "Quý 2/2025"]
    assert labels(expected, "SCT-08") == ["Quý 3/2025", "Quý 4/2025"]
    # The closed unit's reports are reached through the successor province.
    assert next(e for e in expected if e.unit.code == old.code).province.code == "08"
    assert services.expected_reports(form, 2026) and not labels(services.expected_reports(form, 2026), old.code)
    yearly = services.expected_reports(make_form(period="year"), 2025)
    assert labels(yearly, "SCT-08") == ["Năm 2025"] and labels(yearly, old.code) == []


def test_assignment_years_and_named_units(territory):
    form = make_form(units=[unit("SCT-42"), unit("SCT-40")], from_year=2025, to_year=2025, period="half_year")
    assert services.expected_reports(form, 2024) == []
    assert sorted({e.unit.code for e in services.expected_reports(form, 2025)}) == ["SCT-40", "SCT-42"]
    assert len(services.expected_reports(form, 2025)) == 4


def test_laying_out_is_idempotent_and_prefills_system_figures(territory, agency_officer, monkeypatch):
    calls = []

    def in_progress(org_unit, period):
        calls.append((org_unit.code, period.label))
        return 7

    monkeypatch.setitem(sources._SOURCES, "projects.count_in_progress",
                        sources.Source("projects.count_in_progress", in_progress))  # fmt: skip
    form = make_form(units=[unit("SCT-42")])
    assert actions.materialise_reports(user=agency_officer, form=form, year=2024) == 4
    assert actions.materialise_reports(user=agency_officer, form=form, year=2024) == 0
    assert Report.objects.filter(form=form).count() == 4
    value = ReportValue.objects.get(report__period_label="Quý 2/2024", indicator__code="SL01")
    assert value.system_value == Decimal(7)
    assert ("SCT-42", "Quý 2/2024") in calls


def test_a_money_figure_comes_from_the_finance_app(territory, agency_officer):
    form = make_form(units=[unit("SCT-42")])
    form.indicators.filter(code="KP01").update(source="finance.disbursed")
    actions.materialise_reports(user=agency_officer, form=form, year=2024)
    assert sources.is_available("finance.disbursed") and sources.is_available("finance.allocated")
    assert ReportValue.objects.filter(report__form=form, indicator__code="KP01", system_value=0).count() == 4


def test_a_figure_whose_source_is_not_registered_is_left_empty(territory, agency_officer, monkeypatch):
    monkeypatch.delitem(sources._SOURCES, "finance.disbursed")
    form = make_form(units=[unit("SCT-42")])
    form.indicators.filter(code="KP01").update(source="finance.disbursed")
    actions.materialise_reports(user=agency_officer, form=form, year=2024)
    assert ReportValue.objects.filter(report__form=form, indicator__code="KP01", system_value__isnull=True).count() == 4


def test_only_managers_lay_out_reports(territory, hatinh_officer):
    with pytest.raises(ActionRefused) as caught:
        actions.materialise_reports(user=hatinh_officer, form=make_form(), year=2024)
    assert caught.value.status == 403
    assert not Report.objects.exists()


def test_matrix_statuses_and_rates(territory):
    form = make_form(units=[unit("SCT-42"), unit("SCT-40")])
    today = dt.date(2025, 1, 10)  # Q1–Q4/2024 are all due by then except Q4 (15/1/2025)
    q = [(dt.date(2024, m, 1), dt.date(2024, m + 2, 28)) for m in (1, 4, 7)]
    make_report(form, unit("SCT-42"), start=q[0][0], end=q[0][1], state=ReportState.APPROVED,
                submitted_on=dt.date(2024, 4, 10), due_on=dt.date(2024, 4, 15))  # fmt: skip
    make_report(form, unit("SCT-42"), start=q[1][0], end=q[1][1], state=ReportState.SUBMITTED,
                submitted_on=dt.date(2024, 8, 1), due_on=dt.date(2024, 7, 15))  # fmt: skip
    make_report(form, unit("SCT-42"), start=q[2][0], end=q[2][1], state=ReportState.RETURNED,
                submitted_on=dt.date(2024, 10, 5), due_on=dt.date(2024, 10, 15))  # fmt: skip
    # Q4 sent early, before it is due: counted (on time) and in the denominator.
    make_report(form, unit("SCT-42"), start=dt.date(2024, 10, 1), end=dt.date(2024, 12, 31),
                state=ReportState.SUBMITTED, submitted_on=dt.date(2025, 1, 5), due_on=dt.date(2025, 1, 15))  # fmt: skip
    matrix = services.completeness(form, 2024, today=today)
    row = next(r for r in matrix.rows if r.unit.code == "SCT-42")
    assert [c.status for c in row.cells] == ["on_time", "late", "returned", "on_time"]
    other = next(r for r in matrix.rows if r.unit.code == "SCT-40")
    assert [c.status for c in other.cells] == ["missing", "missing", "missing", "pending"]
    assert matrix.counts == {"on_time": 2, "late": 1, "returned": 1, "missing": 3, "pending": 1}
    assert matrix.rated == 7
    assert matrix.rate("on_time") == Decimal("28.6")
    assert sum(matrix.rates.values()) <= 100 + Decimal("0.2")  # rounding only


def test_rates_never_exceed_100_percent(territory):
    """Reports sent early, reports of a unit no longer expected and every period sent: still ≤ 100%."""
    old = legacy_unit("02")
    form = make_form(units=[unit("SCT-42"), old])
    for quarter in range(4):
        start = dt.date(2025, 3 * quarter + 1, 1)
        end = (dt.date(2025, 3 * quarter + 4, 1) if quarter < 3 else dt.date(2026, 1, 1)) - dt.timedelta(days=1)
        for org_unit in (unit("SCT-42"), old):  # the closed unit's Q3 and Q4 reports are not expected
            make_report(form, org_unit, start=start, end=end, state=ReportState.APPROVED, submitted_on=start)
    matrix = services.completeness(form, 2025, today=dt.date(2025, 5, 1))
    assert matrix.counts["on_time"] == 6 and matrix.rated == 6
    assert matrix.rate("on_time") == Decimal("100.0")
    assert all(rate is None or rate <= 100 for rate in matrix.rates.values())
    empty = services.completeness(make_form(units=[unit("SCT-42")]), 2030, today=dt.date(2025, 5, 1))
    assert empty.rated == 0 and empty.rate("on_time") is None


def test_matrix_keeps_to_a_reach_and_a_province(territory):
    form = make_form(units=[unit("SCT-42"), unit("SCT-40")])
    hatinh = Province.objects.current().get(code="42")
    only = services.completeness(form, 2024, scope=Scope(province_ids=frozenset({hatinh.pk})))
    assert [r.unit.code for r in only.rows] == ["SCT-42"]
    assert [r.unit.code for r in services.completeness(form, 2024, province=hatinh).rows] == ["SCT-42"]
