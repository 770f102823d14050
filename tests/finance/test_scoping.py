"""Allocations and the ledger in the reusable scoping suite: each role reads the money of its reach
(an implementer only its own unit's), on the list, the detail, the export and the API; writes
(allocate, request a payment, approve) follow the role's named actions and its reach; every
refusal has the API's shape and changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from khuyencong.contracts.models import ContractState
from khuyencong.finance import actions
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.projects.models import ProjectState
from tests.contracts.factories import approved_project, make_contract
from tests.finance.factories import SIGNED, TRAINING_2012, allocate_directly, plan_of
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)
READ = {"view", "export"}
MONEY_ROLES = {
    Role.SYSTEM_ADMIN: READ, Role.AGENCY_OFFICER: READ, Role.AGENCY_LEADER: READ, Role.REGIONAL_OFFICER: READ,
    Role.PROVINCIAL_OFFICER: READ, Role.PROVINCIAL_LEADER: READ, Role.PROVINCIAL_FINANCE: READ,
    Role.IMPLEMENTER: READ, Role.INSPECTOR: READ, Role.ESTABLISHMENT: set(), Role.VIEWER: {"view"},
}  # fmt: skip
# Who holds which named action (organisation/permissions.py ALLOCATIONS and LEDGER, written out).
ALLOCATE = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER}
ALLOCATE_LOCAL = {Role.SYSTEM_ADMIN, Role.PROVINCIAL_OFFICER, Role.PROVINCIAL_FINANCE}
REQUEST = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.REGIONAL_OFFICER, Role.PROVINCIAL_OFFICER, Role.IMPLEMENTER}
APPROVE = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.AGENCY_LEADER}
PROVINCE = {"hatinh": "42", "nghean": "40"}


def money_project(province_code: str):
    """A contracted national project of the province, its main contract signed, its unit allocated."""
    plan = plan_of(2026, total=10_000_000_000)
    project = approved_project(province_code, state=ProjectState.CONTRACTED, content=TRAINING_2012, plan=plan,
                               contracted_on=SIGNED)  # fmt: skip
    make_contract(project, state=ContractState.SIGNED, signed_on=SIGNED)
    if not Allocation.objects.filter(unit=project.implementing_unit).exists():
        allocate_directly(plan, project.implementing_unit, 1_000_000_000)
    return project


def admin():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="suite-admin", defaults={"is_superuser": True})
    if created:
        from khuyencong.organisation.services import assign_role

        assign_role(user=user, role=Role.SYSTEM_ADMIN, org_unit=None)
    return user


def _expected(case, holders: set, key: str, done: int, out_of_reach: int = 404) -> int:
    if not case.role or "view" not in MONEY_ROLES[case.role]:
        return 403
    if case.role not in holders:
        return 403
    return done if key in case.reach else out_of_reach


class TestAllocationScoping(ScopedResourceSuite):
    model = Allocation
    url_prefix = "finance:allocation"
    api_list_url = "/api/v1/allocations"
    role_actions = MONEY_ROLES
    api_writes = frozenset({"create"})
    list_params = {"year": "2026"}

    def make_record(self, province_code):
        unit = OrgUnit.objects.get(code=f"TTKC-{province_code}")
        row = allocate_directly(plan_of(2026, total=10_000_000_000), unit, 100_000_000)
        Allocation.objects.filter(pk=row.pk).update(decision_number=f"{next(_n)}/QĐ-SUITE-{province_code}")
        row.refresh_from_db()
        return row

    def label(self, obj):
        return obj.decision_number

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    @pytest.mark.parametrize("level", ["national", "local"])
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, level, person_in_role, territory, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, code in PROVINCE.items():
            plan = plan_of(2026, total=10_000_000_000) if level == "national" else plan_of(2026, province_code=code)
            unit = OrgUnit.objects.get(code=f"TTKC-{code}")
            body = {"plan_id": plan.pk, "unit_id": unit.pk, "amount": 1_000_000, "decision_number": f"API-{next(_n)}",
                    "decision_date": "2026-01-20"}  # fmt: skip
            before = Allocation.objects.count()
            response = api.post(self.api_list_url, body, "application/json")
            holders = ALLOCATE if level == "national" else ALLOCATE_LOCAL
            expected = _expected(case, holders, key, 201, out_of_reach=403)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code
                self.assert_logged(response.json()["id"], "create", user)
                continue
            assert Allocation.objects.count() == before
            assert response.json()["code"] in {"forbidden", "out_of_scope"}

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_writes_only_its_reach_through_the_pages(self, case, person_in_role, territory, client_for):
        """The Allocate form: the national plan for the Agency; a provincial allocator is offered
        no national plan (the form comes back with the error, nothing written)."""
        pages = client_for(person_in_role(case))
        plan = plan_of(2026, total=10_000_000_000)
        for key, code in PROVINCE.items():
            unit = OrgUnit.objects.get(code=f"TTKC-{code}")
            data = {"plan": plan.pk, "unit": unit.pk, "amount": "1 triệu", "decision_number": f"P-{next(_n)}",
                    "decision_date": "20/01/2026"}  # fmt: skip
            before = Allocation.objects.count()
            response = pages.post(reverse("finance:allocation_add"), data)
            if case.role in ALLOCATE:
                expected = 302
            elif case.role in ALLOCATE_LOCAL:
                expected = 200
            else:
                expected = 403
            assert response.status_code == expected, (key, response.content.decode()[:800])
            assert Allocation.objects.count() == before + (1 if expected == 302 else 0)


class TestLedgerScoping(ScopedResourceSuite):
    model = LedgerEntry
    url_prefix = "finance:ledger"
    api_list_url = "/api/v1/ledger-entries"
    role_actions = MONEY_ROLES
    api_writes = frozenset({"create"})
    list_params = {"year": "2026"}

    def make_record(self, province_code):
        project = money_project(province_code)
        return actions.request_payment(user=admin(), project=project, kind=EntryKind.PAYMENT, amount=10_000_000,
                                       entry_date=dt.date(2026, 3, 20),
                                       document_number=f"CT-SUITE-{province_code}-{next(_n)}")  # fmt: skip

    def label(self, obj):
        return obj.document_number

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, person_in_role, territory, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, code in PROVINCE.items():
            project = money_project(code)
            body = {"project_id": project.pk, "kind": "payment", "amount": 1_000_000, "entry_date": "2026-03-20"}
            before = LedgerEntry.objects.count()
            response = api.post(self.api_list_url, body, "application/json")
            expected = _expected(case, REQUEST, key, 201, out_of_reach=422)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code
                self.assert_logged(response.json()["id"], "create", user)
                continue
            assert LedgerEntry.objects.count() == before
            if expected == 422:  # a project the user cannot see: the project is the field at fault
                assert response.json()["details"][0]["field"] == "project_id"
            else:
                self.assert_refusal_shape(response, expected)

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_writes_only_its_reach_through_the_pages(self, case, person_in_role, records, client_for):
        """Approve from the queue or the entry's page: the payer only, only in reach."""
        pages = client_for(person_in_role(case))
        for key, obj in records.items():
            before = self.snapshots(records)
            response = pages.post(reverse("finance:ledger_decide", args=[obj.pk, "approve"]))
            expected = _expected(case, APPROVE, key, 302)
            if case.role and "view" in MONEY_ROLES[case.role] and key not in case.reach:
                expected = 404  # the entry does not exist for them
            assert response.status_code == expected, (key, response.content.decode()[:800])
            obj.refresh_from_db()
            if expected == 302:
                assert obj.status == EntryStatus.PAID
                self.assert_logged(obj.pk, "update", self_user(pages))
            else:
                assert self.snapshots(records) == before, f"approve refused but {key} changed"

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_decides_only_its_reach_through_the_api(self, case, person_in_role, records, client):
        api = self.api_client(client, person_in_role(case))
        for key, obj in records.items():
            before = self.snapshots(records)
            response = api.post(f"{self.api_list_url}/{obj.pk}/actions/reject", {"comment": "Thiếu hồ sơ"},
                                "application/json")  # fmt: skip
            expected = _expected(case, APPROVE, key, 200)
            if case.role and "view" in MONEY_ROLES[case.role] and key not in case.reach:
                expected = 404
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 200:
                assert response.json()["status"] == EntryStatus.REJECTED
            else:
                self.assert_refusal_shape(response, expected)
                assert self.snapshots(records) == before


def self_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])
