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
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
