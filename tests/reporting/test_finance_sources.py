"""The money figures of a report (``finance.disbursed``, ``finance.allocated``, registered by the
finance app): a pre-filled report carries what the finance rollups say for its unit and period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khuyencong.finance import actions as money
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.finance.rollups import rollup
from khuyencong.kernel.periods import quarter
from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting import actions, sources
from khuyencong.reporting.models import Indicator, IndicatorKind, PeriodType, ReportValue
from tests.finance.factories import contracted_project, plan_of
from tests.reporting.factories import make_form, unit

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)
DECIDED = dt.date(2026, 2, 1)


def _pay(user, project, amount, kind=EntryKind.PAYMENT):
    entry = money.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=ON)
    return money.approve_payment(user=user, entry=entry)


@pytest.fixture
def ledger(agency_officer):
    """Two Hà Tĩnh projects and one of Nghệ An, 2026: allocated, paid in part, one recovery."""
    plan = plan_of(2026, total=3_000_000_000)
    first = contracted_project(allocation=None)
    second = contracted_project(allocation=None)
    third = contracted_project(province_code="40", allocation=None)
    for code, amount in (("TTKC-42", 600_000_000), ("TTKC-40", 400_000_000)):
        money.allocate(user=agency_officer, plan=plan, unit=OrgUnit.objects.get(code=code), amount=amount,
                       decision_number=f"{Allocation.objects.count() + 1}/QĐ-CĐMST", decision_date=DECIDED)  # fmt: skip
    _pay(agency_officer, first, 175_000_000, EntryKind.ADVANCE)
    _pay(agency_officer, first, 50_000_000)
    _pay(agency_officer, second, 100_000_000)
    paid = LedgerEntry.objects.filter(project=second, status=EntryStatus.PAID).get()
    money.record_recovery(user=agency_officer, project=second, amount=10_000_000, entry_date=ON, recovers=paid)
    _pay(agency_officer, third, 80_000_000)
    return first


def _money_form(period, units):
    form = make_form(period=period, units=units, from_year=2026)
    for position, (code, source) in enumerate((("KP02", "finance.disbursed"), ("KP03", "finance.allocated")), 10):
        Indicator.objects.create(form=form, position=position, code=code, name=str(sources.label(source)),
                                 unit="đồng", kind=IndicatorKind.MONEY, min_value=0, source=source)  # fmt: skip
    return form


def _prefill(form, org_unit, period_start):
    values = ReportValue.objects.filter(report__form=form, report__org_unit=org_unit,
                                        report__period_start=period_start).select_related("indicator")  # fmt: skip
    return {v.indicator.code: v.system_value for v in values}


def test_the_finance_app_registers_both_money_figures():
    assert set(sources.FINANCE_HOOKS) <= set(sources.registered())


def test_a_years_prefill_equals_the_rollup_of_the_province_and_of_the_unit(ledger, agency_officer):
    department, centre = unit("SCT-42"), unit("TTKC-42")
    form = _money_form(PeriodType.YEAR, [department, centre, unit("SCT-40")])
    actions.materialise_reports(user=agency_officer, form=form, year=2026)
    province = rollup(agency_officer, year=2026, province=[department.province_id]).total
    own = rollup(agency_officer, year=2026, unit=[centre.pk]).total
    start = dt.date(2026, 1, 1)
    assert _prefill(form, department, start)["KP02"] == Decimal(province.disbursed) == Decimal(315_000_000)
    assert _prefill(form, department, start)["KP03"] == Decimal(province.allocated) == Decimal(600_000_000)
    assert _prefill(form, centre, start)["KP02"] == Decimal(own.disbursed)
    assert _prefill(form, centre, start)["KP03"] == Decimal(own.allocated)
    nghean = rollup(agency_officer, year=2026, province=[unit("SCT-40").province_id]).total
    assert _prefill(form, unit("SCT-40"), start)["KP02"] == Decimal(nghean.disbursed) == Decimal(80_000_000)


def test_a_quarter_counts_the_money_dated_in_it(ledger, agency_officer):
    department = unit("SCT-42")
    form = _money_form(PeriodType.QUARTER, [department])
    actions.materialise_reports(user=agency_officer, form=form, year=2026)
    q1, q2 = quarter(2026, 1), quarter(2026, 2)
    assert _prefill(form, department, q1.start)["KP02"] == Decimal(315_000_000)
    assert _prefill(form, department, q2.start)["KP02"] == Decimal(0)  # nothing paid then
    # Allocations decided by the period's end count in every later quarter of the year.
    assert _prefill(form, department, q1.start)["KP03"] == _prefill(form, department, q2.start)["KP03"]
    assert sources.compute("finance.disbursed", department, q1) == Decimal(315_000_000)


def test_a_unit_of_a_merged_province_reads_the_money_placed_in_it_before(ledger):
    from tests.reporting.factories import legacy_unit

    old = legacy_unit("02")
    assert sources.compute("finance.disbursed", old, quarter(2026, 1)) == Decimal(0)
    assert sources.compute("finance.allocated", old, quarter(2026, 1)) == Decimal(0)
