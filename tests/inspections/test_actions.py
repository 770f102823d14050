"""The inspection actions: missions, visits, findings and follow-ups written through
``inspections.actions``; every bad input is refused with a message on the field and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from khuyencong.inspections import actions
from khuyencong.inspections.models import (
    Finding,
    FollowUp,
    FollowUpStatus,
    FollowUpTransition,
    InspectionMission,
    MissionState,
    MissionTransition,
    Visit,
)
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import OrgUnit
from tests.inspections.factories import (
    END,
    START,
    full_mission,
    make_finding,
    make_mission,
    make_plan,
    make_visit,
    province,
)
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


def _values(**overrides):
    values = {
        "name": "Đoàn kiểm tra miền Trung",
        "lead_unit": OrgUnit.objects.get(code="CUC-DMST"),
        "start_date": START,
        "end_date": END,
        "purpose": "",
    }
    values.update(overrides)
    return values


def _counts():
    return (
        InspectionMission.objects.count(),
        Visit.objects.count(),
        Finding.objects.count(),
        FollowUp.objects.count(),
        MissionTransition.objects.count(),
        FollowUpTransition.objects.count(),
    )


def test_agency_creates_a_national_mission_with_members(people):
    plan = make_plan()
    members = [actions.Member("Đỗ Văn Minh", "head", "Cục"), actions.Member("Phan Thị Hoa", "secretary")]
    mission = actions.save_mission(
        user=people["agency"], plan=plan, values=_values(), provinces=[province("42"), province("40")], members=members
    )
    assert mission.state == MissionState.DRAFT
    assert sorted(p.code for p in mission.provinces.all()) == ["40", "42"]
    assert [m.role for m in mission.members.order_by("position")] == ["head", "secretary"]


def test_end_before_start_is_refused_and_nothing_written(people):
    plan = make_plan()
    before = _counts()
    with pytest.raises(Invalid) as refused:
        actions.save_mission(
            user=people["agency"],
            plan=plan,
            values=_values(end_date=START - dt.timedelta(days=1)),
            provinces=[province("42")],
        )
    assert "trước ngày bắt đầu (02/03/2026)" in refused.value.errors["end_date"]
    assert _counts() == before


def test_a_provincial_officer_cannot_send_a_mission_outside_the_province(people):
    plan = make_plan("42")
    before = _counts()
    with pytest.raises(Invalid) as refused:
        actions.save_mission(user=people["hatinh"], plan=plan, values=_values(), provinces=[province("40")])
    assert "chỉ kiểm tra trong tỉnh" in refused.value.errors["provinces"]
    with pytest.raises(ActionRefused) as refused:  # Nghệ An's officer on Hà Tĩnh's plan
        actions.save_mission(user=people["nghean"], plan=plan, values=_values(), provinces=[province("42")])
    assert refused.value.errors.get("plan") or refused.value.status == 403
    assert _counts() == before


def test_a_provincial_officer_cannot_write_a_national_mission(people):
    mission = make_mission("42")
    with pytest.raises(ActionRefused) as refused:
        actions.record_visit(user=people["hatinh"], mission=mission, project=make_project("42"), visited_on=START)
    assert refused.value.status == 403
    with pytest.raises(ActionRefused) as refused:  # a mission to Hà Tĩnh only: out of Nghệ An's reach
        actions.take_mission_step(user=people["nghean"], mission=mission, action="report")
    assert refused.value.status in (403, 404)
    assert not Visit.objects.exists()


def test_visiting_a_project_outside_the_missions_provinces_is_refused(people):
    mission = make_mission("42")
    elsewhere = make_project("40", state="in_progress")
    with pytest.raises(Invalid) as refused:
        actions.record_visit(user=people["agency"], mission=mission, project=elsewhere, visited_on=START)
    assert elsewhere.code in refused.value.errors["project"]
    assert "không đến kiểm tra" in refused.value.errors["project"]
    assert not Visit.objects.exists()


def test_a_visit_outside_the_missions_dates_is_refused(people):
    mission = make_mission("42")
    with pytest.raises(Invalid) as refused:
        actions.record_visit(
            user=people["agency"], mission=mission, project=make_project("42"), visited_on=END + dt.timedelta(days=1)
        )
    assert "20/03/2026" in refused.value.errors["visited_on"]
    assert not Visit.objects.exists()


def test_findings_and_follow_ups_follow_the_visit(people):
    mission = make_mission("42", "40")
    visit = actions.record_visit(user=people["agency"], mission=mission, project=make_project("40"), visited_on=START)
    finding = actions.add_finding(
        user=people["agency"], mission=mission, visit=visit, severity="major", text="Chậm tiến độ", recorded_on=START
    )
    assert finding.province.code == "40"
    up = actions.add_follow_up(
        user=people["agency"],
        finding=finding,
        action="Báo cáo tiến độ",
        responsible_unit=OrgUnit.objects.get(code="TTKC-40"),
        due_date=dt.date(2026, 5, 1),
    )
    assert up.status == FollowUpStatus.OPEN


def test_a_finding_about_a_province_the_mission_does_not_go_to_is_refused(people):
    mission = make_mission("42", "40")
    with pytest.raises(Invalid) as refused:
        actions.add_finding(user=people["agency"], mission=mission, text="x", province=province("38"))
    assert "province" in refused.value.errors
    with pytest.raises(Invalid) as refused:  # two provinces: say which
        actions.add_finding(user=people["agency"], mission=mission, text="Chung")
    assert "province" in refused.value.errors
    assert not Finding.objects.exists()


def test_a_follow_up_due_before_the_mission_is_refused(people):
    mission = make_mission("42")
    finding = make_finding(mission, make_visit(mission))
    with pytest.raises(Invalid) as refused:
        actions.add_follow_up(
            user=people["agency"],
            finding=finding,
            action="Khắc phục",
            responsible_unit=OrgUnit.objects.get(code="TTKC-42"),
            due_date=START - dt.timedelta(days=1),
        )
    assert "trước ngày đoàn bắt đầu (02/03/2026)" in refused.value.errors["due_date"]
    assert not FollowUp.objects.exists()


def test_the_implementer_closes_its_follow_up_with_a_record_and_an_inspector_reopens_it(people, implementer):
    _mission, _visit, _finding, up = full_mission("42")
    done = actions.close_follow_up(
        user=implementer, follow_up=up, note="Đã lắp biển hiệu", closed_on=dt.date(2026, 4, 2)
    )
    assert done.status == FollowUpStatus.DONE and done.closed_on == dt.date(2026, 4, 2)
    record = up.transitions.get()
    assert (record.action, record.user, record.comment) == ("close", implementer, "Đã lắp biển hiệu")
    with pytest.raises(ActionRefused) as refused:  # implementers report; they do not reopen
        actions.reopen_follow_up(user=implementer, follow_up=done, comment="x")
    assert refused.value.status == 403
    again = actions.reopen_follow_up(user=people["agency"], follow_up=done, comment="Chưa đủ hồ sơ")
    assert again.status == FollowUpStatus.OPEN and again.closed_on is None
    assert up.transitions.count() == 2


def test_closing_needs_a_note_and_a_date_not_before_the_mission(people, implementer):
    _mission, _visit, _finding, up = full_mission("42")
    with pytest.raises(ActionRefused) as refused:
        actions.close_follow_up(user=implementer, follow_up=up, note="  ")
    assert refused.value.field == "note"
    with pytest.raises(ActionRefused) as refused:
        actions.close_follow_up(user=implementer, follow_up=up, note="Xong", closed_on=START - dt.timedelta(days=3))
    assert refused.value.field == "closed_on"
    up.refresh_from_db()
    assert up.status == FollowUpStatus.OPEN and not up.transitions.exists()


def test_an_implementer_of_another_unit_cannot_close_it(people, django_user_model):
    from khuyencong.organisation.services import assign_role

    _mission, _visit, _finding, up = full_mission("40")  # addressed to Nghệ An's centre
    other = django_user_model.objects.create_user(username="tt42", password="x-Mat-khau-2026")
    assign_role(user=other, role="implementer", org_unit=OrgUnit.objects.get(code="TTKC-42"))
    with pytest.raises(ActionRefused):
        actions.close_follow_up(user=other, follow_up=up, note="Xong")
    up.refresh_from_db()
    assert up.status == FollowUpStatus.OPEN


def test_overdue_is_computed_from_the_due_date(people):
    _mission, _visit, _finding, up = full_mission("42")
    today = timezone.localdate()
    assert up.is_overdue(up.due_date + dt.timedelta(days=1))
    assert not up.is_overdue(up.due_date)
    up.status = FollowUpStatus.DONE
    assert not up.is_overdue(today + dt.timedelta(days=3650))


def test_mission_lifecycle_with_records(people):
    mission = make_mission("42", state=MissionState.DRAFT)
    with pytest.raises(ActionRefused):  # no visit yet: nothing to report
        actions.take_mission_step(user=people["agency"], mission=mission, action="report")
    actions.take_mission_step(user=people["agency"], mission=mission, action="start")
    mission.refresh_from_db()
    with pytest.raises(ActionRefused) as refused:
        actions.take_mission_step(user=people["agency"], mission=mission, action="report")
    assert refused.value.code == "nothing_recorded"
    make_visit(mission)
    actions.take_mission_step(
        user=people["agency"],
        mission=mission,
        action="report",
        decision_number="15/BC",
        decision_date=dt.date(2026, 3, 25),
    )
    actions.take_mission_step(
        user=people["agency"], mission=InspectionMission.objects.get(pk=mission.pk), action="close"
    )
    mission.refresh_from_db()
    assert mission.state == MissionState.CLOSED
    assert list(mission.transitions.values_list("action", flat=True)) == ["start", "report", "close"]
    with pytest.raises(ActionRefused) as refused:
        actions.record_visit(user=people["agency"], mission=mission, project=make_project("42"), visited_on=START)
    assert refused.value.code == "mission_closed"


def test_editing_cannot_strand_a_visit(people):
    mission = make_mission("42", "40")
    make_visit(mission, province_code="40")
    before = sorted(mission.provinces.values_list("code", flat=True))
    with pytest.raises(Invalid) as refused:
        actions.save_mission(user=people["agency"], instance=mission, values=_values(), provinces=[province("42")])
    assert "đã kiểm tra đề án" in refused.value.errors["provinces"]
    assert sorted(mission.provinces.values_list("code", flat=True)) == before


def test_a_stale_edit_is_refused(people):
    mission = make_mission("42")
    actions.save_mission(
        user=people["agency"], instance=mission, values=_values(name="Một"), provinces=[province("42")]
    )
    with pytest.raises(ActionRefused) as refused:
        actions.save_mission(
            user=people["agency"], instance=mission, values=_values(name="Hai"), provinces=[province("42")], version=0
        )
    assert refused.value.code == "stale"
    mission.refresh_from_db()
    assert mission.name == "Một"


def test_only_an_empty_draft_is_deleted(people):
    mission = make_mission("42", state=MissionState.DRAFT)
    make_visit(mission)
    with pytest.raises(ActionRefused):
        actions.delete_mission(user=people["agency"], mission=mission)
    empty = make_mission("42", state=MissionState.DRAFT)
    actions.delete_mission(user=people["agency"], mission=empty)
    assert not InspectionMission.objects.filter(pk=empty.pk).exists()
