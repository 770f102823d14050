"""The demo projects reproduce the seed scenarios of DOMAIN.md §10 from their own records."""

import datetime as dt

import pytest

from khuyencong.demo.planning import load_planning
from khuyencong.demo.projects import load_projects
from khuyencong.demo.registry import load_registry
from khuyencong.demo.rulebook import load_rulebook
from khuyencong.organisation.demo import load_demo
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.projects.services import check_project
from khuyencong.registry.eligibility import eligibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(territory):
    load_demo()
    load_registry(establishments=600)
    load_planning()
    load_rulebook()
    return load_projects()


def test_the_demo_projects(demo, django_user_model):
    projects = Project.objects.all()
    # every state, several years, national and local, every kind, the three regional centres
    assert set(projects.values_list("state", flat=True)) == set(ProjectState.values)
    assert set(projects.values_list("year", flat=True)) == set(range(2019, 2027))
    assert set(projects.values_list("level", flat=True)) == {"national", "local"}
    assert set(projects.values_list("kind", flat=True)) == {"ordinary", "group", "flagship"}
    assert {"TTKC1", "TTKC2", "TTKC3"} <= set(projects.values_list("implementing_unit__code", flat=True))
    # the 2022 national plan: 122 projects in 47 provinces (before 1/7/2025), 22 bn đ of late supplement
    plan_2022 = projects.filter(level="national", year=2022, plan__year=2022)
    assert plan_2022.count() == 122 == projects.filter(code__startswith="KCQG-2022-").count()
    assert plan_2022.values("legacy_province").distinct().count() == 47
    states = set(plan_2022.values_list("state", flat=True))
    assert {"approved", "contracted", "in_progress"} <= states
    assert plan_2022.filter(state__in=["approved", "contracted", "in_progress"]).count() > 61
    # 2020: approved national projects still without a contract after 15/5/2020, some hit by the epidemic
    unsigned = projects.filter(level="national", year=2020, state="approved", contracted_on__isnull=True)
    assert unsigned.count() >= 5 and all(p.approved_on < dt.date(2020, 5, 15) for p in unsigned)
    assert unsigned.filter(disruption="epidemic", disruption_event="Dịch COVID-19").count() >= 3
    cancelled = projects.get(code="KCQG-2020-38-02")
    assert cancelled.state == "cancelled"
    step = cancelled.transitions.get(to_state="cancelled")
    assert step.decision_number == "1277/QĐ-BCT" and step.at.date() == dt.date(2020, 6, 10)
    assert cancelled.adjustments.get().state == "approved"
    adjusted = projects.get(code="KCQG-2020-40-02")
    assert adjusted.state == "approved" and adjusted.end_date == dt.date(2021, 3, 31)
    assert adjusted.transitions.get(action="adjust").data["before"]["end_date"] == "2020-11-30"
    assert projects.get(code="KCQG-2024-38-01").state == "stopped"
    # open adjustments wait for the Department, the Agency and the province
    from khuyencong.adjustments.selectors import awaiting

    for username, code in [("hatinh.chuyenvien", "KCQG-2025-42-01"), ("cuc.lanhdao", "KCQG-2025-40-01"),
                           ("hatinh.lanhdao", "KCĐP-2025-42-01")]:  # fmt: skip
        user = django_user_model.objects.get(username=username)
        assert code in {a.project.code for a in awaiting(user)}, username
    # 2019: checked against the 2019 norms (TT 28/2018's 300 M đ, not TTLT 26/2014's 200 M đ)
    old = projects.get(code="KCQG-2019-42-01")
    assert old.submitted_on == dt.date(2018, 5, 20) and old.state == "closed"
    assert not [f for f in check_project(old) if f.code == "over_norm"]
    assert [f.code for f in check_project(old, on=dt.date(2018, 5, 1)) if f.blocking] == ["over_norm"]
    # the history is dated on the days the steps happened
    assert list(old.transitions.values_list("at__year", flat=True)) == [2018] * 4 + [2019] * 5 + [2020] * 2
    # beneficiaries are eligible establishments of the demo registry on the date
    for line in BeneficiaryLine.objects.select_related("project", "establishment")[:40]:
        assert eligibility(line.establishment, line.project.submitted_on).eligible
    # the implementer demo account sees its unit's projects
    implementer = django_user_model.objects.get(username="hatinh.thuchien")
    from khuyencong.projects.selectors import project_list

    mine = project_list(user=implementer, action="view", filters={})
    assert mine.count() >= 15 and set(mine.values_list("implementing_unit__code", flat=True)) == {"TTKC-42"}
    # idempotent
    count = projects.count()
    assert load_projects()["added"] == 0 and Project.objects.count() == count
