"""Inspections in the scoping suite: each role reads the missions that go to provinces it reaches,
writes only the missions of its level (national: the Agency and inspectors; local: the province's
Department) where it reaches, and reports on follow-ups in its reach (an implementer only those
addressed to its own unit). Every refusal has the API's shape and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import openpyxl
import pytest

from khuyencong.inspections.models import FollowUp, FollowUpStatus, InspectionMission, MissionState
from khuyencong.organisation.models import Role
from tests.inspections.factories import full_mission, make_mission, make_plan
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)
READ, READ_EXPORT = {"view"}, {"view", "export"}
WRITE = {"view", "add", "change", "delete", "export"}
MISSION_ROLES = {
    Role.SYSTEM_ADMIN: WRITE,
    Role.AGENCY_OFFICER: WRITE,
    Role.AGENCY_LEADER: READ_EXPORT,
    Role.REGIONAL_OFFICER: READ_EXPORT,
    Role.PROVINCIAL_OFFICER: WRITE,
    Role.PROVINCIAL_LEADER: READ_EXPORT,
    Role.PROVINCIAL_FINANCE: READ,
    Role.IMPLEMENTER: set(),
    Role.INSPECTOR: WRITE,
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: READ,
}
# Who writes the missions of each level (organisation/permissions.py INSPECTIONS, written out here).
WRITERS = {
    "national": {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.INSPECTOR},
    "local": {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER, Role.INSPECTOR},
}
# Who reports a follow-up done, and who reopens one.
CLOSERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.PROVINCIAL_OFFICER, Role.IMPLEMENTER, Role.INSPECTOR}
FOLLOW_UP_READERS = {role for role, acts in MISSION_ROLES.items() if "view" in acts} | {Role.IMPLEMENTER}
FOLLOW_UP_EXPORTERS = {role for role, acts in MISSION_ROLES.items() if "export" in acts} | {Role.IMPLEMENTER}


class TestMissionScoping(ScopedResourceSuite):
    model = InspectionMission
    url_prefix = "inspections:inspectionmission"
    api_list_url = "/api/v1/inspections"
    role_actions = MISSION_ROLES
    api_writes = frozenset({"create"})
    list_params = {"q": "suite"}

    def make_record(self, province_code):
        return make_mission(
            province_code, local=True, state=MissionState.DRAFT, name=f"Đoàn kiểm tra suite {province_code}-{next(_n)}"
        )

    def label(self, obj):
        return obj.name

    def expected(self, case, level, key, done):
        """403 without the permission; 404 out of reach; 403 in reach without the level's writing."""
        if not case.role or "view" not in MISSION_ROLES[case.role]:
            return 403
        if key not in case.reach:
            return 404
        return done if case.role in WRITERS[level] else 403

    def test_update_cannot_move_record_out_of_scope(self, people, records, client_for, client):
        """Hà Tĩnh's officer cannot send Hà Tĩnh's local mission to Nghệ An: the form says so."""
        target = records["hatinh"]
        data = {
            "name": target.name,
            "lead_unit": target.lead_unit_id,
            "start_date": "2026-03-02",
            "end_date": "2026-03-20",
            "provinces": [self.province("40")],
            "version": target.version,
        }
        response = client_for(people["hatinh"]).post(self.url("edit", target.pk), data)
        assert response.status_code == 200
        assert "chỉ kiểm tra trong tỉnh" in response.content.decode()
        assert sorted(target.provinces.values_list("code", flat=True)) == ["42"]

    @staticmethod
    def province(code):
        from khuyencong.territory.models import Province

        return Province.objects.current().get(code=code).pk

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    @pytest.mark.parametrize("level", ["national", "local"])
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, level, person_in_role, territory, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        lead = {"national": "CUC-DMST", "local": None}
        for key, code in self.PROVINCE.items():
            plan = make_plan(None if level == "national" else code)
            body = {
                "plan_id": plan.pk,
                "name": f"Đoàn API {next(_n)}",
                "lead_unit_code": lead[level] or f"SCT-{code}",
                "start_date": "2026-03-02",
                "end_date": "2026-03-20",
                "province_codes": [code],
                "members": [{"name": "Đỗ Văn Minh", "role": "head"}],
            }
            before = InspectionMission.objects.count()
            response = api.post(self.api_list_url, body, "application/json")
            expected = self.expected_create(case, level, key)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_codes"] == [code]
                self.assert_logged(response.json()["id"], "create", user)
                continue
            assert InspectionMission.objects.count() == before
            if expected == 422:
                assert {d["field"] for d in response.json()["details"]} & {"plan_id", "province_codes"}
            else:
                self.assert_refusal_shape(response, expected)

    def expected_create(self, case, level, key):
        if not case.role or "add" not in MISSION_ROLES[case.role]:
            return 403
        if case.role not in WRITERS[level]:
            return 403
        if key not in case.reach:
            # A local plan out of reach is not seen (the plan is the field at fault); a national
            # plan is, and the province is the field at fault.
            return 422
        return 201

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_writes_only_its_reach_through_the_pages(self, case, person_in_role, records, client_for):
        user = person_in_role(case)
        pages = client_for(user)
        for key, obj in records.items():
            before = self.snapshots(records)
            data = {
                "name": f"{obj.name} (sửa)",
                "lead_unit": obj.lead_unit_id,
                "start_date": "2026-03-02",
                "end_date": "2026-03-20",
                "provinces": [obj.provinces.get().pk],
                "version": obj.version,
            }
            response = pages.post(self.url("edit", obj.pk), data)
            expected = self.expected(case, "local", key, 302)
            assert response.status_code == expected, (key, response.content.decode()[:800])
            if expected == 302:
                obj.refresh_from_db()
                assert obj.name.endswith("(sửa)")
                self.assert_logged(obj.pk, "update", user)
            else:
                assert self.snapshots(records) == before, f"edit refused but {key} changed"
        for key, obj in records.items():
            response = pages.post(self.url("delete", obj.pk))
            expected = self.expected(case, "local", key, 302)
            if case.role and "delete" not in MISSION_ROLES[case.role]:
                expected = 403  # no delete anywhere: refused before any lookup
            assert response.status_code == expected, key
            assert InspectionMission.objects.filter(pk=obj.pk).exists() == (expected != 302)
            if expected == 302:
                self.assert_logged(obj.pk, "delete", user)

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_starts_only_missions_it_writes(self, case, person_in_role, records, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, obj in records.items():
            response = api.post(f"{self.api_list_url}/{obj.pk}/actions/start", {}, "application/json")
            expected = self.expected(case, "local", key, 200)
            assert response.status_code == expected, (key, response.content[:300])
            obj.refresh_from_db()
            assert obj.state == (MissionState.IN_PROGRESS if expected == 200 else MissionState.DRAFT)
            if expected != 200:
                self.assert_refusal_shape(response, expected)


@pytest.fixture
def follow_up_records(territory):
    return {key: full_mission(code)[3] for key, code in (("hatinh", "42"), ("nghean", "40"))}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_reads_and_reports_follow_ups_in_its_reach(
    case, person_in_role, follow_up_records, client_for, client
):
    user = person_in_role(case)
    pages = client_for(user)
    reads = case.role in FOLLOW_UP_READERS
    listed = pages.get("/inspections/follow-ups/")
    assert listed.status_code == (200 if reads else 403)
    export = pages.get("/inspections/follow-ups/export/")
    assert export.status_code == (200 if case.role in FOLLOW_UP_EXPORTERS else 403)
    exported = b"".join(export.streaming_content) if export.status_code == 200 else b""
    api = ScopedResourceSuite.api_client(None, client, user)
    for key, up in follow_up_records.items():
        if exported:
            book = openpyxl.load_workbook(io.BytesIO(exported), read_only=True)
            cells = " ".join(str(c) for r in book.active.iter_rows(values_only=True) for c in r if c is not None)
            assert (up.action in cells) == (key in case.reach), f"export has {key}"
        visible = reads and key in case.reach
        if listed.status_code == 200:
            assert (up.action in listed.content.decode()) == visible, key
        assert pages.get(f"/inspections/follow-ups/{up.pk}/").status_code == (200 if visible else 404 if reads else 403)
        response = api.post(
            f"/api/v1/inspections/follow-ups/{up.pk}/close",
            {"note": "Đã khắc phục", "closed_on": "2026-04-01"},
            "application/json",
        )
        if not reads:
            expected = 403
        elif not visible:
            expected = 404
        else:
            expected = 200 if case.role in CLOSERS else 403
        assert response.status_code == expected, (key, response.content[:300])
        body = response.json()
        up.refresh_from_db()
        if expected == 200:
            assert body["status"] == FollowUpStatus.DONE and up.closed_on == dt.date(2026, 4, 1)
        else:
            assert set(body) >= {"code", "message", "details"}
            assert up.status == FollowUpStatus.OPEN and not up.transitions.exists()


def test_an_implementer_sees_only_its_own_units_follow_ups(implementer, client_for, territory):
    mine = full_mission("42")[3]
    _m, _v, finding, _up = full_mission("42")
    from tests.inspections.factories import make_follow_up

    department = make_follow_up(finding, unit="SCT-42", action="Sở tổng hợp báo cáo")
    text = client_for(implementer).get("/inspections/follow-ups/").content.decode()
    assert mine.action in text and department.action not in text
    assert FollowUp.objects.restrict(implementer).count() == 2  # its two, not the Department's
