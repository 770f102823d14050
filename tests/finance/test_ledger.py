"""The ledger's guarantees: a payment never beyond the contracted support, the line's support
contract, the unit's allocation or the advance rule; only approved entries count as disbursed;
a repeated request (same key) is one entry; every refusal is coded and writes nothing; the
accounts always equal the sums of the entries."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.finance import accounts, actions
from khuyencong.finance.models import Account, Allocation, EntryKind, EntryStatus, LedgerEntry, LedgerEntryTransition
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.projects.models import ProjectState
from tests.finance.factories import contracted_project, plan_of, support_contract

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)
MACHINERY_2012 = "2012-03"


def snapshot():
    return (
        list(LedgerEntry.objects.order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values()),
        list(Account.objects.order_by("pk").values("committed", "advanced", "disbursed", "settled", "ceiling")),
        LedgerEntryTransition.objects.count(),
    )


def refused(code, call, **kwargs):
    before = snapshot()
    with pytest.raises(ActionRefused) as caught:
        call(**kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    assert snapshot() == before
    return caught.value


def request(user, project, amount, kind=EntryKind.PAYMENT, **extra):
    return actions.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=ON, **extra)


def test_a_payment_is_requested_then_approved_and_only_then_disbursed(implementer, agency_officer):
    project = contracted_project()
    entry = request(implementer, project, 100_000_000, document_number="GĐN-01")
    account = project.money_account
    assert (account.committed, account.disbursed) == (100_000_000, 0)
    actions.approve_payment(user=agency_officer, entry=entry)
    entry.refresh_from_db()
    account.refresh_from_db()
    assert entry.status == EntryStatus.PAID and entry.decided_by == agency_officer
    assert (account.committed, account.disbursed) == (100_000_000, 100_000_000)
    assert entry.transitions.get().action == "approve_payment"
    assert accounts.reconcile() == []


def test_never_more_than_the_contracted_support(implementer):
    project = contracted_project()  # contract 250 M
    request(implementer, project, 200_000_000)
    error = refused("over_contract", request, user=implementer, project=project, amount=50_000_001)
    assert "250.000.000 đ" in error.message
    request(implementer, project, 50_000_000)  # exactly the rest
    assert accounts.reconcile() == []


def test_a_rejected_request_frees_what_it_held(implementer, agency_officer):
    project = contracted_project()
    entry = request(implementer, project, 250_000_000)
    refused("comment_required", actions.reject_payment, user=agency_officer, entry=entry, comment="")
    actions.reject_payment(user=agency_officer, entry=entry, comment="Thiếu hồ sơ thanh toán.")
    request(implementer, project, 250_000_000)
    assert accounts.reconcile() == []


def test_never_beyond_the_units_allocation(implementer):
    project = contracted_project(allocation=120_000_000)
    request(implementer, project, 100_000_000)
    error = refused("over_allocation", request, user=implementer, project=project, amount=30_000_000)
    assert "120.000.000 đ" in error.message


def test_no_allocation_no_payment(implementer):
    project = contracted_project(allocation=None)
    refused("over_allocation", request, user=implementer, project=project, amount=1_000_000)


def test_advances_follow_the_rule_in_force(implementer):
    training = contracted_project()  # training: first advance 70% of 250 M = 175 M
    request(implementer, training, 175_000_000, kind=EntryKind.ADVANCE)
    error = refused("over_advance_rule", request, user=implementer, project=training, amount=1, kind=EntryKind.ADVANCE)
    assert "70%" in error.message and "36/2013" in error.message
    machinery = contracted_project(content=MACHINERY_2012)  # no advance: payment after acceptance
    refused("no_advance", request, user=implementer, project=machinery, amount=1_000_000, kind=EntryKind.ADVANCE)


def test_a_line_is_paid_within_its_support_contract(implementer):
    project = contracted_project()
    first, second = project.beneficiaries.order_by("position")
    support_contract(project, first, 120_000_000)
    request(implementer, project, 120_000_000, beneficiary=first)
    refused("over_line_support", request, user=implementer, project=project, amount=1, beneficiary=first)
    request(implementer, project, 100_000_000, beneficiary=second)  # no support contract: the line's support
    refused("over_line_support", request, user=implementer, project=project, amount=1, beneficiary=second)
    assert accounts.reconcile() == []


@pytest.mark.parametrize("amount", [0, -5, "2.080.000.000", 1.5, None, True])
def test_amounts_must_be_whole_positive_dong(implementer, amount):
    project = contracted_project()
    refused("amount_invalid", request, user=implementer, project=project, amount=amount)


@pytest.mark.parametrize("state,code", [(ProjectState.CANCELLED, "project_cancelled"),
                                        (ProjectState.STOPPED, "project_cancelled"),
                                        (ProjectState.SETTLED, "after_settlement"),
                                        (ProjectState.APPROVED, "not_contracted")])  # fmt: skip
def test_no_money_outside_the_running_project(implementer, state, code):
    project = contracted_project(state=state)
    refused(code, request, user=implementer, project=project, amount=1_000_000)


def test_dates_not_in_the_future_nor_before_the_contract(implementer):
    project = contracted_project()
    refused("date_in_future", actions.request_payment, user=implementer, project=project, kind=EntryKind.PAYMENT,
            amount=1, entry_date=dt.date(2099, 1, 1))  # fmt: skip
    refused("before_contract", actions.request_payment, user=implementer, project=project, kind=EntryKind.PAYMENT,
            amount=1, entry_date=dt.date(2026, 3, 1))  # fmt: skip


def test_the_same_request_twice_is_one_entry(implementer):
    project = contracted_project()
    first = request(implementer, project, 50_000_000, idempotency_key="abc-1")
    again = request(implementer, project, 50_000_000, idempotency_key="abc-1")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert LedgerEntry.objects.count() == 1 and project.money_account.committed == 50_000_000
    refused("idempotency_conflict", request, user=implementer, project=project, amount=60_000_000,
            idempotency_key="abc-1")  # fmt: skip


def test_out_of_reach_and_readers(implementer, nghean_officer, agency_officer, django_user_model):
    project = contracted_project()
    refused("not_found", request, user=nghean_officer, project=project, amount=1_000_000)
    entry = request(implementer, project, 1_000_000)
    refused("forbidden", actions.approve_payment, user=implementer, entry=entry)
    refused("forbidden", actions.approve_payment, user=nghean_officer, entry=entry)  # national: the Agency's


def test_a_local_payment_is_approved_by_the_department(implementer, hatinh_officer, agency_officer, nghean_officer):
    from khuyencong.rulebook.models import Level

    project = contracted_project(level=Level.LOCAL)
    entry = request(implementer, project, 10_000_000)
    refused("forbidden", actions.approve_payment, user=agency_officer, entry=entry)
    refused("not_found", actions.approve_payment, user=nghean_officer, entry=entry)
    actions.approve_payment(user=hatinh_officer, entry=entry)
    assert project.money_account.disbursed == 10_000_000


def test_recovery_and_settlement_never_beyond_what_was_paid(implementer, agency_officer):
    project = contracted_project()
    advance = request(implementer, project, 175_000_000, kind=EntryKind.ADVANCE)
    actions.approve_payment(user=agency_officer, entry=advance)
    actions.record_recovery(user=agency_officer, project=project, amount=25_000_000, entry_date=ON, recovers=advance)
    account = project.money_account
    account.refresh_from_db()
    assert (account.committed, account.advanced, account.disbursed) == (150_000_000, 150_000_000, 150_000_000)
    refused("over_disbursed", actions.record_recovery, user=agency_officer, project=project, amount=150_000_001,
            entry_date=ON)  # fmt: skip
    actions.record_settlement(user=agency_officer, project=project, amount=150_000_000, entry_date=ON)
    refused("over_disbursed", actions.record_settlement, user=agency_officer, project=project, amount=1, entry_date=ON)
    assert accounts.reconcile() == []


def test_allocations_within_the_plan_and_never_below_what_is_committed(agency_officer, implementer):
    project = contracted_project(allocation=None)
    plan = plan_of(2026)  # 1 bn đ
    unit = project.implementing_unit
    allocate = actions.allocate
    allocate(user=agency_officer, plan=plan, unit=unit, amount=300_000_000, decision_number="10/QĐ-BCT",
             decision_date=dt.date(2026, 2, 1))  # fmt: skip
    refused("over_plan", allocate, user=agency_officer, plan=plan, unit=unit, amount=700_000_001,
            decision_number="11/QĐ-BCT", decision_date=dt.date(2026, 2, 1))  # fmt: skip
    request(implementer, project, 250_000_000)
    refused("below_committed", allocate, user=agency_officer, plan=plan, unit=unit, amount=-60_000_000,
            decision_number="12/QĐ-BCT", decision_date=dt.date(2026, 2, 2), reason="Điều chỉnh giảm")  # fmt: skip
    refused("reason_required", allocate, user=agency_officer, plan=plan, unit=unit, amount=-50_000_000,
            decision_number="12/QĐ-BCT", decision_date=dt.date(2026, 2, 2))  # fmt: skip
    allocate(user=agency_officer, plan=plan, unit=unit, amount=-50_000_000, decision_number="12/QĐ-BCT",
             decision_date=dt.date(2026, 2, 2), reason="Điều chỉnh giảm")  # fmt: skip
    refused("forbidden", allocate, user=implementer, plan=plan, unit=unit, amount=1, decision_number="x",
            decision_date=dt.date(2026, 2, 2))  # fmt: skip
    assert accounts.reconcile() == []


def test_an_amendment_never_lowers_the_contract_below_what_was_paid_or_advanced(implementer, agency_officer):
    from khuyencong.contracts import actions as contract_actions

    project = contracted_project()  # 250 M, training: 70% advance
    request(implementer, project, 100_000_000, kind=EntryKind.ADVANCE)
    request(implementer, project, 60_000_000)
    contract = actions.live_main_contract(project)

    def amend(value, number):
        return contract_actions.amend_contract(user=agency_officer, contract=actions.live_main_contract(project),
                                               number=number, signed_on=ON, reason="Giảm khối lượng",
                                               new_value=value)  # fmt: skip

    error = refused("below_committed", amend, value=150_000_000, number="PL-01")
    assert error.field == "new_value" and "160.000.000 đ" in error.message
    refused("below_advances", amend, value=140_000_000 + 1, number="PL-01")  # 70% of it < 100 M advanced
    amend(160_000_000, "PL-01")
    contract.refresh_from_db()
    assert contract.value == 160_000_000
    refused("over_contract", request, user=implementer, project=project, amount=1)
    assert accounts.reconcile() == []
