"""Councils as domain actions: totals, averages and the threshold; scores above the maximum
refused with nothing written; conclusions moving the project at both levels with the council in
the transition record; wrong state, wrong role and other provinces refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from khuyencong.appraisal import actions, services
from khuyencong.appraisal.models import Council, CouncilMember, CouncilProject, Criterion, Score, ScoreSheet
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province
from tests.appraisal.factories import full_scores, make_council, review
from tests.conftest import _user
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
S = ProjectState


@pytest.fixture
def council(territory):
    return make_council("42")


def _score_all(user, council, project, totals, submit=True):
    for member, total in zip(council.members.order_by("order"), totals, strict=False):
        actions.save_sheet(user=user, council=council, project=project, member=member, scores=full_scores(total),
                           submit=submit)  # fmt: skip


def test_creating_a_council_gives_it_the_default_criteria_and_the_department(hatinh_officer, territory):
    council = actions.save_council(
        user=hatinh_officer,
        values={"level": Level.LOCAL, "year": 2026, "province": Province.objects.current().get(code="42"),
                "name": "Hội đồng thẩm định đề án khuyến công 2026", "pass_threshold": 70},
    )  # fmt: skip
    assert council.convening_unit.code == "SCT-42"
    assert [(c.code, c.max_score) for c in council.criteria.order_by("order")] == [
        ("necessity", 20), ("feasibility", 25), ("spillover", 20), ("budget", 20), ("capacity", 15)]  # fmt: skip
    assert services.max_total(list(council.criteria.all())) == 100


def test_a_province_cannot_create_another_province_s_nor_the_agency_s_council(hatinh_officer, territory):
    before = Council.objects.count()
    with pytest.raises(Invalid) as refused:
        actions.save_council(user=hatinh_officer, values={
            "level": Level.LOCAL, "year": 2026, "province": Province.objects.current().get(code="40"),
            "name": "Hội đồng Nghệ An"})  # fmt: skip
    assert "province" in refused.value.errors
    with pytest.raises(ActionRefused) as refused:
        actions.save_council(user=hatinh_officer, values={"level": Level.NATIONAL, "year": 2026, "name": "Cục"})
    assert refused.value.code == "forbidden"
    assert Council.objects.count() == before


def test_the_agency_manages_national_councils_not_the_departments(agency_officer, council):
    national = actions.save_council(user=agency_officer, values={"level": Level.NATIONAL, "year": 2026,
                                                                 "name": "Hội đồng thẩm định của Cục"})  # fmt: skip
    assert national.province is None and national.convening_unit.kind == OrgUnit.Kind.AGENCY
    with pytest.raises(ActionRefused) as refused:
        actions.save_council(user=agency_officer, values={"name": "Đổi"}, instance=council)
    assert refused.value.code == "forbidden"


def test_totals_average_and_threshold(hatinh_officer, council):
    project = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[project])
    _score_all(hatinh_officer, council, project, [80, 70], submit=True)
    third = council.members.get(order=3)
    actions.save_sheet(user=hatinh_officer, council=council, project=project, member=third,
                       scores={"necessity": 10, "feasibility": "12,5"}, submit=False)  # fmt: skip
    result = services.review_results(council)[0]
    assert [s.total for s in result.sheets] == [Decimal(80), Decimal(70), Decimal("22.5")]
    assert len(result.submitted) == 2
    assert result.average == Decimal("75.00") and result.passes is True  # the draft does not count
    council.pass_threshold = Decimal("76")
    assert services.review_results(council)[0].passes is False


def test_a_score_above_the_maximum_is_refused_with_nothing_written(hatinh_officer, council):
    project = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[project])
    member = council.members.get(order=1)
    actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                       scores={"necessity": 15})  # fmt: skip
    before = list(Score.objects.values_list("criterion__code", "value"))
    with pytest.raises(Invalid) as refused:
        actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                           scores={"necessity": 18, "feasibility": 26}, comment="mới", submit=True)  # fmt: skip
    assert refused.value.status == 422 and set(refused.value.errors) == {"scores.feasibility"}
    assert list(Score.objects.values_list("criterion__code", "value")) == before
    sheet = ScoreSheet.objects.get()
    assert sheet.comment == "" and not sheet.submitted
    for bad in ("-1", "abc", "12.25"):
        with pytest.raises(Invalid):
            actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                               scores={"necessity": bad})  # fmt: skip
    with pytest.raises(Invalid) as refused:  # a submitted sheet scores every criterion
        actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                           scores={"necessity": 18}, submit=True)  # fmt: skip
    assert "scores.capacity" in refused.value.errors
    assert list(Score.objects.values_list("criterion__code", "value")) == before


def test_a_member_scores_only_their_own_sheet_unless_secretary_or_officer(hatinh_officer, council, django_user_model):
    project = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[project])
    expert = _user(django_user_model, "chuyengia", Role.PROVINCIAL_LEADER, "UBND-42")
    secretary_user = _user(django_user_model, "thuky", Role.PROVINCIAL_FINANCE, "STC-42")
    chair, secretary, member = council.members.order_by("order")
    CouncilMember.objects.filter(pk=member.pk).update(user=expert)
    CouncilMember.objects.filter(pk=secretary.pk).update(user=secretary_user)
    member.refresh_from_db()
    actions.save_sheet(user=expert, council=council, project=project, member=member, scores={"necessity": 10})
    with pytest.raises(ActionRefused) as refused:
        actions.save_sheet(user=expert, council=council, project=project, member=chair, scores={"necessity": 10})
    assert refused.value.code == "forbidden"
    assert not ScoreSheet.objects.filter(member=chair).exists()
    actions.save_sheet(user=secretary_user, council=council, project=project, member=chair, scores={"necessity": 9})
    assert ScoreSheet.objects.filter(member=chair).exists()


def test_a_department_council_concludes_and_the_project_passes_the_province_s_appraisal(hatinh_officer, council):
    passing = make_project("42", state=S.SUBMITTED)
    failing = make_project("42", state=S.SUBMITTED)
    returned = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[passing, failing, returned])
    _score_all(hatinh_officer, council, passing, [85, 75, 80])
    _score_all(hatinh_officer, council, failing, [50, 60, 55])
    with pytest.raises(ActionRefused) as refused:
        actions.conclude_project(user=hatinh_officer, council=council, project=failing, conclusion="pass")
    assert refused.value.code == "below_threshold"
    with pytest.raises(ActionRefused) as refused:
        actions.conclude_project(user=hatinh_officer, council=council, project=returned, conclusion="pass")
    assert refused.value.code == "no_sheets"
    with pytest.raises(ActionRefused) as refused:
        actions.conclude_project(user=hatinh_officer, council=council, project=failing, conclusion="fail")
    assert refused.value.code == "comment_required"
    failing.refresh_from_db()
    assert failing.state == S.SUBMITTED and not failing.transitions.exists()

    done = actions.conclude_project(user=hatinh_officer, council=council, project=passing, conclusion="pass")
    assert done.average == Decimal("80.00")
    passing.refresh_from_db()
    assert passing.state == S.PROVINCE_PASSED
    step = passing.transitions.get()
    assert (step.action, step.user, step.from_state) == ("province_pass", hatinh_officer, S.SUBMITTED)
    assert step.data["council"] == council.pk and step.data["average"] == "80.00" and step.data["sheets"] == 3
    actions.conclude_project(user=hatinh_officer, council=council, project=failing, conclusion="fail",
                             comment="Điểm bình quân dưới ngưỡng")  # fmt: skip
    actions.conclude_project(user=hatinh_officer, council=council, project=returned, conclusion="needs_documents",
                             comment="Bổ sung báo giá thiết bị")  # fmt: skip
    failing.refresh_from_db()
    returned.refresh_from_db()
    assert (failing.state, returned.state) == (S.REJECTED, S.RETURNED)
    assert returned.transitions.get().comment == "Bổ sung báo giá thiết bị"
    with pytest.raises(ActionRefused) as refused:
        actions.conclude_project(user=hatinh_officer, council=council, project=passing, conclusion="pass")
    assert refused.value.code == "already_concluded"
    with pytest.raises(ActionRefused) as refused:  # a concluded project's sheets are closed
        actions.save_sheet(user=hatinh_officer, council=council, project=passing,
                           member=council.members.first(), scores={"necessity": 1})  # fmt: skip
    assert refused.value.code == "already_concluded"
    concluded = actions.conclude_council(user=hatinh_officer, council=council, minutes="Biên bản họp")
    assert concluded.state == Council.State.CONCLUDED and concluded.minutes == "Biên bản họp"
    assert concluded.transitions.get().action == "conclude"
    with pytest.raises(ActionRefused) as refused:
        actions.save_council(user=hatinh_officer, values={"name": "Đổi"}, instance=concluded)
    assert refused.value.code == "council_concluded"


def test_the_agency_council_concludes_with_the_agency_s_steps(agency_officer, territory):
    council = make_council(None)
    project = make_project("42", state=S.AT_AGENCY)
    other = make_project("40", state=S.AT_AGENCY)
    actions.add_projects(user=agency_officer, council=council, projects=[project, other])
    _score_all(agency_officer, council, project, [90, 72, 78])
    actions.conclude_project(user=agency_officer, council=council, project=project, conclusion="pass")
    actions.conclude_project(user=agency_officer, council=council, project=other, conclusion="needs_documents",
                             comment="Thiếu hồ sơ")  # fmt: skip
    project.refresh_from_db()
    other.refresh_from_db()
    assert (project.state, other.state) == (S.AGENCY_PASSED, S.RETURNED)
    step = project.transitions.get()
    assert step.action == "agency_pass" and step.data["council"] == council.pk and step.data["average"] == "80.00"
    assert other.transitions.get().action == "agency_return"


def test_only_projects_in_the_right_state_province_and_year_can_be_added(hatinh_officer, agency_officer, council):
    draft = make_project("42", state=S.DRAFT)
    other_province = make_project("40", state=S.SUBMITTED)
    other_year = make_project("42", state=S.SUBMITTED, year=2025)
    at_agency = make_project("42", state=S.AT_AGENCY)
    for project in (draft, other_province, other_year, at_agency):
        with pytest.raises(ActionRefused) as refused:
            actions.add_projects(user=hatinh_officer, council=council, projects=[project])
        assert refused.value.code == "wrong_project_state"
    assert not CouncilProject.objects.exists()
    national = make_council(None)
    submitted = make_project("42", state=S.SUBMITTED)
    local_at_agency = make_project("42", state=S.SUBMITTED, level=Level.LOCAL)
    for project in (submitted, local_at_agency):
        with pytest.raises(ActionRefused):
            actions.add_projects(user=agency_officer, council=national, projects=[project])
    actions.add_projects(user=agency_officer, council=national, projects=[at_agency])
    with pytest.raises(ActionRefused):  # once only
        actions.add_projects(user=agency_officer, council=national, projects=[at_agency])


def test_wrong_role_and_other_province_are_refused_with_nothing_changed(
    hatinh_officer, nghean_officer, implementer, agency_officer, council
):
    project = make_project("42", state=S.SUBMITTED)
    review(council, project)
    member = council.members.first()
    for user, code in ((nghean_officer, "not_found"), (implementer, "not_found"), (agency_officer, "forbidden")):
        for call in (
            lambda u: actions.add_projects(user=u, council=council, projects=[make_project("42", state=S.SUBMITTED)]),
            lambda u: actions.conclude_project(user=u, council=council, project=project, conclusion="fail",
                                               comment="x"),
            lambda u: actions.save_sheet(user=u, council=council, project=project, member=member,
                                         scores={"necessity": 1}),
            lambda u: actions.set_members(user=u, council=council, members=[]),
            lambda u: actions.delete_council(user=u, council=council),
        ):  # fmt: skip
            with pytest.raises(ActionRefused) as refused:
                call(user)
            assert refused.value.code == code, (user, refused.value.code)
    project.refresh_from_db()
    assert project.state == S.SUBMITTED and council.members.count() == 3
    assert not ScoreSheet.objects.exists() and Council.objects.filter(pk=council.pk).exists()


def test_members_and_criteria(hatinh_officer, council, django_user_model):
    expert = _user(django_user_model, "chuyengia", Role.PROVINCIAL_LEADER, "UBND-42")
    chair = council.members.get(order=1)
    members = actions.set_members(user=hatinh_officer, council=council, members=[
        actions.MemberInput(full_name="Nguyễn Văn Chủ", role="chair", id=chair.pk, position="Phó Giám đốc Sở"),
        actions.MemberInput(full_name="Trần Thị Thư", role="secretary"),
        actions.MemberInput(full_name="Lê Văn Gia", role="member", user=expert),
    ])  # fmt: skip
    assert [m.full_name for m in members] == ["Nguyễn Văn Chủ", "Trần Thị Thư", "Lê Văn Gia"]
    assert members[0].pk == chair.pk and council.members.count() == 3
    with pytest.raises(Invalid):
        actions.set_members(user=hatinh_officer, council=council, members=[
            actions.MemberInput(full_name="A", role="chair"),
            actions.MemberInput(full_name="B", role="chair")])  # fmt: skip
    criteria = actions.set_criteria(user=hatinh_officer, council=council, criteria=[
        actions.CriterionInput("necessity", "Sự cần thiết", 30),
        actions.CriterionInput("effect", "Hiệu quả", 70)])  # fmt: skip
    assert [(c.code, c.max_score) for c in criteria] == [("necessity", 30), ("effect", 70)]
    project = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[project])
    actions.save_sheet(user=expert, council=council, project=project, member=members[2], scores={"effect": 60})
    with pytest.raises(ActionRefused) as refused:
        actions.set_criteria(user=hatinh_officer, council=council, criteria=[actions.CriterionInput("x", "X", 100)])
    assert refused.value.code == "scoring_started"
    assert Criterion.objects.filter(council=council).count() == 2
    with pytest.raises(Invalid):  # a member who has scored stays
        actions.set_members(user=hatinh_officer, council=council, members=[
            actions.MemberInput(full_name="Nguyễn Văn Chủ", role="chair", id=chair.pk)])  # fmt: skip


def test_a_council_with_conclusions_is_not_deleted_and_one_without_is(hatinh_officer, council):
    project = make_project("42", state=S.SUBMITTED)
    actions.add_projects(user=hatinh_officer, council=council, projects=[project])
    actions.save_sheet(user=hatinh_officer, council=council, project=project, member=council.members.first(),
                       scores={"necessity": 1})  # fmt: skip
    actions.conclude_project(user=hatinh_officer, council=council, project=project, conclusion="fail", comment="x")
    with pytest.raises(ActionRefused) as refused:
        actions.delete_council(user=hatinh_officer, council=council)
    assert refused.value.code == "in_use"
    empty = make_council("42")
    actions.delete_council(user=hatinh_officer, council=empty)
    assert not Council.objects.filter(pk=empty.pk).exists()


def test_conclude_the_council_needs_every_project_concluded(hatinh_officer, council):
    review(council, make_project("42", state=S.SUBMITTED))
    with pytest.raises(ActionRefused) as refused:
        actions.conclude_council(user=hatinh_officer, council=council)
    assert refused.value.code == "projects_open"
    council.refresh_from_db()
    assert council.state == Council.State.OPEN
