"""Concurrent money requests on PostgreSQL, one real connection per thread: ten payments of 60 M
on a 250 M contract pay exactly four; ten allocations fill the plan and stop at its total; the
same request sent ten times at once is one entry. The accounts equal the sums of the entries."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connections

from khuyencong.finance import accounts, actions
from khuyencong.finance.models import Allocation, EntryKind, LedgerEntry
from khuyencong.kernel.lifecycle import ActionRefused
from tests.finance.factories import contracted_project, plan_of
from tests.projects.test_races import reference  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writers need a server database (SQLite serialises the test connection)",
    ),
    pytest.mark.django_db(transaction=True),
]
ON = dt.date(2026, 3, 20)


def _race(n, call):
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait()
            outcome = call(i)
        except ActionRefused as exc:
            outcome = exc.code
        except Exception as exc:  # a deadlock or a raw database error is a failure, never a lost thread
            outcome = f"error {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == n and not [r for r in results if isinstance(r, str) and r.startswith("error")], results
    return results


def test_concurrent_payments_never_overpay_the_contract(reference, django_user_model):  # noqa: F811
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl", "implementer", "TTKC-42")
    project = contracted_project()

    def pay(i):
        return actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=60_000_000,
                                       entry_date=ON, document_number=f"GĐN-{i}")  # fmt: skip

    results = _race(10, pay)
    assert sum(isinstance(r, LedgerEntry) for r in results) == 4
    assert sorted(r for r in results if isinstance(r, str)) == ["over_contract"] * 6
    assert LedgerEntry.objects.filter(project=project).count() == 4
    assert accounts.reconcile() == []


def test_concurrent_allocations_stop_at_the_plan_total(reference, django_user_model):  # noqa: F811
    from khuyencong.organisation.models import OrgUnit
    from tests.conftest import _user

    officer = _user(django_user_model, "race-agency", "agency_officer", "CUC-DMST")
    plan = plan_of(2026)  # 1 bn đ
    unit = OrgUnit.objects.get(code="TTKC-42")

    def allocate(i):
        return actions.allocate(user=officer, plan=plan, unit=unit, amount=300_000_000,
                                decision_number=f"{i}/QĐ-BCT", decision_date=dt.date(2026, 2, 1))  # fmt: skip

    results = _race(6, allocate)
    assert sum(isinstance(r, Allocation) for r in results) == 3
    assert Allocation.objects.filter(plan=plan).count() == 3
    assert accounts.reconcile() == []


def test_the_same_request_sent_at_once_is_one_entry(reference, django_user_model):  # noqa: F811
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl2", "implementer", "TTKC-42")
    project = contracted_project()

    def pay(i):
        return actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=10_000_000,
                                       entry_date=ON, idempotency_key="same-key")  # fmt: skip

    results = _race(8, pay)
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert LedgerEntry.objects.count() == 1
    assert project.money_account.committed == 10_000_000


def test_approve_and_reject_of_the_same_request_at_once_decide_it_once(reference, django_user_model):  # noqa: F811
    from khuyencong.finance.models import Account, EntryStatus, LedgerEntryTransition
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl3", "implementer", "TTKC-42")
    officer = _user(django_user_model, "race-agency2", "agency_officer", "CUC-DMST")
    project = contracted_project()
    for round_ in range(4):
        entry = actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=10_000_000,
                                        entry_date=ON, document_number=f"GĐN-{round_}")  # fmt: skip
        copies = [LedgerEntry.objects.get(pk=entry.pk) for _ in range(2)]  # each decider read it before the other

        def decide(i):
            if i == 0:
                return actions.approve_payment(user=officer, entry=copies[0])
            return actions.reject_payment(user=officer, entry=copies[1], comment="Thiếu chứng từ.")

        results = _race(2, decide)
        won = [r for r in results if isinstance(r, LedgerEntry)]
        lost = [r for r in results if isinstance(r, str)]
        assert len(won) == 1 and lost in (["state_changed"], ["wrong_state"]), results
        entry.refresh_from_db()
        assert entry.status == won[0].status and entry.version == 1
        assert LedgerEntryTransition.objects.filter(entry=entry).count() == 1
    paid = LedgerEntry.objects.filter(project=project, status=EntryStatus.PAID).count()
    account = Account.objects.get(project=project)
    assert (account.committed, account.disbursed) == (paid * 10_000_000, paid * 10_000_000)
    assert accounts.reconcile() == []


def test_concurrent_advances_never_pass_the_rule_share(reference, django_user_model):  # noqa: F811
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl4", "implementer", "TTKC-42")
    project = contracted_project()  # training: 70% of 250 M = 175 M

    def advance(i):
        return actions.request_payment(user=implementer, project=project, kind=EntryKind.ADVANCE, amount=40_000_000,
                                       entry_date=ON, document_number=f"TU-{i}")  # fmt: skip

    results = _race(8, advance)
    assert sum(isinstance(r, LedgerEntry) for r in results) == 4  # 160 M; a fifth would make 200 M
    assert sorted(r for r in results if isinstance(r, str)) == ["over_advance_rule"] * 4
    assert project.money_account.advanced == 160_000_000
    assert accounts.reconcile() == []


def test_an_allocation_reduction_racing_payments_never_leaves_more_committed_than_allocated(
    reference,  # noqa: F811
    django_user_model,
):
    from khuyencong.finance.models import Account
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl5", "implementer", "TTKC-42")
    officer = _user(django_user_model, "race-agency3", "agency_officer", "CUC-DMST")
    first = contracted_project(allocation=300_000_000)
    second = contracted_project(allocation=None)
    plan, unit = plan_of(2026), first.implementing_unit

    def act(i):
        if i % 2 == 0:  # four reductions of 50 M …
            return actions.allocate(user=officer, plan=plan, unit=unit, amount=-50_000_000, reason="Điều chỉnh giảm",
                                    decision_number=f"{i}/QĐ-BCT", decision_date=dt.date(2026, 3, 1))  # fmt: skip
        project = first if i % 4 == 1 else second  # … against four payments of 60 M on two projects
        return actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=60_000_000,
                                       entry_date=ON, document_number=f"GĐN-{i}")  # fmt: skip

    results = _race(8, act)
    refusals = {r for r in results if isinstance(r, str)}
    assert refusals <= {"below_committed", "over_allocation"}, results
    account = Account.objects.get(kind="allocation", unit=unit, year=2026, funding_source="central")
    allocated = accounts.allocated(unit_id=unit.pk, year=2026, funding_source="central")
    paid = sum(r.amount for r in results if isinstance(r, LedgerEntry))
    reduced = sum(-r.amount for r in results if isinstance(r, Allocation))
    assert allocated == 300_000_000 - reduced and account.ceiling == allocated
    assert account.committed == paid <= allocated
    assert refusals, "8 × 50-60 M cannot all fit in 300 M"
    assert accounts.reconcile() == []


def test_payments_on_two_projects_of_one_unit_share_its_allocation(reference, django_user_model):  # noqa: F811
    from khuyencong.finance.models import Account
    from tests.conftest import _user

    implementer = _user(django_user_model, "race-impl6", "implementer", "TTKC-42")
    first = contracted_project(allocation=300_000_000)  # contracts of 250 M each, one allocation of 300 M
    second = contracted_project(allocation=None)

    def pay(i):
        return actions.request_payment(user=implementer, project=first if i % 2 else second, kind=EntryKind.PAYMENT,
                                       amount=60_000_000, entry_date=ON, document_number=f"GĐN-{i}")  # fmt: skip

    results = _race(10, pay)
    assert sum(isinstance(r, LedgerEntry) for r in results) == 5  # 300 M: the allocation is the cap that binds
    assert {r for r in results if isinstance(r, str)} <= {"over_allocation", "over_contract"}
    allocation = Account.objects.get(kind="allocation", unit=first.implementing_unit, year=2026)
    assert allocation.committed == 300_000_000
    for project in (first, second):
        assert Account.objects.get(project=project).committed <= 250_000_000
    assert accounts.reconcile() == []
