"""The money demo: allocations and a ledger that agree with their accounts, the 2022 national
scenario of DOMAIN.md §6 reproduced from the records, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q, Sum
from django.utils import timezone

from khuyencong.demo.contracts import load_contracts
from khuyencong.demo.finance import load_finance
from khuyencong.demo.planning import load_planning
from khuyencong.demo.projects import load_projects
from khuyencong.demo.registry import load_registry
from khuyencong.demo.rulebook import load_rulebook
from khuyencong.finance import accounts
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.demo import load_demo
from khuyencong.planning.models import AnnualPlan
from khuyencong.projects.models import Project

pytestmark = pytest.mark.django_db
BN = 1_000_000_000
OUTGOING = [EntryKind.ADVANCE, EntryKind.PAYMENT]


@pytest.fixture
def demo(territory):
    load_demo()
    load_registry(establishments=600)
    load_planning()
    load_rulebook()
    load_projects()
    load_contracts()
    return load_finance()


def _disbursed(entries) -> int:
    sums = entries.aggregate(
        paid=Sum("amount", filter=Q(kind__in=OUTGOING, status=EntryStatus.PAID), default=0),
        recovered=Sum("amount", filter=Q(kind=EntryKind.RECOVERY), default=0),
    )
    return sums["paid"] - sums["recovered"]


def test_nothing_to_do_without_projects(territory):
    load_demo()
    assert load_finance()["entries_added"] == 0 and not Allocation.objects.exists()
    load_planning()  # plans, but no projects (a demo without establishments): still nothing
    assert load_finance()["allocations_added"] == 0 and not Allocation.objects.exists()


def test_the_money_demo(demo):
    """One load of the whole demo (it takes a while), three checks."""
    _ledger_and_allocations(demo)
    _the_2022_national_scenario()
    _loading_again_adds_nothing()


def _ledger_and_allocations(demo):
    assert demo["skipped_projects"] == 0 and demo["entries_added"] > 50
    # every balance equals the sums of its entries
    assert accounts.reconcile() == []
    # allocations for every approved plan year, national and local, some reduced with a reason
    allocations = Allocation.objects.all()
    assert set(allocations.values_list("year", flat=True)) == set(range(2019, 2026))
    assert {("national", "central"), ("local", "local")} <= set(allocations.values_list("level", "funding_source"))
    reductions = allocations.filter(amount__lt=0)
    assert reductions.count() >= 3 and all(r.reason and r.corrects_id for r in reductions)
    assert not allocations.filter(year=2026).exists()  # the 2026 plans still wait for approval
    for plan in AnnualPlan.objects.filter(allocations__isnull=False).distinct():
        total = plan.allocations.aggregate(total=Sum("amount"))["total"]
        assert 0 < total <= plan.versions.filter(status="approved").order_by("-sequence")[0].declared_total
    # entries in every status and kind; dates between the contract's signature and the settlement
    entries = LedgerEntry.objects.select_related("project", "contract")
    assert set(entries.values_list("status", flat=True)) == set(EntryStatus.values)
    assert set(entries.values_list("kind", flat=True)) == set(EntryKind.values)
    today = timezone.localdate()
    for entry in entries:
        assert entry.entry_date <= today
        assert entry.contract is None or entry.entry_date >= entry.contract.signed_on, entry
        if entry.kind != EntryKind.SETTLEMENT and entry.project.settled_on:
            assert entry.entry_date < entry.project.settled_on, entry
    # advances only where the rule allows one (training 70%; none for machinery and models)
    advances = entries.filter(kind=EntryKind.ADVANCE)
    assert advances.exists() and not advances.filter(content__code="2012-03").exists()
    assert set(advances.values_list("content__code", flat=True)) <= {"2012-01", "2012-04"}
    # every settled or closed project that received money has its settlement, never above what was paid
    for project in Project.objects.filter(state__in=["settled", "closed"], ledger_entries__isnull=False).distinct():
        settled = project.ledger_entries.filter(kind=EntryKind.SETTLEMENT).aggregate(s=Sum("amount"))["s"]
        assert settled and settled <= _disbursed(project.ledger_entries.all()), project.code
    # the rejected request carries its reason; the awaiting ones reach the Agency and Hà Tĩnh's finance officer
    rejected = entries.get(status=EntryStatus.REJECTED)
    assert rejected.transitions.get().comment.startswith("Chưa có biên bản nghiệm thu")
    awaiting = entries.filter(status=EntryStatus.REQUESTED)
    assert {e.level for e in awaiting} == {"national", "local"}
    assert awaiting.filter(level="local", province__code="42").exists()
    assert entries.filter(kind=EntryKind.RECOVERY, recovers__isnull=False).count() == 1
    # the history is dated on the days it happened, not the day the demo was loaded
    for entry in entries.exclude(status=EntryStatus.REQUESTED):
        decided = timezone.localtime(entry.decided_at).date()
        assert entry.entry_date <= decided <= entry.entry_date + dt.timedelta(days=30), entry
        assert all(timezone.localtime(t.at).date() == decided for t in entry.transitions.all())
    assert all(timezone.localtime(a.created_at).date() == a.decision_date for a in allocations)


def _the_2022_national_scenario():
    plan = AnnualPlan.objects.get(level="national", year=2022)
    allocated = Allocation.objects.filter(plan=plan).aggregate(total=Sum("amount"))["total"]
    assert allocated == 28_980_000_000
    assert f"{allocated / (140 * BN) * 100:.1f}" == "20.7"  # "only just over 29 bn allocated by mid-year"
    assert not Allocation.objects.filter(plan=plan, decision_date__gt=dt.date(2022, 6, 30)).exists()
    # Regional centre 1: 1.4 bn đ disbursed over 4 projects, 5.74% of its 2022 assignment
    assigned = Allocation.objects.filter(year=2022, unit__code="TTKC1").aggregate(total=Sum("amount"))["total"]
    entries = LedgerEntry.objects.filter(year=2022, unit__code="TTKC1")
    disbursed = _disbursed(entries)
    assert disbursed == 1_400_000_000
    paid = entries.filter(kind__in=OUTGOING, status=EntryStatus.PAID)
    assert paid.aggregate(n=Count("project", distinct=True))["n"] == 4
    assert f"{disbursed / assigned * 100:.2f}" == "5.74"
    # within its contracts: no project was paid more than its contracted support
    for project in Project.objects.filter(pk__in=paid.values("project")):
        assert _disbursed(project.ledger_entries.all()) <= project.contracts.get(kind="main").value
    # the other units drew only on what had reached them
    for row in LedgerEntry.objects.filter(year=2022).values("unit").annotate(n=Count("id")):
        unit_allocated = Allocation.objects.filter(year=2022, unit_id=row["unit"]).aggregate(t=Sum("amount"))["t"]
        assert unit_allocated and _disbursed(LedgerEntry.objects.filter(year=2022, unit_id=row["unit"])) <= (
            unit_allocated
        )


def _loading_again_adds_nothing():
    allocations, entries = Allocation.objects.count(), LedgerEntry.objects.count()
    again = load_finance()
    assert again["allocations_added"] == again["entries_added"] == 0
    assert (Allocation.objects.count(), LedgerEntry.objects.count()) == (allocations, entries)
    assert accounts.reconcile() == []
