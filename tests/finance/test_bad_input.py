"""Bad input to the money actions (issue 11): each refused with a clear reason and nothing written.

Already in test_ledger.py: zero, negative, fractional, empty and boolean amounts and a formatted
string on ``request_payment``; a cancelled, stopped or settled project; the same payment key twice;
a provincial officer of another province. Here the rest of the issue's list, on every action that
takes money.

Amounts typed as people write them ("2.080.000.000", "2,08 tỷ", "2.080.000.000 đ") are refused by
the actions, which take whole đồng as integers: the forms, the API schema and the Excel import parse
them (kernel/money.py) before calling an action, and report the cell or field that does not parse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khuyencong.finance import accounts, actions
from khuyencong.finance.models import EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.models import Role
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level
from tests.conftest import NGHE_AN, _user
from tests.finance.factories import contracted_project, plan_of
from tests.finance.test_ledger import refused, snapshot

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)
M = 1_000_000
TYPED = ["2.080.000.000", "2,08 tỷ", "2.080.000.000 đ", "2080000000", Decimal("2080000000"), 2.08e9, -1, 0]


def request(user, project, amount, kind=EntryKind.PAYMENT, on=ON, **extra):
    return actions.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=on, **extra)


@pytest.mark.parametrize("amount", TYPED)
def test_a_payment_amount_must_be_an_integer_of_dong(implementer, amount):
    project = contracted_project()
    error = refused("amount_invalid", request, user=implementer, project=project, amount=amount)
    assert error.field == "amount" and error.status == 422 and error.message


@pytest.mark.parametrize("amount", TYPED)
def test_a_recovery_amount_must_be_an_integer_of_dong(agency_officer, implementer, amount):
    project = contracted_project()
    actions.approve_payment(user=agency_officer, entry=request(implementer, project, 100 * M))
    error = refused("amount_invalid", actions.record_recovery, user=agency_officer, project=project, amount=amount,
                    entry_date=ON)  # fmt: skip
    assert error.field == "amount" and error.message


@pytest.mark.parametrize("amount", ["2.080.000.000", "2,08 tỷ", Decimal("1000"), 1.0, -1, None])
def test_a_settled_amount_must_be_an_integer_of_dong(agency_officer, amount):
    project = contracted_project()
    error = refused("amount_invalid", actions.record_settlement, user=agency_officer, project=project, amount=amount,
                    entry_date=ON)  # fmt: skip
    assert error.field == "amount" and error.message


@pytest.mark.parametrize("amount", ["2.080.000.000", "2,08 tỷ", Decimal("100000000"), 1e8, 0, 10**16])
def test_an_allocation_amount_must_be_a_non_zero_integer_of_dong(agency_officer, amount):
    project = contracted_project(allocation=None)
    error = refused("amount_invalid", actions.allocate, user=agency_officer, plan=plan_of(2026),
                    unit=project.implementing_unit, amount=amount, decision_number="10/QĐ-BCT",
                    decision_date=dt.date(2026, 2, 1), reason="Điều chỉnh")  # fmt: skip
    assert error.field == "amount" and error.message


def test_a_payment_dated_after_the_settlement_is_refused(implementer, agency_officer):
    project = contracted_project(state=ProjectState.SETTLED, settled_on=dt.date(2026, 6, 30))
    for on in (dt.date(2026, 7, 1), dt.date(2026, 6, 1)):  # the project is settled: neither is accepted
        error = refused("after_settlement", request, user=implementer, project=project, amount=10 * M, on=on)
        assert "quyết toán" in error.message
    closed = contracted_project(state=ProjectState.CLOSED, settled_on=dt.date(2026, 6, 30))
    refused("after_settlement", request, user=implementer, project=closed, amount=10 * M, on=dt.date(2026, 7, 1))


def test_once_cancelled_nothing_more_is_paid_but_a_request_can_still_be_rejected(
    implementer, agency_officer, django_user_model
):
    from django.utils import timezone

    leader = _user(django_user_model, "leader", Role.AGENCY_LEADER, "CUC-DMST")
    project = contracted_project()
    waiting = request(implementer, project, 60 * M)
    project_actions.take_step(user=leader, project=project, action="cancel", comment="Đơn vị rút khỏi đề án.",
                              decision_number="99/QĐ-BCT", decision_date=timezone.localdate())  # fmt: skip
    project.refresh_from_db()
    error = refused("project_cancelled", request, user=implementer, project=project, amount=10 * M)
    assert error.message
    refused("project_cancelled", request, user=implementer, project=project, amount=10 * M, kind=EntryKind.ADVANCE)
    refused("project_cancelled", actions.approve_payment, user=agency_officer, entry=waiting)
    actions.reject_payment(user=agency_officer, entry=waiting, comment="Đề án đã hủy.")
    assert project.money_account.committed == 0
    assert accounts.reconcile() == []


def test_the_same_recovery_or_allocation_sent_twice_is_written_once(agency_officer, implementer):
    project = contracted_project(allocation=None)
    plan, unit = plan_of(2026), project.implementing_unit
    allocation = {"user": agency_officer, "plan": plan, "unit": unit, "amount": 300 * M, "idempotency_key": "alloc-1",
                  "decision_number": "10/QĐ-BCT", "decision_date": dt.date(2026, 2, 1)}  # fmt: skip
    first = actions.allocate(**allocation)
    before = snapshot()
    again = actions.allocate(**allocation)
    assert again.pk == first.pk and again.replayed and snapshot() == before
    refused("idempotency_conflict", actions.allocate, **{**allocation, "amount": 200 * M})

    paid = request(implementer, project, 100 * M)
    actions.approve_payment(user=agency_officer, entry=paid)
    recovery = {"user": agency_officer, "project": project, "amount": 20 * M, "entry_date": ON, "recovers": paid,
                "idempotency_key": "recovery-1"}  # fmt: skip
    first = actions.record_recovery(**recovery)
    before = snapshot()
    again = actions.record_recovery(**recovery)
    assert again.pk == first.pk and again.replayed and snapshot() == before
    refused("idempotency_conflict", actions.record_recovery, **{**recovery, "amount": 30 * M})
    assert LedgerEntry.objects.filter(kind=EntryKind.RECOVERY).count() == 1
    assert project.money_account.disbursed == 80 * M
    assert accounts.reconcile() == []


def test_a_request_key_that_is_too_long_is_refused(implementer):
    project = contracted_project()
    refused("idempotency_key_invalid", request, user=implementer, project=project, amount=M, idempotency_key="k" * 101)


def test_no_ledger_entry_outside_the_users_reach(implementer, nghean_officer, hatinh_officer, outsider,
                                                 agency_officer, django_user_model):  # fmt: skip
    project = contracted_project()  # national, implemented by the Hà Tĩnh centre
    nghean_implementer = _user(django_user_model, "nghean-impl", Role.IMPLEMENTER, f"TTKC-{NGHE_AN}")
    for user in (nghean_implementer, nghean_officer):  # another unit, another province: not even seen
        refused("not_found", request, user=user, project=project, amount=M)
    refused("forbidden", request, user=outsider, project=project, amount=M)  # no role at all
    other_unit = contracted_project(unit="TTKC1")  # in Hà Tĩnh, but not the implementer's own unit
    refused("not_found", request, user=implementer, project=other_unit, amount=M)
    # Recoveries and settlements are the payer's: not the implementer's, not another province's.
    refused("forbidden", actions.record_recovery, user=implementer, project=project, amount=M, entry_date=ON)
    refused("forbidden", actions.record_settlement, user=implementer, project=project, amount=M, entry_date=ON)
    refused("forbidden", actions.record_recovery, user=nghean_officer, project=project, amount=M, entry_date=ON)
    local = contracted_project(level=Level.LOCAL)  # Hà Tĩnh's own: Nghệ An's department does not reach it
    refused("not_found", actions.record_recovery, user=nghean_officer, project=local, amount=M, entry_date=ON)
    refused("not_found", actions.record_settlement, user=nghean_officer, project=local, amount=M, entry_date=ON)
    entry = request(implementer, project, M)
    refused("forbidden", actions.reject_payment, user=nghean_implementer, entry=entry, comment="Không hợp lệ.")
    refused("forbidden", actions.reject_payment, user=hatinh_officer, entry=entry, comment="Không hợp lệ.")
    # An allocation of the national plan is the Agency's; a province allocates its own plan only.
    unit = project.implementing_unit
    refused("forbidden", actions.allocate, user=hatinh_officer, plan=plan_of(2026), unit=unit, amount=M,
            decision_number="1/QĐ-UBND", decision_date=dt.date(2026, 2, 1))  # fmt: skip
    local_plan = plan_of(2026, province_code="42")
    refused("out_of_scope", actions.allocate, user=nghean_officer, plan=local_plan, unit=unit, amount=M,
            decision_number="1/QĐ-UBND", decision_date=dt.date(2026, 2, 1))  # fmt: skip
    assert LedgerEntry.objects.get().status == EntryStatus.REQUESTED
    assert accounts.reconcile() == []
