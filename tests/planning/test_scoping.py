"""Plans in the reusable scoping suite (local plans of Hà Tĩnh and Nghệ An), plus national plans:
every planning reader reads them; only nationwide roles with the right change them."""

import itertools

import pytest

from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.planning.models import AnnualPlan
from khuyencong.territory.models import Province
from tests.planning.factories import make_plan
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)


def _year() -> int:
    return 2030 + next(_n) % 70  # unique within a test (each test rolls back)


ALL = {"view", "add", "change", "delete", "export"}
PLAN_ROLES = {
    Role.SYSTEM_ADMIN: ALL,
    Role.AGENCY_OFFICER: ALL,
    Role.AGENCY_LEADER: {"view", "export"},
    Role.REGIONAL_OFFICER: {"view", "export"},
    Role.PROVINCIAL_OFFICER: ALL,
    Role.PROVINCIAL_LEADER: {"view", "export"},
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: {"view"},
    Role.INSPECTOR: {"view", "export"},
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
NATIONWIDE_WRITERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER}


class TestPlanScoping(ScopedResourceSuite):
    model = AnnualPlan
    url_prefix = "planning:annualplan"
    api_list_url = "/api/v1/plans"
    role_actions = PLAN_ROLES
    api_writes = frozenset({"create", "patch", "delete"})
    list_params = {"q": "ke hoach khuyen cong thu"}

    def make_record(self, province_code):
        return make_plan(province_code)

    def label(self, obj):
        return obj.name

    def form_data(self, province_code, name_suffix="", **overrides):
        return {
            "level": "local", "year": _year(), "province": Province.objects.current().get(code=province_code).pk,
            "name": f"Kế hoạch khuyến công thử mới {next(_n)}{name_suffix}",
            "owner": OrgUnit.objects.get(code=f"SCT-{province_code}").pk, "declared_total": "150 triệu", **overrides,
        }  # fmt: skip

    def api_body(self, province_code, name_suffix=""):
        return {"level": "local", "year": _year(), "province_code": province_code, "declared_total": 0,
                "name": f"Kế hoạch khuyến công thử API {next(_n)}{name_suffix}"}  # fmt: skip

    # The suite's versions of these two name the registry's commune field; plans are placed by province.
    def test_update_cannot_move_record_out_of_scope(self, people, records, client_for, client):
        target = records["hatinh"]
        before = self.snapshot(target)
        response = client_for(people["hatinh"]).post(self.url("edit", target.pk), self.form_data("40"))
        assert response.status_code == 200 and self.snapshot(target) == before
        api = self.api_client(client, people["hatinh"])
        response = api.patch(f"{self.api_list_url}/{target.pk}", {"owner_code": "SCT-40"}, "application/json")
        assert response.status_code == 422 and response.json()["details"][0]["field"] == "owner_code"
        assert self.snapshot(target) == before

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, person_in_role, territory, client):
        api = self.api_client(client, person_in_role(case))
        for key, code in self.PROVINCE.items():
            before = AnnualPlan.objects.count()
            response = api.post(self.api_list_url, self.api_body(code), "application/json")
            expected = self.expected_write(case, "add", key, 201, out_of_reach=422)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code
                continue
            assert AnnualPlan.objects.count() == before
            self.assert_refusal_shape(response, expected)
            if expected == 422:
                assert "province_code" in {d["field"] for d in response.json()["details"]}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_national_plans_are_read_by_every_planning_reader_and_changed_nationwide(case, person_in_role, client_for,
                                                                                 client):  # fmt: skip
    from khuyencong.accounts.tokens import issue_token

    national = make_plan(None, approved=True)
    user = person_in_role(case)
    reads = bool(case.role) and "view" in PLAN_ROLES[case.role]
    pages = client_for(user)
    assert pages.get(f"/plans/{national.pk}/").status_code == (200 if reads else 403)
    listed = pages.get("/plans/", {"level": "national"})
    assert (listed.status_code == 200 and national.name in listed.content.decode()) == reads
    _token, secret = issue_token(user=user, name="national")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert client.get(f"/api/v1/plans/{national.pk}").status_code == (200 if reads else 404)
    before = AnnualPlan.objects.values().get(pk=national.pk)
    response = client.patch(f"/api/v1/plans/{national.pk}", {"name": "Đổi tên"}, "application/json")
    writes = case.role in NATIONWIDE_WRITERS
    assert response.status_code == (200 if writes else 403), response.content
    if not writes:
        assert response.json()["code"] == "forbidden"
        assert AnnualPlan.objects.values().get(pk=national.pk) == before
    response = client.post(f"/api/v1/plans/{national.pk}/versions", {"kind": "adjusted"}, "application/json")
    assert response.status_code == (201 if writes else 403), response.content
