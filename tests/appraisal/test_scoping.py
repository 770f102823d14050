"""Councils in the reusable scoping suite (Department councils of Hà Tĩnh and Nghệ An), plus the
Agency's councils: read nationwide only, managed by the Agency's officers only."""

from __future__ import annotations

import itertools

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.appraisal.models import Council
from khuyencong.organisation.models import Role
from khuyencong.territory.models import Province
from tests.appraisal.factories import make_council
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)

ALL = {"view", "add", "change", "delete", "export"}
READ_EXPORT = {"view", "export"}
COUNCIL_ROLES = {
    Role.SYSTEM_ADMIN: ALL,
    Role.AGENCY_OFFICER: READ_EXPORT,  # manages the Agency's councils, not the Departments'
    Role.AGENCY_LEADER: READ_EXPORT,
    Role.REGIONAL_OFFICER: {"view"},
    Role.PROVINCIAL_OFFICER: ALL,
    Role.PROVINCIAL_LEADER: READ_EXPORT,
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: set(),
    Role.INSPECTOR: READ_EXPORT,
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
NATIONAL_READERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.AGENCY_LEADER, Role.INSPECTOR, Role.VIEWER}
NATIONAL_MANAGERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER}


class TestCouncilScoping(ScopedResourceSuite):
    model = Council
    url_prefix = "appraisal:council"
    api_list_url = "/api/v1/councils"
    role_actions = COUNCIL_ROLES
    api_writes = frozenset()  # councils are written through the pages; the API scores and concludes
    list_params = {"q": "hoi dong tham dinh de an thu"}

    def make_record(self, province_code):
        return make_council(province_code)

    def label(self, obj):
        return obj.name

    def form_data(self, province_code, name_suffix="", **overrides):
        return {
            "level": "local", "year": 2026, "province": Province.objects.current().get(code=province_code).pk,
            "name": f"Hội đồng thẩm định đề án thử mới {next(_n)}{name_suffix}", "pass_threshold": "70",
            **overrides,
        }  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_agency_s_councils_are_read_nationwide_and_managed_by_the_agency(case, person_in_role, client_for,
                                                                            client):  # fmt: skip
    national = make_council(None, name="Hội đồng thẩm định của Cục")
    user = person_in_role(case)
    reads = case.role in NATIONAL_READERS
    pages = client_for(user)
    assert pages.get(f"/councils/{national.pk}/").status_code == (200 if reads else 404 if case.role and
                                                                  COUNCIL_ROLES[case.role] else 403)  # fmt: skip
    _token, secret = issue_token(user=user, name="national")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert client.get(f"/api/v1/councils/{national.pk}").status_code == (200 if reads else 404)
    before = Council.objects.values().get(pk=national.pk)
    response = pages.post(f"/councils/{national.pk}/edit/", {"level": "national", "year": 2026, "name": "Đổi tên",
                                                             "pass_threshold": "70"})  # fmt: skip
    manages = case.role in NATIONAL_MANAGERS
    assert response.status_code == (302 if manages else 404 if case.role in {Role.PROVINCIAL_OFFICER} else 403), (
        response.status_code
    )
    if not manages:
        assert Council.objects.values().get(pk=national.pk) == before
