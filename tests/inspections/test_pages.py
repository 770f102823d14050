"""The inspection pages: the mission list with its filters and export, the mission page with its
visits, findings, follow-ups and documents, the forms (bad input comes back with a message and
writes nothing), the follow-up list overdue first, and the sections on the project and home pages."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from khuyencong.inspections.models import FollowUp, FollowUpStatus, InspectionMission, MissionState, Visit
from khuyencong.organisation.models import OrgUnit
from tests.inspections.factories import (
    full_mission,
    make_finding,
    make_follow_up,
    make_mission,
    make_plan,
    make_visit,
    province,
)
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


def test_mission_list_filters_by_year_province_and_state(people, client_for):
    make_mission("42", name="Đoàn Hà Tĩnh 2026")
    make_mission("40", name="Đoàn Nghệ An 2026", state=MissionState.DRAFT)
    make_mission(
        "42",
        name="Đoàn Hà Tĩnh 2025",
        plan=make_plan(year=2025),
        start_date=dt.date(2025, 5, 5),
        end_date=dt.date(2025, 5, 9),
    )
    page = client_for(people["agency"])
    text = page.get("/inspections/", {"year": "2026"}).content.decode()
    assert "Đoàn Hà Tĩnh 2026" in text and "Đoàn Nghệ An 2026" in text and "Đoàn Hà Tĩnh 2025" not in text
    text = page.get("/inspections/", {"province": "40"}).content.decode()
    assert "Đoàn Nghệ An 2026" in text and "Đoàn Hà Tĩnh 2026" not in text
    text = page.get("/inspections/", {"state": "draft"}).content.decode()
    assert "Đoàn Nghệ An 2026" in text and "Đoàn Hà Tĩnh 2026" not in text
    text = page.get("/inspections/", {"sort": "-name"}).content.decode()
    assert text.index("Đoàn Nghệ An 2026") < text.index("Đoàn Hà Tĩnh 2026")


def test_a_mission_to_two_provinces_is_listed_once_and_exported(people, client_for):
    make_mission("42", "40", name="Đoàn liên tỉnh")
    page = client_for(people["agency"])
    assert page.get("/inspections/").content.decode().count("Đoàn liên tỉnh") == 1
    export = page.get("/inspections/export/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    rows = [r for r in book.active.iter_rows(values_only=True) if "Đoàn liên tỉnh" in r]
    assert len(rows) == 1 and "Hà Tĩnh" in " ".join(str(c) for c in rows[0] if c)


def test_mission_page_shows_members_visits_findings_and_overdue_follow_ups(people, client_for):
    mission, visit, finding, up = full_mission("42")
    make_follow_up(finding, due=timezone.localdate() - dt.timedelta(days=5), action="Báo cáo quá hạn")
    mission.members.create(position=1, name="Đỗ Văn Minh", role="head")
    text = client_for(people["agency"]).get(f"/inspections/{mission.pk}/").content.decode()
    assert "Đỗ Văn Minh" in text and "Trưởng đoàn" in text
    assert visit.project.code in text and f"/projects/{visit.project.pk}/" in text
    assert finding.text in text and up.action in text
    assert "Quá hạn 5 ngày" in text
    assert "attachments-inspections-inspectionmission" in text  # the documents panel


def test_a_provincial_officer_sees_only_the_visits_in_the_province(hatinh_officer, client_for):
    mission = make_mission("42", "40")
    here, there = make_visit(mission, province_code="42"), make_visit(mission, province_code="40")
    text = client_for(hatinh_officer).get(f"/inspections/{mission.pk}/").content.decode()
    assert here.project.code in text and there.project.code not in text


def test_creating_a_mission_through_the_form(people, client_for):
    plan = make_plan()
    data = {
        "plan": plan.pk,
        "name": "Đoàn kiểm tra mới",
        "lead_unit": OrgUnit.objects.get(code="CUC-DMST").pk,
        "start_date": "02/03/2026",
        "end_date": "10/03/2026",
        "provinces": [province("42").pk],
        "members": "Đỗ Văn Minh; trưởng đoàn; Cục\nPhan Thị Hoa; thư ký",
    }
    response = client_for(people["agency"]).post("/inspections/new/", data)
    assert response.status_code == 302
    mission = InspectionMission.objects.get(name="Đoàn kiểm tra mới")
    assert [m.role for m in mission.members.order_by("position")] == ["head", "secretary"]


def test_the_form_says_what_is_wrong_and_writes_nothing(people, client_for):
    plan = make_plan()
    data = {
        "plan": plan.pk,
        "name": "Đoàn sai ngày",
        "lead_unit": OrgUnit.objects.get(code="CUC-DMST").pk,
        "start_date": "10/03/2026",
        "end_date": "02/03/2026",
        "provinces": [province("42").pk],
        "members": "Đỗ Văn Minh; giám đốc",
    }
    response = client_for(people["agency"]).post("/inspections/new/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "vai trò “giám đốc” không rõ" in text
    data["members"] = ""
    text = client_for(people["agency"]).post("/inspections/new/", data).content.decode()
    assert "02/03/2026" in text and "10/03/2026" in text
    assert not InspectionMission.objects.filter(name="Đoàn sai ngày").exists()


def test_recording_a_visit_outside_the_provinces_is_refused_on_the_page(people, client_for):
    mission = make_mission("42")
    elsewhere = make_project("40", state="in_progress")
    page = client_for(people["agency"])
    response = page.post(
        f"/inspections/{mission.pk}/visits/new/", {"project": elsewhere.pk, "visited_on": "2026-03-05"}
    )
    assert response.status_code == 200  # the project is not among the choices: the form says so
    assert not Visit.objects.exists()
    good = make_project("42", state="in_progress")
    response = page.post(f"/inspections/{mission.pk}/visits/new/", {"project": good.pk, "visited_on": "2026-03-05"})
    assert response.status_code == 302 and Visit.objects.get().project == good


def test_removing_a_visit_asks_first(people, client_for):
    mission = make_mission("42")
    visit = make_visit(mission)
    page = client_for(people["agency"])
    text = page.get(f"/inspections/{mission.pk}/visits/{visit.pk}/remove/").content.decode()
    assert visit.project.code in text and "btn-danger" in text
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert page.post(f"/inspections/{mission.pk}/visits/{visit.pk}/remove/").status_code == 302
    assert not Visit.objects.filter(pk=visit.pk).exists()


def test_follow_up_due_before_the_mission_is_refused_on_the_page(people, client_for):
    mission = make_mission("42")
    finding = make_finding(mission, make_visit(mission))
    data = {"action": "Khắc phục", "responsible_unit": OrgUnit.objects.get(code="TTKC-42").pk, "due_date": "2026-02-01"}
    response = client_for(people["agency"]).post(
        f"/inspections/{mission.pk}/findings/{finding.pk}/follow-ups/new/", data
    )
    assert response.status_code == 200 and "02/03/2026" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_follow_up_list_puts_the_overdue_first(implementer, client_for):
    _mission, _visit, finding, later = full_mission("42")
    FollowUp.objects.filter(pk=later.pk).update(due_date=timezone.localdate() + dt.timedelta(days=40))
    overdue = make_follow_up(finding, due=timezone.localdate() - dt.timedelta(days=3), action="Việc quá hạn")
    done = make_follow_up(finding, due=dt.date(2026, 3, 30), action="Việc đã xong", status=FollowUpStatus.DONE)
    text = client_for(implementer).get("/inspections/follow-ups/").content.decode()
    assert text.index(overdue.action) < text.index(later.action) < text.index(done.action)
    text = client_for(implementer).get("/inspections/follow-ups/", {"status": "overdue"}).content.decode()
    assert overdue.action in text and later.action not in text
    export = client_for(implementer).get("/inspections/follow-ups/export/", {"status": "open"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    cells = " ".join(str(c) for r in book.active.iter_rows(values_only=True) for c in r if c)
    assert overdue.action in cells and done.action not in cells


def test_closing_a_follow_up_through_the_page(implementer, client_for):
    _mission, _visit, _finding, up = full_mission("42")
    page = client_for(implementer)
    response = page.post(f"/inspections/follow-ups/{up.pk}/close/", {"closed_on": "2026-04-01", "note": ""})
    assert response.status_code == 200
    up.refresh_from_db()
    assert up.status == FollowUpStatus.OPEN
    response = page.post(f"/inspections/follow-ups/{up.pk}/close/", {"closed_on": "2026-04-01", "note": "Đã xong"})
    assert response.status_code == 302
    up.refresh_from_db()
    assert up.status == FollowUpStatus.DONE and up.closing_note == "Đã xong"
    assert page.get(f"/inspections/follow-ups/{up.pk}/reopen/").status_code == 403


def test_project_page_lists_its_inspection_visits(people, client_for):
    mission, visit, finding, up = full_mission("42")
    text = client_for(people["hatinh"]).get(f"/projects/{visit.project.pk}/").content.decode()
    assert 'id="project-inspections"' in text and mission.name in text and finding.text in text and up.action in text
    other = make_project("42")
    assert 'id="project-inspections"' not in client_for(people["hatinh"]).get(f"/projects/{other.pk}/").content.decode()


def test_home_page_lists_the_implementers_open_follow_ups_overdue_first(implementer, client_for):
    _mission, _visit, finding, up = full_mission("42")
    FollowUp.objects.filter(pk=up.pk).update(due_date=timezone.localdate() + dt.timedelta(days=9))
    overdue = make_follow_up(finding, due=timezone.localdate() - dt.timedelta(days=2), action="Việc quá hạn ở nhà")
    text = client_for(implementer).get("/").content.decode()
    assert 'id="home-follow-ups"' in text
    assert text.index(overdue.action) < text.index(up.action)


def test_home_page_empty_state(implementer, client_for):
    text = client_for(implementer).get("/").content.decode()
    assert 'id="home-follow-ups-empty"' in text


def test_the_demo_loads_missions_idempotently(territory):
    from khuyencong.demo.inspections import load_inspections
    from khuyencong.organisation.demo import load_demo

    load_demo()
    for n in range(3):
        make_project("42", year=2022, state="in_progress", code=f"KCQG-2022-42-{n:03d}")
        make_project("40", year=2022, state="contracted", code=f"KCQG-2022-40-{n:03d}")
    first = load_inspections()
    assert first["added"] == 2 and first["reported"] == 1
    national = InspectionMission.objects.get(plan__level="national")
    assert sorted(national.provinces.values_list("code", flat=True)) == ["40", "42"]
    ups = FollowUp.objects.filter(finding__mission=national)
    assert ups.filter(status="done").exists() and ups.filter(status="open").exists()
    assert sum(1 for up in ups if up.overdue) == 1
    assert InspectionMission.objects.filter(plan__level="local", provinces__code="42").exists()
    assert load_inspections()["added"] == 0
