"""The plan actions and their refusals: each refusal is coded and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning import actions
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion, PlanVersionTransition
from khuyencong.planning.services import line_rows, plan_lines, version_diff
from khuyencong.rulebook.models import Level
from tests.planning.factories import content, make_plan, province

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(django_user_model, territory):
    from tests.conftest import _user

    return _user(django_user_model, "hatinh.lanhdao", "provincial_leader", "UBND-42")


def _plan(user, total=2_080_000_000):
    return actions.create_plan(
        user=user, level=Level.LOCAL, year=2020, name="Kế hoạch khuyến công địa phương 2020 Hà Tĩnh",
        owner=OrgUnit.objects.get(code="SCT-42"), province=province("42"), declared_total=total,
    )  # fmt: skip


def _approve(user, version, number="01/QĐ-UBND"):
    return actions.approve_version(user=user, version=version, decision_number=number,
                                   decision_date=dt.date(2020, 2, 1), signer="Chủ tịch UBND tỉnh")  # fmt: skip


def _lines(user, version, amounts):
    group = actions.save_plan_line(user=user, version=version, values={"number": "I", "name": "Đào tạo",
                                                                      "content": content("2012-01")})  # fmt: skip
    for index, amount in enumerate(amounts, start=1):
        actions.save_plan_line(user=user, version=version, values={
            "number": str(index), "name": f"Lớp đào tạo {index}", "parent": group, "amount": amount,
            "content": content("2012-01")})  # fmt: skip
    return group


def test_create_edit_approve_and_adjust_a_local_plan(hatinh_officer, leader):
    plan = _plan(hatinh_officer, 300)
    (original,) = plan.versions.all()
    assert original.kind == "original" and original.status == "draft" and original.sequence == 1
    _lines(hatinh_officer, original, [100, 200])
    approved = _approve(leader, original)
    assert approved.status == "approved" and approved.decision_number == "01/QĐ-UBND"
    transition = PlanVersionTransition.objects.get(plan_version=original)
    assert (transition.user, transition.from_state, transition.to_state) == (leader, "draft", "approved")
    draft = actions.start_change(user=hatinh_officer, plan=plan, kind="adjusted", reason="Dịch COVID-19")
    assert draft.sequence == 2 and draft.declared_total == 300
    copied = plan_lines(draft)
    assert [(line.number, line.amount) for line in copied] == [("I", 0), ("1", 100), ("2", 200)]
    assert copied[1].parent_id == copied[0].pk  # the tree is copied, not pointed at the old rows
    flags = {"disruption": "epidemic", "disruption_event": "COVID-19", "disruption_note": "Lùi lớp"}
    actions.save_plan_line(user=hatinh_officer, version=draft, instance=copied[2], values={"amount": 150, **flags})
    actions.update_draft(user=hatinh_officer, version=draft, declared_total=250)
    diff = version_diff(draft)
    assert [(c.after.number, c.delta) for c in diff.changed] == [("2", -50)]
    assert (diff.total_before, diff.total_after) == (300, 250)
    _approve(leader, draft, "02/QĐ-UBND")
    plan.refresh_from_db()
    assert plan.declared_total == 250
    assert [row.amount for row in line_rows(plan_lines(draft))] == [250, 100, 150]


def test_negative_amount_is_refused(hatinh_officer):
    plan = _plan(hatinh_officer)
    version = plan.versions.get()
    with pytest.raises(ActionRefused) as refused:
        actions.save_plan_line(user=hatinh_officer, version=version, values={"name": "Sai", "amount": -5})
    assert (refused.value.code, refused.value.status, refused.value.field) == ("negative_amount", 422, "amount")
    assert not version.lines.exists()


def test_total_must_match_the_declared_total(hatinh_officer, leader):
    plan = _plan(hatinh_officer, 1_000)
    version = plan.versions.get()
    _lines(hatinh_officer, version, [400, 500])
    with pytest.raises(ActionRefused) as refused:
        _approve(leader, version)
    assert refused.value.code == "total_mismatch" and "900 đ" in refused.value.message
    version.refresh_from_db()
    assert version.status == "draft" and not version.transitions.exists()


def test_a_version_is_approved_once(hatinh_officer, leader):
    plan = _plan(hatinh_officer, 300)
    version = plan.versions.get()
    _lines(hatinh_officer, version, [300])
    _approve(leader, version)
    with pytest.raises(ActionRefused) as refused:
        _approve(leader, PlanVersion.objects.get(pk=version.pk), "03/QĐ-UBND")
    assert refused.value.code == "already_approved"
    version.refresh_from_db()
    assert version.decision_number == "01/QĐ-UBND" and version.transitions.count() == 1


def test_a_closed_plan_is_not_adjusted(hatinh_officer, leader):
    plan = make_plan("42", approved=True)
    actions.close_plan(user=hatinh_officer, plan=plan, comment="Kết thúc năm")
    plan.refresh_from_db()
    assert plan.state == "closed" and plan.transitions.get().to_state == "closed"
    with pytest.raises(ActionRefused) as refused:
        actions.start_change(user=hatinh_officer, plan=plan, kind="supplementary")
    assert refused.value.code == "plan_closed"
    assert plan.versions.count() == 1


def test_approved_versions_are_not_edited_and_drafts_are_single(hatinh_officer):
    plan = make_plan("42", approved=True)
    version = plan.versions.get()
    line = version.lines.first()
    with pytest.raises(ActionRefused) as refused:
        actions.save_plan_line(user=hatinh_officer, version=version, instance=line, values={"amount": 1})
    assert refused.value.code == "not_draft"
    actions.start_change(user=hatinh_officer, plan=plan, kind="supplementary")
    with pytest.raises(ActionRefused) as refused:
        actions.start_change(user=hatinh_officer, plan=plan, kind="adjusted")
    assert refused.value.code == "draft_exists"


def test_reach_and_permissions(hatinh_officer, nghean_officer, agency_officer, leader):
    local = make_plan("42")
    national = make_plan(None)
    version = local.versions.get()
    with pytest.raises(ActionRefused) as refused:  # another province's plan does not exist for them
        actions.save_plan_line(user=nghean_officer, version=version, values={"name": "X", "amount": 1})
    assert refused.value.status == 404
    with pytest.raises(ActionRefused) as refused:  # a national plan is read, not written, by a province
        actions.start_change(user=hatinh_officer, plan=national, kind="adjusted")
    assert refused.value.status == 403
    with pytest.raises(ActionRefused) as refused:  # officers prepare, leaders approve
        _approve(hatinh_officer, version)
    assert refused.value.status == 403
    with pytest.raises(Invalid) as invalid:  # a local plan outside the officer's provinces
        actions.create_plan(user=hatinh_officer, level=Level.LOCAL, year=2021, name="KH Nghệ An",
                            owner=OrgUnit.objects.get(code="SCT-40"), province=province("40"),
                            declared_total=0)  # fmt: skip
    assert "province" in invalid.value.errors
    assert not AnnualPlan.objects.filter(year=2021).exists()
    with pytest.raises(Invalid):  # and no national plan from a province
        actions.create_plan(user=hatinh_officer, level=Level.NATIONAL, year=2021, name="KH quốc gia",
                            owner=OrgUnit.objects.get(code="CUC-DMST"), declared_total=0)  # fmt: skip
    plan = actions.create_plan(user=agency_officer, level=Level.NATIONAL, year=2021, name="KH quốc gia 2021",
                               owner=OrgUnit.objects.get(code="CUC-DMST"), declared_total=0)  # fmt: skip
    assert plan.versions.get().status == "draft"


def test_line_rules(hatinh_officer):
    plan = make_plan("42", year=2020)
    version = plan.versions.get()
    other = make_plan("40").versions.get().lines.first()
    with pytest.raises(Invalid) as invalid:
        actions.save_plan_line(user=hatinh_officer, version=version, values={
            "name": "Chuyển đổi số", "amount": 5, "content": content("2025-06"), "parent": other,
            "disruption": "natural_disaster", "province": province("40")})  # fmt: skip
    assert set(invalid.value.errors) == {"content", "parent", "disruption_event", "province"}
    assert version.lines.count() == 3
    group = version.lines.get(number="I")
    child = version.lines.get(number="1")
    with pytest.raises(Invalid) as invalid:
        actions.save_plan_line(user=hatinh_officer, version=version, instance=group, values={"parent": child})
    assert "parent" in invalid.value.errors


def test_delete_plan_only_before_approval(hatinh_officer):
    approved = make_plan("42", approved=True)
    with pytest.raises(ActionRefused) as refused:
        actions.delete_plan(user=hatinh_officer, plan=approved)
    assert refused.value.code == "in_use"
    draft = make_plan("42", year=2021)
    actions.delete_plan(user=hatinh_officer, plan=draft)
    assert not AnnualPlan.objects.filter(pk=draft.pk).exists()
    assert not PlanLine.objects.filter(plan_version__plan=draft.pk).exists()


def test_a_local_plan_is_approved_by_its_province_not_by_the_agency(django_user_model, hatinh_officer, leader):
    from khuyencong.planning.selectors import versions_awaiting_approval
    from tests.conftest import _user

    agency_leader = _user(django_user_model, "cuc.lanhdao", "agency_leader", "CUC-DMST")
    plan = _plan(hatinh_officer, 300)
    version = plan.versions.get()
    _lines(hatinh_officer, version, [300])
    assert version not in versions_awaiting_approval(agency_leader)
    assert actions.VERSION_REVIEW.refusal(version, agency_leader, "approve").code == "wrong_level"
    with pytest.raises(ActionRefused) as refused:
        _approve(agency_leader, version)
    assert refused.value.code == "wrong_level"
    version.refresh_from_db()
    assert version.status == "draft" and version.transitions.count() == 0
    assert version in versions_awaiting_approval(leader)
    _approve(leader, version)
    assert PlanVersion.objects.get(pk=version.pk).status == "approved"
