"""/api/v1/inspections: list, detail with visits, findings and follow-ups, create a mission, record
a visit and a finding, add and close a follow-up; one error shape, nothing written on a refusal."""

from __future__ import annotations

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.inspections.models import Finding, FollowUp, FollowUpStatus, InspectionMission, Visit
from tests.inspections.factories import full_mission, make_mission, make_plan
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def as_user(user):
        _token, secret = issue_token(user=user, name="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return as_user


def _error(response, status, code, field=None):
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) >= {"code", "message", "details"} and body["code"] == code, body
    if field:
        assert field in {d["field"] for d in body["details"]}, body
    return body


def test_the_whole_path_through_the_api(people, api):
    client = api(people["agency"])
    plan = make_plan()
    body = {
        "plan_id": plan.pk,
        "name": "Đoàn qua API",
        "lead_unit_code": "CUC-DMST",
        "start_date": "2026-03-02",
        "end_date": "2026-03-20",
        "province_codes": ["42", "40"],
        "members": [{"name": "Đỗ Văn Minh", "role": "head", "unit": "Cục"}],
    }
    created = client.post("/api/v1/inspections", body, "application/json")
    assert created.status_code == 201, created.content
    mission = created.json()
    assert mission["province_codes"] == ["40", "42"] and mission["members"][0]["role"] == "head"
    project = make_project("40", state="in_progress")
    visit = client.post(
        f"/api/v1/inspections/{mission['id']}/visits",
        {"project_id": project.pk, "visited_on": "2026-03-05"},
        "application/json",
    )
    assert visit.status_code == 201
    visit_id = visit.json()["visits"][0]["id"]
    finding = client.post(
        f"/api/v1/inspections/{mission['id']}/findings",
        {"visit_id": visit_id, "severity": "major", "text": "Chậm tiến độ"},
        "application/json",
    )
    assert finding.status_code == 201 and finding.json()["province_code"] == "40"
    up = client.post(
        f"/api/v1/inspections/{mission['id']}/findings/{finding.json()['id']}/follow-ups",
        {"action": "Báo cáo tiến độ", "responsible_unit_code": "TTKC-40", "due_date": "2026-05-31"},
        "application/json",
    )
    assert up.status_code == 201 and up.json()["status"] == "open"
    detail = client.get(f"/api/v1/inspections/{mission['id']}").json()
    assert detail["visits"][0]["project_code"] == project.code
    assert detail["findings"][0]["follow_ups"][0]["action"] == "Báo cáo tiến độ"
    assert detail["actions"] == ["start"]
    closed = client.post(
        f"/api/v1/inspections/follow-ups/{up.json()['id']}/close",
        {"note": "Đã báo cáo", "closed_on": "2026-04-10"},
        "application/json",
    )
    assert closed.status_code == 200 and closed.json()["status"] == FollowUpStatus.DONE
    again = client.post(f"/api/v1/inspections/follow-ups/{up.json()['id']}/close", {"note": "x"}, "application/json")
    _error(again, 409, "wrong_state")
    listed = client.get("/api/v1/inspections/follow-ups", {"status": "done"}).json()
    assert [row["id"] for row in listed["items"]] == [up.json()["id"]]


def test_end_before_start_is_a_422_and_nothing_is_written(people, api):
    body = {
        "plan_id": make_plan().pk,
        "name": "Đoàn sai",
        "lead_unit_code": "CUC-DMST",
        "start_date": "2026-03-20",
        "end_date": "2026-03-02",
        "province_codes": ["42"],
    }
    _error(
        api(people["agency"]).post("/api/v1/inspections", body, "application/json"), 422, "validation_error", "end_date"
    )
    assert not InspectionMission.objects.exists()


def test_a_province_outside_the_officers_reach_is_named(people, api):
    body = {
        "plan_id": make_plan().pk,
        "name": "Đoàn",
        "lead_unit_code": "CUC-DMST",
        "start_date": "2026-03-02",
        "end_date": "2026-03-10",
        "province_codes": ["99"],
    }
    _error(
        api(people["agency"]).post("/api/v1/inspections", body, "application/json"),
        422,
        "validation_error",
        "province_codes",
    )
    local = make_plan("40")
    body.update(plan_id=local.pk, province_codes=["40"], lead_unit_code="SCT-40")
    _error(
        api(people["hatinh"]).post("/api/v1/inspections", body, "application/json"), 422, "validation_error", "plan_id"
    )
    assert not InspectionMission.objects.exists()


def test_visiting_outside_the_provinces_and_due_before_the_mission_are_refused(people, api):
    client = api(people["agency"])
    mission, _visit, finding, _up = full_mission("42")
    elsewhere = make_project("40", state="in_progress")
    response = client.post(
        f"/api/v1/inspections/{mission.pk}/visits",
        {"project_id": elsewhere.pk, "visited_on": "2026-03-05"},
        "application/json",
    )
    body = _error(response, 422, "validation_error", "project_id")
    assert elsewhere.code in body["details"][0]["message"]
    response = client.post(
        f"/api/v1/inspections/{mission.pk}/findings/{finding.pk}/follow-ups",
        {"action": "x", "responsible_unit_code": "TTKC-42", "due_date": "2026-01-01"},
        "application/json",
    )
    _error(response, 422, "validation_error", "due_date")
    assert Visit.objects.count() == 1 and FollowUp.objects.count() == 1


def test_out_of_reach_is_404_and_unknown_action_is_404(people, api):
    mission = make_mission("40")
    client = api(people["hatinh"])
    _error(client.get(f"/api/v1/inspections/{mission.pk}"), 404, "not_found")
    response = client.post(f"/api/v1/inspections/{mission.pk}/findings", {"text": "x"}, "application/json")
    _error(response, 404, "not_found")
    assert not Finding.objects.exists()
    _error(
        api(people["agency"]).post(f"/api/v1/inspections/{mission.pk}/actions/dance", {}, "application/json"),
        404,
        "unknown_action",
    )


def test_an_implementer_closes_only_its_units_follow_ups(implementer, api):
    _m, _v, _f, mine = full_mission("42")
    _m, _v, _f, theirs = full_mission("40")
    client = api(implementer)
    _error(
        client.post(f"/api/v1/inspections/follow-ups/{theirs.pk}/close", {"note": "x"}, "application/json"),
        404,
        "not_found",
    )
    _error(
        client.post(f"/api/v1/inspections/follow-ups/{mine.pk}/close", {"note": ""}, "application/json"),
        422,
        "note_required",
    )
    ok = client.post(f"/api/v1/inspections/follow-ups/{mine.pk}/close", {"note": "Đã xong"}, "application/json")
    assert ok.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == FollowUpStatus.OPEN
