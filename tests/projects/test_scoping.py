"""Projects in the reusable scoping suite: every role of tests/roles.py, reads and writes, pages and
API, allowed / denied (403) / out of reach (404, 422 for a create). An implementer reaches only its
own unit's projects (TTKC-42 here implements the Hà Tĩnh record). Lifecycle steps through the API
are checked per role too: a step the role lacks is 403, a project out of reach 404."""

import itertools

import pytest
from django.urls import reverse

from khuyencong.organisation.models import Role
from khuyencong.projects.models import Project, ProjectState
from tests.projects.factories import make_project
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)

ALL = {"view", "add", "change", "delete", "export"}
PROJECT_ROLES = {
    Role.SYSTEM_ADMIN: ALL,
    Role.AGENCY_OFFICER: ALL,
    Role.AGENCY_LEADER: {"view", "export"},
    Role.REGIONAL_OFFICER: {"view", "export", "add", "change"},
    Role.PROVINCIAL_OFFICER: ALL,
    Role.PROVINCIAL_LEADER: {"view", "export"},
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: {"view", "add", "change", "export"},
    Role.INSPECTOR: {"view", "export"},
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
# Who may take the first appraisal step (province_pass, permission "appraise").
APPRAISERS = {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER}


class TestProjectScoping(ScopedResourceSuite):
    model = Project
    url_prefix = "projects"
    api_list_url = "/api/v1/projects"
    role_actions = PROJECT_ROLES
    api_writes = frozenset({"create", "patch"})
    list_params = {"q": "de an pham vi"}

    def url(self, suffix, *args):
        return reverse(f"projects:{ {'add': 'create'}.get(suffix, suffix) }", args=args)

    def make_record(self, province_code):
        return make_project(province_code, name=f"Đề án phạm vi {province_code} số {next(_n)}")

    def label(self, obj):
        return obj.name

    def api_body(self, province_code, name_suffix=""):
        return {"code": f"DA-PV-{next(_n):05d}", "name": f"Đề án phạm vi API {next(_n)}{name_suffix}",
                "level": "local", "content_code": "2012-03", "year": 2026, "province_code": province_code,
                "implementing_unit_code": f"TTKC-{province_code}", "total_cost": 1, "support_amount": 1}  # fmt: skip

    def test_update_cannot_move_record_out_of_scope(self, people, records, client):
        target = records["hatinh"]
        before = self.snapshot(target)
        api = self.api_client(client, people["hatinh"])
        response = api.patch(f"{self.api_list_url}/{target.pk}", {"province_code": "40"}, "application/json")
        assert response.status_code == 422 and response.json()["details"][0]["field"] == "province_code"
        assert self.snapshot(target) == before

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, person_in_role, territory, client):
        api = self.api_client(client, person_in_role(case))
        for key, code in self.PROVINCE.items():
            before = Project.objects.count()
            response = api.post(self.api_list_url, self.api_body(code), "application/json")
            expected = self.expected_write(case, "add", key, 201, out_of_reach=422)
            assert response.status_code == expected, (case, key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code and response.json()["state"] == "draft"
                continue
            assert Project.objects.count() == before
            self.assert_refusal_shape(response, expected)
            if expected == 422:
                fields = {d["field"] for d in response.json()["details"]}
                assert fields & {"province_code", "implementing_unit_code"}, fields

    def form_data(self, province_code, name_suffix=""):
        """The proposal form (projects:create / projects:edit) for a local project of the province,
        implemented by its khuyến công centre, without beneficiary rows."""
        from khuyencong.organisation.models import OrgUnit
        from khuyencong.rulebook.models import ActivityContent
        from khuyencong.territory.models import Province

        return {"code": f"DA-TRANG-{next(_n):05d}", "name": f"Đề án phạm vi trang {next(_n)}{name_suffix}",
                "level": "local", "kind": "ordinary", "year": "2026",
                "content": ActivityContent.objects.get(code="2012-03").pk,
                "implementing_unit": OrgUnit.objects.get(code=f"TTKC-{province_code}").pk,
                "province": Province.objects.current().get(code=province_code).pk, "total_cost": "1 triệu",
                "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
                "lines-MAX_NUM_FORMS": "1000"}  # fmt: skip

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_takes_steps_only_within_its_reach(self, case, person_in_role, records, client):
        api = self.api_client(client, person_in_role(case))
        for key, obj in records.items():
            Project.objects.filter(pk=obj.pk).update(state=ProjectState.SUBMITTED, level="local")
            before = self.snapshots(records)
            response = api.post(f"{self.api_list_url}/{obj.pk}/actions/province_pass", {}, "application/json")
            may = case.role in APPRAISERS
            if not may:
                expected = 403
            elif key in case.reach:
                expected = 200
            else:
                expected = 404
            assert response.status_code == expected, (case, key, response.content[:300])
            if expected == 200:
                assert response.json()["state"] == "province_passed"
            else:
                self.assert_refusal_shape(response, expected)
                assert self.snapshots(records) == before

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_the_board_shows_only_the_reach(self, case, person_in_role, records, client_for):
        from tests.planning.factories import make_plan

        plan = make_plan(None, approved=True, year=2026)
        Project.objects.filter(pk__in=[r.pk for r in records.values()]).update(plan=plan)
        response = client_for(person_in_role(case)).get("/projects/board/", {"plan": plan.pk})
        if not self.role_can(case, "view"):
            assert response.status_code == 403
            return
        visible_plan = response.status_code == 200
        if not visible_plan:  # a role that does not read national plans
            assert response.status_code == 404
            return
        text = response.content.decode()
        for key, obj in records.items():
            assert (obj.name in text) == (key in case.reach), (case, key)
