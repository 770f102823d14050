"""The rollups of the money: every figure is the sum of its records, grouped by year, province
(now and before 1/7/2025), region, unit, content, source and level, kept to the user's reach; the
rates never divide by zero; the 2022 figures of DOMAIN.md §6 come out of records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils.translation import gettext as _

from khuyencong.finance import accounts, actions
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.finance.rollups import RollupRow, UnknownDimension, parse_group_by, rate, rollup
from khuyencong.kernel.money import format_percent
from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province, Region
from tests.finance.factories import contracted_project, plan_of

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)
DECIDED = dt.date(2026, 2, 1)


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def pay(user, project, amount, kind=EntryKind.PAYMENT, approve=True):
    entry = actions.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=ON)
    if approve:
        actions.approve_payment(user=user, entry=entry)
    return entry


def allocate(user, plan, code, amount):
    number = f"{Allocation.objects.count() + 1}/QĐ-CĐMST"
    return actions.allocate(user=user, plan=plan, unit=unit(code), amount=amount, decision_number=number,
                            decision_date=DECIDED)  # fmt: skip


def by(result, dim):
    return {row.codes[dim] or None: row for row in result.rows}


@pytest.fixture
def money(agency_officer):
    """A national plan of 2026 (1 bn), two Hà Tĩnh projects and one of Nghệ An, paid in part."""
    plan = plan_of(2026, total=3_000_000_000)
    first = contracted_project(allocation=None)  # Hà Tĩnh, contract 250 M
    second = contracted_project(allocation=None)
    third = contracted_project(province_code="40", allocation=None)
    allocate(agency_officer, plan, "TTKC-42", 600_000_000)
    allocate(agency_officer, plan, "TTKC-40", 400_000_000)
    pay(agency_officer, first, 175_000_000, EntryKind.ADVANCE)
    pay(agency_officer, first, 50_000_000)
    pay(agency_officer, second, 100_000_000)
    pay(agency_officer, second, 20_000_000, approve=False)  # awaiting: not disbursed
    recovery = LedgerEntry.objects.filter(project=second, status=EntryStatus.PAID).get()
    actions.record_recovery(user=agency_officer, project=second, amount=10_000_000, entry_date=ON, recovers=recovery)
    actions.record_settlement(user=agency_officer, project=first, amount=200_000_000, entry_date=ON)
    pay(agency_officer, third, 80_000_000)
    assert accounts.reconcile() == []
    return {"plan": plan, "projects": (first, second, third)}


def test_every_figure_is_the_sum_of_its_records(money, agency_officer):
    result = rollup(agency_officer, year=2026, group_by=["province"])
    rows = by(result, "province")
    hatinh, nghean = rows["42"], rows["40"]
    assert hatinh.allocated == 600_000_000 and nghean.allocated == 400_000_000
    assert hatinh.contracted == 500_000_000 and nghean.contracted == 250_000_000
    assert (hatinh.advanced, hatinh.paid, hatinh.recovered) == (175_000_000, 150_000_000, 10_000_000)
    assert hatinh.disbursed == 315_000_000 and hatinh.awaiting == 20_000_000
    assert hatinh.settled == 200_000_000
    assert nghean.disbursed == 80_000_000
    # The national plan's lines carry no province: its budget is a row of its own.
    assert rows[None].plan == 3_000_000_000 and rows[None].allocated == 0
    # Against SQL sums of the records themselves.
    paid = LedgerEntry.objects.filter(status=EntryStatus.PAID, province__code="42")
    outgoing = paid.filter(kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT]).aggregate(s=Sum("amount"))["s"]
    recovered = paid.filter(kind=EntryKind.RECOVERY).aggregate(s=Sum("amount"))["s"]
    assert hatinh.disbursed == outgoing - recovered
    total = result.total
    assert total.plan == 3_000_000_000
    assert total.allocated == Allocation.objects.aggregate(s=Sum("amount"))["s"] == 1_000_000_000
    assert total.disbursed == 395_000_000
    assert total.allocated_percent == "33,33%" and total.disbursed_percent == "39,50%"
    assert total.settled_percent == format_percent(200_000_000, 395_000_000)
    assert sum(row.disbursed for row in result.rows) == total.disbursed


def test_grouping_by_unit_content_source_level_and_year(money, agency_officer):
    units = by(rollup(agency_officer, year=2026, group_by=["unit"]), "unit")
    assert units["TTKC-42"].disbursed == 315_000_000 and units["TTKC-40"].allocated == 400_000_000
    contents = by(rollup(agency_officer, year=2026, group_by=["content"]), "content")
    assert contents["2012-01"].disbursed == 395_000_000
    # The plan's lines: a money row of 2012-01 (a third) and one of 2012-03.
    assert contents["2012-01"].plan == 1_000_000_000 and contents["2012-03"].plan == 2_000_000_000
    sources = by(rollup(agency_officer, group_by=["funding_source", "level"]), "funding_source")
    assert sources["central"].allocated == 1_000_000_000 and sources["central"].disbursed == 395_000_000
    years = by(rollup(agency_officer, years=[2025, 2026], group_by=["year"]), "year")
    assert list(years) == ["2026"] and years["2026"].contracted == 750_000_000
    assert rollup(agency_officer, year=2025, group_by=["year"]).rows == []


def test_rates_never_divide_by_zero():
    empty = RollupRow(key={})
    assert (empty.allocated_rate, empty.disbursed_rate, empty.settled_rate) == (None, None, None)
    assert empty.allocated_percent == "—"
    assert rate(5, 0) is None and rate(1, 4) == Decimal("0.25")


def test_a_province_with_money_but_no_plan_row_has_no_allocated_rate(money, agency_officer):
    row = by(rollup(agency_officer, year=2026, group_by=["province"]), "province")["42"]
    assert row.plan == 0 and row.allocated_rate is None and row.allocated_percent == "—"
    assert row.disbursed_rate == Decimal(315_000_000) / Decimal(600_000_000)


def test_current_and_legacy_provinces(agency_officer):
    """Nam Định and Hà Nam were merged into Ninh Bình on 1/7/2025: one current row, two legacy ones."""
    plan = plan_of(2026, total=3_000_000_000)
    nam_dinh = Province.objects.legacy().get(code="36")
    ha_nam = Province.objects.legacy().get(code="35")
    first = contracted_project(province_code="37", allocation=None, legacy_province=nam_dinh)
    second = contracted_project(province_code="37", allocation=None, legacy_province=ha_nam)
    allocate(agency_officer, plan, "TTKC-37", 500_000_000)
    pay(agency_officer, first, 100_000_000)
    pay(agency_officer, second, 30_000_000)
    current = by(rollup(agency_officer, year=2026, group_by=["province"]), "province")
    assert current["37"].disbursed == 130_000_000 and current["37"].allocated == 500_000_000
    legacy = by(rollup(agency_officer, year=2026, group_by=["legacy_province"]), "legacy_province")
    assert legacy["36"].disbursed == 100_000_000 and legacy["35"].disbursed == 30_000_000
    assert legacy["36"].labels["legacy_province"] == nam_dinh.name
    # An allocation has no province before the reform: it stays in the row not assigned.
    assert legacy[None].allocated == 500_000_000 and legacy[None].labels["legacy_province"] == str(_("Not assigned"))


def test_regions_of_the_regional_centres(money, agency_officer):
    """Provinces map onto the three centre regions; a centre's own allocation falls in the region it serves."""
    plan = money["plan"]
    allocate(agency_officer, plan, "TTKC1", 700_000_000)
    result = rollup(agency_officer, year=2026, group_by=["region"])
    central = Region.objects.get(kind=Region.Kind.CENTRE, provinces__code="42", provinces__valid_to__isnull=True)
    north = unit("TTKC1").region
    rows = {row.key["region"]: row for row in result.rows}
    assert rows[central.pk].allocated == 1_000_000_000 and rows[central.pk].disbursed == 395_000_000
    assert rows[north.pk].allocated == 700_000_000 and rows[north.pk].disbursed == 0
    only_north = rollup(agency_officer, year=2026, group_by=["unit"], region=[north.pk])
    assert [row.codes["unit"] for row in only_north.rows] == ["TTKC1"]


