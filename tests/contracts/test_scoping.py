"""Contracts in the reusable scoping suite: each role reads the contracts of the projects it
reaches (an implementer only its own unit's), and writes only the kind of contract its role
writes (national main: the Agency; local main: the Department; support: the implementing unit),
only where it reaches; every refusal has the API's shape and changes nothing."""

from __future__ import annotations

import itertools

import pytest

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level
from tests.contracts.factories import approved_project, make_contract
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)
WRITE = {"view", "add", "change", "delete", "export"}
CONTRACT_ROLES = {
    Role.SYSTEM_ADMIN: WRITE,
    Role.AGENCY_OFFICER: WRITE,
    Role.AGENCY_LEADER: {"view", "export"},
    Role.REGIONAL_OFFICER: {"view", "export"},
    Role.PROVINCIAL_OFFICER: WRITE,
    Role.PROVINCIAL_LEADER: {"view", "export"},
    Role.PROVINCIAL_FINANCE: {"view", "export"},
    Role.IMPLEMENTER: WRITE,
    Role.INSPECTOR: {"view", "export"},
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
# Who writes which kind of contract (organisation/permissions.py CONTRACTS, written out here).
WRITERS = {
    "main": {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER},
    "main_local": {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER},
    "support": {Role.SYSTEM_ADMIN, Role.IMPLEMENTER},
}


class TestContractScoping(ScopedResourceSuite):
    model = Contract
    url_prefix = "contracts:contract"
    api_list_url = "/api/v1/contracts"
    role_actions = CONTRACT_ROLES
    api_writes = frozenset({"create"})
    list_params = {"q": "suite"}

    def make_record(self, province_code):
        return make_contract(approved_project(province_code), number=f"HĐ-SUITE-{province_code}-{next(_n)}")

    def label(self, obj):
        return obj.number

    def expected(self, case, kind, key, done):
        if not case.role or "view" not in CONTRACT_ROLES[case.role]:
            return 403
        if case.role not in WRITERS[kind]:
            return 403 if key in case.reach else 404
        return done if key in case.reach else 404

    def test_update_cannot_move_record_out_of_scope(self, people, records, client_for, client):
        """A draft's form has no project: a project posted with it is ignored."""
        target = records["hatinh"]
        other = records["nghean"].project
        data = {"project": other.pk, "number": target.number, "value": "1.000", "start_date": "2026-03-15",
                "end_date": "2026-11-30", "version": target.version}  # fmt: skip
        response = client_for(people["agency"]).post(self.url("edit", target.pk), data)
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.project.province.code == "42" and target.value == 1000

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    @pytest.mark.parametrize("kind", ["main", "main_local", "support"])
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, kind, person_in_role, territory, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, code in self.PROVINCE.items():
            level = Level.LOCAL if kind == "main_local" else Level.NATIONAL
            state = ProjectState.CONTRACTED if kind == "support" else ProjectState.APPROVED
            project = approved_project(code, level=level, state=state)
            body = {"project_id": project.pk, "kind": ContractKind.SUPPORT if kind == "support" else ContractKind.MAIN,
                    "number": f"API-{next(_n)}", "value": 100_000_000}  # fmt: skip
            if kind == "support":
                make_contract(project, state=ContractState.SIGNED)
                body["beneficiary_id"] = project.beneficiaries.first().pk
            before = Contract.objects.count()
            response = api.post(self.api_list_url, body, "application/json")
            expected = self.expected(case, kind, key, 201)
            if expected == 404:
                expected = 422  # a project the user cannot see: the project is the field at fault
            if case.role and "add" not in CONTRACT_ROLES[case.role]:
                expected = 403
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code
                self.assert_logged(response.json()["id"], "create", user)
                continue
            assert Contract.objects.count() == before
            if expected == 422:
                assert response.json()["details"][0]["field"] == "project_id"
            else:
                self.assert_refusal_shape(response, expected)

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_writes_only_its_reach_through_the_pages(self, case, person_in_role, records, client_for):
        user = person_in_role(case)
        pages = client_for(user)
        for key, obj in records.items():
            before = self.snapshots(records)
            response = pages.post(self.url("step", obj.pk, "sign"), {"signed_on": "2026-03-10"})
            expected = self.expected(case, "main", key, 302)
            assert response.status_code == expected, (key, response.content.decode()[:800])
            if expected == 302:
                obj.refresh_from_db()
                assert obj.state == ContractState.SIGNED
                assert obj.project.state == ProjectState.CONTRACTED
                self.assert_logged(obj.pk, "update", user)
            else:
                assert self.snapshots(records) == before, f"sign refused but {key} changed"
        fresh = {key: self.make_record(code) for key, code in self.PROVINCE.items()}
        for key, obj in fresh.items():
            response = pages.post(self.url("delete", obj.pk))
            expected = self.expected(case, "main", key, 302)
            if not case.role or "delete" not in CONTRACT_ROLES[case.role]:
                expected = 403  # no delete anywhere: refused before any lookup
            assert response.status_code == expected, key
            assert Contract.objects.filter(pk=obj.pk).exists() == (expected != 302)
