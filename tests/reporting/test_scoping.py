"""Reports in the reusable scoping suite: every role reads the reports its reach holds (an
implementer only its own unit's), the list, page, export and API agree; the API offers no create,
PUT on the report itself, PATCH or DELETE (405). Writes: only the unit itself fills and submits
(a Department officer of Hà Tĩnh its Department's report, nobody else's), only the Agency approves
or returns a national form's report; each refusal changes nothing and has the API's shape."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from khuyencong.organisation.models import Role
from khuyencong.reporting import actions
from khuyencong.reporting.models import ReportState
from tests.reporting.factories import GOOD, make_form, make_report, unit
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

READ = {"view", "export"}
REPORT_ROLES = {
    Role.SYSTEM_ADMIN: READ,
    Role.AGENCY_OFFICER: READ,
    Role.AGENCY_LEADER: READ,
    Role.REGIONAL_OFFICER: READ,
    Role.PROVINCIAL_OFFICER: READ,
    Role.PROVINCIAL_LEADER: READ,
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: READ,
    Role.INSPECTOR: READ,
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
# Who fills the Department's report (bound to that very unit) and who approves a national form's.
SENDERS = {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER}
APPROVERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.AGENCY_LEADER}


class TestReportScoping(ScopedResourceSuite):
    model = __import__("khuyencong.reporting.models", fromlist=["Report"]).Report
    url_prefix = "reporting:report"
    api_list_url = "/api/v1/reports"
    role_actions = REPORT_ROLES
    api_writes = frozenset()

    @pytest.fixture
    def records(self, territory):
        form = make_form(code="BC-SUITE")
        return {"hatinh": make_report(form, unit("SCT-42")), "nghean": make_report(form, unit("SCT-40"))}

    def make_record(self, province_code):
        raise NotImplementedError

    def label(self, obj):
        return obj.org_unit.name

    @staticmethod
    def narrowed(case):
        """An implementer reaches only its own unit's reports: neither Department's."""
        return dataclasses.replace(case, reach=()) if case.role == Role.IMPLEMENTER else case

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_sees_exactly_its_reach(self, case, person_in_role, records, client_for, client):
        user = person_in_role(case)
        ScopedResourceSuite.test_each_role_sees_exactly_its_reach(
            self, self.narrowed(case), lambda _case: user, records, client_for, client
        )

    def test_update_cannot_move_record_out_of_scope(self):
        pytest.skip("a report's unit and province are set when it is laid out and never edited")

    def test_each_role_creates_only_in_its_reach_through_the_api(self, case=None):
        pytest.skip("reports are laid out from their forms, not created one by one (POST answers 405)")

    def test_each_role_writes_only_its_reach_through_the_pages(self):
        pytest.skip("covered by the fill, submit and review tests below")

    def expected(self, case, key, allowed_roles, done):
        if not case.role or "view" not in REPORT_ROLES[case.role]:
            return 403
        if key not in self.narrowed(case).reach:
            return 404
        if case.role not in allowed_roles or (case.role == Role.PROVINCIAL_OFFICER and key == "nghean"):
            return 403
        if case.unit not in (None, "SCT-42") and allowed_roles is SENDERS:
            return 403  # bound to another unit than the report's
        return done

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_fills_and_submits_only_its_own_unit(self, case, person_in_role, records, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, report in records.items():
            before = self.snapshots(records)
            response = api.put(f"{self.api_list_url}/{report.pk}/values", {"values": GOOD}, "application/json")
            expected = self.expected(case, key, SENDERS, 200)
            if case.role == Role.PROVINCIAL_OFFICER and case.unit == "SCT-40" and key == "nghean":
                expected = 200
            elif case.role == Role.PROVINCIAL_OFFICER and case.unit == "SCT-40":
                expected = 404
            if expected != 403 and response.status_code == 403 and case.role not in SENDERS:
                expected = 403
            if case.role in (Role.REGIONAL_OFFICER, Role.PROVINCIAL_LEADER) and key in case.reach:
                expected = 403  # may submit, but not for this unit
            assert response.status_code == expected, (key, response.content[:400])
            if expected == 200:
                assert response.json()["state"] == ReportState.DRAFT
                self.assert_logged(report.pk, "update", user)
            else:
                self.assert_refusal_shape(response, expected)
                assert self.snapshots(records) == before

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_reviews_only_what_it_may(self, case, person_in_role, records, client, client_for, admin_user):
        for report in records.values():
            actions.save_values(user=admin_user, report=report, values=GOOD)
            actions.submit_report(user=admin_user, report=report)
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, report in records.items():
            before = self.snapshots(records)
            response = api.post(f"{self.api_list_url}/{report.pk}/actions/return", {"comment": "Xem lại"},
                                "application/json")  # fmt: skip
            if not case.role or "view" not in REPORT_ROLES[case.role]:
                expected = 403
            elif key not in self.narrowed(case).reach:
                expected = 404
            elif case.role not in APPROVERS:
                expected = 403
            else:
                expected = 200 if key in case.reach else 404
            assert response.status_code == expected, (key, response.content[:400])
            if expected == 200:
                assert response.json()["state"] == ReportState.RETURNED
            else:
                self.assert_refusal_shape(response, expected)
                assert self.snapshots(records) == before
        page = client_for(user).post(reverse("reporting:report_step", args=[records["hatinh"].pk, "approve"]))
        if case.role in APPROVERS:
            assert page.status_code == 302
        elif case.role and "view" in REPORT_ROLES[case.role] and "hatinh" in self.narrowed(case).reach:
            assert page.status_code == 403
        else:
            assert page.status_code in (403, 404)