def test_a_provincial_officer_sees_only_their_province(money, hatinh_officer, nghean_officer, implementer, outsider):
    mine = rollup(hatinh_officer, year=2026, group_by=["province"])
    assert [row.codes["province"] for row in mine.rows] == ["42"]
    assert mine.total.disbursed == 315_000_000 and mine.total.plan == 0
    theirs = rollup(nghean_officer, year=2026, group_by=["unit"])
    assert [row.codes["unit"] for row in theirs.rows] == ["TTKC-40"]
    own = rollup(implementer, year=2026, group_by=["unit"])
    assert [row.codes["unit"] for row in own.rows] == ["TTKC-42"]
    assert rollup(outsider, year=2026, group_by=["province"]).rows == []
    # Asking for another province's figures gives nothing, not the figures.
    nghe_an = Province.objects.current().get(code="40")
    assert rollup(hatinh_officer, year=2026, group_by=["unit"], province=[nghe_an.pk]).rows == []


def test_unknown_group_by_is_refused():
    with pytest.raises(UnknownDimension) as caught:
        parse_group_by("province,colour")
    assert caught.value.names == ["colour"]
    assert parse_group_by("") == ["province"] and parse_group_by("unit, year") == ["unit", "year"]


def test_the_2022_figures_from_records(agency_officer):
    """DOMAIN.md §6: a national plan of 140 bn đ with 28.98 bn allocated reads 20.7%; a regional
    centre assigned 24,390,243,902 đ that disbursed 1.4 bn đ over 4 projects reads 5.74%."""
    plan = plan_of(2026, total=140_000_000_000)
    allocate(agency_officer, plan, "TTKC1", 24_390_243_902)
    allocate(agency_officer, plan, "TTKC-42", 4_589_756_098)
    lines = [(800_000_000, 350_000_000)]
    projects = [contracted_project(province_code="37", allocation=None, unit="TTKC1", lines=lines) for _ in range(4)]
    for number, project in enumerate(projects):
        if number % 2:
            pay(agency_officer, project, 245_000_000, EntryKind.ADVANCE)  # 70% advance, then the rest
            pay(agency_officer, project, 105_000_000)
        else:
            pay(agency_officer, project, 350_000_000)
    result = rollup(agency_officer, year=2026, group_by=["unit"])
    assert result.total.plan == 140_000_000_000 and result.total.allocated == 28_980_000_000
    assert result.total.allocated_percent == "20,70%"
    centre = by(result, "unit")["TTKC1"]
    assert centre.disbursed == 1_400_000_000
    assert centre.disbursed_percent == "5,74%"
    assert accounts.reconcile() == []


def test_a_plan_adjusted_counts_its_version_in_force(agency_officer):
    """Only the latest approved version's money rows make the plan budget (not a draft, not the original)."""
    from khuyencong.planning.models import PlanLine, PlanVersion

    plan = plan_of(2026, total=900_000_000)
    original = plan.versions.get()
    adjusted = PlanVersion.objects.create(plan=plan, kind=PlanVersion.Kind.ADJUSTED, sequence=2, status="approved",
                                          declared_total=1_200_000_000)  # fmt: skip
    PlanLine.objects.create(plan_version=adjusted, key="x", name="Mô hình", amount=1_200_000_000)
    PlanVersion.objects.create(plan=plan, kind=PlanVersion.Kind.SUPPLEMENTARY, sequence=3, status="draft")
    assert original.lines.count() == 3
    assert rollup(agency_officer, year=2026, group_by=["level"]).total.plan == 1_200_000_000
