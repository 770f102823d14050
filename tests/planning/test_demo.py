"""The demo plans reproduce the seed scenarios of DOMAIN.md §10 from their own records."""

import pytest

from khuyencong.demo.planning import load_planning
from khuyencong.organisation.demo import load_demo
from khuyencong.planning.models import AnnualPlan, PlanLine, Programme
from khuyencong.planning.services import budget_by_source, line_rows, line_total, plan_lines, version_diff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(territory):
    load_demo()
    return load_planning()


def test_national_programmes_and_their_targets(demo):
    national = Programme.objects.filter(level="national").order_by("start_year")
    assert [(p.start_year, p.end_year, p.decision.number) for p in national] == [
        (2014, 2020, "1288/QĐ-TTg"), (2021, 2025, "1881/QĐ-TTg"), (2026, 2030, "2646/QĐ-BCT")]  # fmt: skip
    targets = {t.name: t.target_value for t in national[1].targets.all()}
    assert targets["Mô hình trình diễn kỹ thuật, chuyển giao công nghệ"] == 340
    assert targets["Lao động nông thôn được đào tạo nghề"] == 10000 and len(targets) == 12
    assert all(t.target_value is None for t in national[2].targets.all())  # still to be loaded


def test_the_2020_national_plan_has_three_versions_with_their_diffs(demo):
    plan = AnnualPlan.objects.get(level="national", year=2020)
    original, adjusted, supplement = plan.versions.order_by("sequence")
    assert [v.kind for v in (original, adjusted, supplement)] == ["original", "adjusted", "supplementary"]
    assert all(v.status == "approved" and v.decision_number for v in (original, adjusted, supplement))
    cut = version_diff(adjusted)
    assert not cut.added and not cut.removed and len(cut.changed) == 3 and cut.delta < 0
    assert {c.after.disruption for c in cut.changed} == {"epidemic"}
    added = version_diff(supplement)
    assert [line.name for line in added.added] == ["Hỗ trợ máy móc thiết bị cho cơ sở bị ảnh hưởng bởi dịch COVID-19"]
    assert added.delta == 6_000_000_000 and plan.state == "closed"
    assert plan.declared_total == line_total(plan_lines(supplement))


def test_the_2022_supplement_is_140_bn_for_122_projects_in_47_provinces(demo):
    plan = AnnualPlan.objects.get(level="national", year=2022)
    supplement = plan.versions.get(kind="supplementary")
    lines = plan_lines(supplement)
    assert line_total(lines) == 140_000_000_000 == plan.declared_total
    late = [line for line in lines if line.number.startswith("7.")]
    assert len({line.province_id for line in late}) == 47
    assert sum(line.target_quantity for line in late) == 122


def test_the_ha_tinh_2020_local_plan_totals_2080_million_in_four_groups(demo):
    plan = AnnualPlan.objects.get(level="local", year=2020, province__code="42")
    lines = plan_lines(plan.versions.get())
    groups = [row for row in line_rows(lines) if row.depth == 0]
    assert [g.line.number for g in groups] == ["I", "II", "III", "IV"]
    assert line_total(lines) == 2_080_000_000 == plan.declared_total
    assert budget_by_source(lines) == [("local", "Ngân sách địa phương", 2_080_000_000)]
    assert set(AnnualPlan.objects.filter(level="local", year=2020).values_list("province__code", flat=True)) == {
        "42", "40", "38", "37"}  # fmt: skip


def test_the_demo_is_idempotent(demo):
    before = (AnnualPlan.objects.count(), PlanLine.objects.count(), Programme.objects.count())
    again = load_planning()
    assert again["national_plans"] == again["local_plans"] == 0
    assert (AnnualPlan.objects.count(), PlanLine.objects.count(), Programme.objects.count()) == before
