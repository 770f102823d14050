"""The project lifecycle as domain actions: the national and the local path, each step taken by
the role that takes it, and every refusal coded with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.planning.models import PlanLine
from khuyencong.projects import actions
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from khuyencong.projects.selectors import project_list, projects_of_establishment
from khuyencong.projects.services import check_project
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Commune, Province
from tests.conftest import _user
from tests.planning.factories import make_plan
from tests.projects import flow
from tests.projects.factories import eligible_establishment, make_project
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db
S = ProjectState
DAY = dt.date(2026, 6, 1)


@pytest.fixture
def agency_leader(django_user_model, territory):
    return _user(django_user_model, "cuc.lanhdao", Role.AGENCY_LEADER, "CUC-DMST")


@pytest.fixture
def provincial_leader(django_user_model, territory):
    return _user(django_user_model, "hatinh.lanhdao", Role.PROVINCIAL_LEADER, "UBND-42")


@pytest.fixture
def finance(django_user_model, territory):
    return _user(django_user_model, "hatinh.taichinh", Role.PROVINCIAL_FINANCE, "STC-42")


def _money_line(plan) -> PlanLine:
    return PlanLine.objects.filter(plan_version__plan=plan, children__isnull=True, parent__isnull=True).first()


def _proposal(user, *, level=Level.NATIONAL, support=150_000_000, cost=400_000_000) -> Project:
    project = actions.save_project(
        user=user,
        values={
            "code": "kcqg-2026-ht-01" if level == Level.NATIONAL else "kcdp-2026-ht-01",
            "name": "Ứng dụng máy dệt chiếu cói tự động",
            "level": level,
            "content": ActivityContent.objects.get(code="2012-03"),
            "norm_code": "machinery",
            "year": 2026,
            "implementing_unit": OrgUnit.objects.get(code="TTKC-42"),
            "province": Province.objects.current().get(code="42"),
            "start_date": dt.date(2026, 3, 1),
            "end_date": dt.date(2026, 11, 30),
            "total_cost": cost,
        },
    )
    actions.save_beneficiaries(
        user=user,
        project=project,
        lines=[actions.BeneficiaryInput(eligible_establishment(), eligible_cost=cost, support=support)],
    )
    project.refresh_from_db()
    return project


def _step(user, project, action, **kwargs) -> Project:
    project.refresh_from_db()
    return actions.take_step(user=user, project=project, action=action, **kwargs)


def test_the_national_path_end_to_end(implementer, hatinh_officer, agency_officer, agency_leader):
    plan = make_plan(None, year=2026, approved=True)
    project = _proposal(implementer)
    assert project.code == "KCQG-2026-HT-01" and project.support_amount == 150_000_000
    _step(implementer, project, "submit", on=dt.date(2025, 5, 10))
    _step(hatinh_officer, project, "province_pass", comment="Hội đồng thẩm định cơ sở: đạt", on=dt.date(2025, 6, 1))
    _step(hatinh_officer, project, "send_to_agency", on=dt.date(2025, 6, 15))
    _step(agency_officer, project, "agency_pass", on=dt.date(2025, 9, 1))
    _step(
        agency_leader, project, "approve", decision_number="1234/QĐ-BCT", decision_date=dt.date(2026, 1, 20),
        plan_line=_money_line(plan), approved_support=140_000_000,
    )  # fmt: skip
    project.refresh_from_db()
    assert project.state == S.APPROVED and project.approved_support == 140_000_000
    assert project.plan == plan and project.plan_line_key and project.decision_number == "1234/QĐ-BCT"
    assert project.submitted_on == dt.date(2025, 5, 10) and project.approved_on == dt.date(2026, 1, 20)
    with pytest.raises(ActionRefused) as refused:
        _step(agency_officer, project, "contract", on=dt.date(2026, 1, 2))
    assert refused.value.code == "dates_out_of_order"
    _step(agency_officer, project, "contract", on=dt.date(2026, 3, 1))
    _step(implementer, project, "start", on=dt.date(2026, 3, 5))
    flow.accept_lines(implementer, project, dt.date(2026, 10, 1))  # the last passing line accepts the project
    flow.send_dossier(implementer, project, dt.date(2026, 10, 10))
    flow.settle(agency_officer, project, decision_number="45/BB-TL", decision_date=timezoneless_today())
    _step(agency_officer, project, "close")
    project.refresh_from_db()
    assert project.state == S.CLOSED
    history = list(ProjectTransition.objects.filter(project=project).order_by("at", "pk"))
    assert [t.action for t in history] == [
        "submit", "province_pass", "send_to_agency", "agency_pass", "approve", "contract", "start", "accept",
        "submit_settlement", "settle", "close",
    ]  # fmt: skip
    assert history[0].user == implementer and history[1].comment.startswith("Hội đồng")
    assert history[4].decision_number == "1234/QĐ-BCT" and history[4].data["approved_support"] == 140_000_000
    assert project.version == len(history) + 1  # the beneficiaries' save counts once


def timezoneless_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def test_the_local_path_has_one_appraisal_and_the_province_approves(
    implementer, hatinh_officer, provincial_leader, finance, agency_leader, agency_officer
):
    plan = make_plan("42", year=2026, approved=True)
    project = _proposal(implementer, level=Level.LOCAL)
    _step(implementer, project, "submit", on=dt.date(2025, 9, 1))
    _step(hatinh_officer, project, "province_pass", on=dt.date(2025, 10, 1))
    with pytest.raises(ActionRefused) as refused:
        _step(hatinh_officer, project, "send_to_agency")
    assert refused.value.code == "wrong_level"
    with pytest.raises(ActionRefused) as refused:  # the Agency does not approve a province's project
        _step(agency_leader, project, "approve", decision_number="1/QĐ", decision_date=dt.date(2026, 2, 1),
              plan_line=_money_line(plan))  # fmt: skip
    assert refused.value.code in {"forbidden", "wrong_state"}
    _step(provincial_leader, project, "approve_local", decision_number="88/QĐ-UBND", decision_date=dt.date(2026, 2, 1),
          plan_line=_money_line(plan))  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        _step(agency_officer, project, "contract")
    assert refused.value.code == "wrong_level"
    _step(hatinh_officer, project, "contract_local", on=dt.date(2026, 3, 1))
    _step(implementer, project, "start", on=dt.date(2026, 3, 2))
    flow.accept_lines(implementer, project, dt.date(2026, 9, 2))
    flow.send_dossier(implementer, project, dt.date(2026, 9, 12))
    flow.settle(hatinh_officer, project, checker=finance, decision_number="12/QT-STC",
                decision_date=timezoneless_today())  # fmt: skip
    _step(hatinh_officer, project, "close_local")
    project.refresh_from_db()
    assert project.state == S.CLOSED and project.plan == plan


def test_refusals_are_coded_and_change_nothing(implementer, hatinh_officer, nghean_officer, outsider):
    project = _proposal(implementer)
    cases = [
        (hatinh_officer, "province_pass", {}, "wrong_state"),  # still a draft
        (implementer, "province_pass", {}, "forbidden"),  # an implementer does not appraise
        (nghean_officer, "submit", {}, "not_found"),  # another province's project
        (outsider, "submit", {}, "forbidden"),
        (implementer, "fly_away", {}, "unknown_action"),
    ]
    for user, action, kwargs, code in cases:
        with pytest.raises(ActionRefused) as refused:
            _step(user, project, action, **kwargs)
        assert refused.value.code == code, (action, refused.value.code)
    _step(implementer, project, "submit")
    for action in ("province_return", "province_reject"):
        with pytest.raises(ActionRefused) as refused:
            _step(hatinh_officer, project, action)
        assert refused.value.code == "comment_required"
    with pytest.raises(ActionRefused) as refused:
        _step(hatinh_officer, project, "province_pass", on=dt.date(2099, 1, 1))
    assert refused.value.code == "date_in_future"
    project.refresh_from_db()
    assert project.state == S.SUBMITTED and project.transitions.count() == 1
    _step(hatinh_officer, project, "province_return", comment="Thiếu báo giá máy móc")
    project.refresh_from_db()
    assert project.state == S.RETURNED and project.is_editable
    _step(implementer, project, "submit")  # resubmitted after completing the dossier


def test_support_is_checked_against_the_norm_in_force_on_the_date(implementer):
    # Machinery: 50 % up to 200 million under Joint Circular 26/2014 (to 10/5/2018), then up to
    # 300 million under Circular 28/2018.
    old = make_project(year=2017, submitted_on=dt.date(2016, 5, 10), lines=[(600_000_000, 250_000_000)],
                       state=S.AGENCY_PASSED)  # fmt: skip
    findings = check_project(old)
    over = [f for f in findings if f.code == "over_norm"]
    assert over and over[0].blocking and "26/2014/TTLT-BTC-BCT" in over[0].message
    assert over[0].details["allowed"] == 200_000_000
    new = make_project(year=2026, submitted_on=dt.date(2025, 5, 10), lines=[(600_000_000, 250_000_000)])
    assert not [f for f in check_project(new) if f.code == "over_norm"]
    too_much = _proposal(implementer, support=350_000_000, cost=800_000_000)
    with pytest.raises(ActionRefused) as refused:
        _step(implementer, too_much, "submit")
    assert refused.value.code == "over_norm" and "28/2018/TT-BTC" in refused.value.message
    too_much.refresh_from_db()
    assert too_much.state == S.DRAFT and not too_much.transitions.exists()


def test_a_beneficiary_must_be_eligible_on_the_date(agency_officer):
    ward = Commune.objects.current().filter(province__code="01", unit_type="ward").order_by("code").first()
    project = make_project("01", unit="CUC-DMST", lines=[])
    project.beneficiaries.create(establishment=make_establishment("01", commune=ward), eligible_cost=100, support=50)
    with pytest.raises(ActionRefused) as refused:
        actions.take_step(user=agency_officer, project=project, action="submit")
    assert refused.value.code == "not_eligible"


def test_a_stale_edit_is_refused_and_overwrites_nothing(implementer):
    project = _proposal(implementer)
    seen = project.version
    actions.save_project(user=implementer, instance=project, values={"name": "Tên mới"}, version=seen)
    stale = Project.objects.get(pk=project.pk)
    with pytest.raises(ActionRefused) as refused:
        actions.save_project(user=implementer, instance=stale, values={"location": "Xã cũ"}, version=seen)
    assert refused.value.code == "stale"
    project.refresh_from_db()
    assert project.name == "Tên mới" and project.location == ""


def test_bad_proposals_get_field_messages(implementer):
    values = {
        "code": "X1", "name": "", "level": Level.NATIONAL, "content": ActivityContent.objects.get(code="2012-03"),
        "year": 2026, "implementing_unit": OrgUnit.objects.get(code="TTKC-42"),
        "province": Province.objects.current().get(code="42"), "start_date": dt.date(2026, 5, 1),
        "end_date": dt.date(2026, 4, 1), "total_cost": 100, "support_amount": 200,
    }  # fmt: skip
    with pytest.raises(Invalid) as invalid:
        actions.save_project(user=implementer, values=values)
    assert {"name", "end_date", "support_amount"} <= set(invalid.value.errors)
    assert not Project.objects.exists()


def test_an_implementer_reaches_only_its_own_units_projects(implementer, hatinh_officer):
    own = make_project()
    other = make_project(unit="SCT-42")
    assert list(project_list(user=implementer)) == [own]
    assert set(project_list(user=hatinh_officer)) == {own, other}
    with pytest.raises(ActionRefused) as refused:
        actions.take_step(user=implementer, project=other, action="submit")
    assert refused.value.code == "not_found"


def test_the_establishment_lists_every_project_it_took_part_in(hatinh_officer):
    first = make_project(year=2019, submitted_on=dt.date(2018, 5, 1), state=S.CLOSED)
    establishment = first.beneficiaries.get().establishment
    second = make_project(year=2026, level=Level.LOCAL, lines=[])
    second.beneficiaries.create(establishment=establishment, eligible_cost=10, support=5)
    assert list(projects_of_establishment(establishment, user=hatinh_officer)) == [second, first]
