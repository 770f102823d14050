"""Reading money: the allocation list, the ledger, the payments queue, the project page's money
and the home page come through here, so scope, filters and sort are one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from khuyencong.finance.filters import AllocationFilters, LedgerFilters
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.rulebook.models import Level

APPROVE_PAYMENT, APPROVE_PAYMENT_LOCAL = "approve_payment", "approve_payment_local"


def allocations() -> QuerySet:
    return Allocation.objects.select_related("plan", "plan_line", "unit", "province")


def allocation_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The allocations ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(AllocationFilters, filters, user=user)
    return spec.apply(restrict(allocations(), user, action))


def ledger_entries() -> QuerySet:
    return LedgerEntry.objects.select_related(
        "project", "province", "unit", "beneficiary", "beneficiary__establishment", "requested_by"
    )


def ledger_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The ledger entries ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(LedgerFilters, filters, user=user)
    return spec.apply(restrict(ledger_entries(), user, action))


def allocation_totals(queryset: QuerySet) -> dict:
    """The count and the net amount of the rows (reductions subtract), in one query."""
    found = queryset.order_by().aggregate(n=Count("pk"), total=Coalesce(Sum("amount"), 0))
    return {"count": found["n"], "amount": found["total"]}


def ledger_totals(queryset: QuerySet) -> dict:
    """The count and sum of the rows, and the sum of each kind, in one query: the figures under the
    list equal those of its export."""
    sums = {f"sum_{kind}": Coalesce(Sum("amount", filter=Q(kind=kind)), 0) for kind in EntryKind.values}
    found = queryset.order_by().aggregate(n=Count("pk"), total=Coalesce(Sum("amount"), 0), **sums)
    return {
        "count": found["n"],
        "amount": found["total"],
        "by_kind": [(EntryKind(k).label, found[f"sum_{k}"]) for k in EntryKind.values if found[f"sum_{k}"]],
    }


def approver_levels(user) -> list[str]:
    """The levels whose payments ``user`` may approve somewhere."""
    levels = []
    if can(user, APPROVE_PAYMENT, LedgerEntry):
        levels.append(Level.NATIONAL)
    if can(user, APPROVE_PAYMENT_LOCAL, LedgerEntry):
        levels.append(Level.LOCAL)
    return levels


def awaiting_approval(user) -> QuerySet:
    """Requested advances and payments ``user`` may approve, oldest first."""
    rows = ledger_entries().filter(status=EntryStatus.REQUESTED, kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT])
    parts = []
    if can(user, APPROVE_PAYMENT, LedgerEntry):
        parts.append(restrict(rows.filter(level=Level.NATIONAL), user, APPROVE_PAYMENT).values("pk"))
    if can(user, APPROVE_PAYMENT_LOCAL, LedgerEntry):
        parts.append(restrict(rows.filter(level=Level.LOCAL), user, APPROVE_PAYMENT_LOCAL).values("pk"))
    if not parts:
        return rows.none()
    condition = Q(pk__in=parts[0])
    for part in parts[1:]:
        condition |= Q(pk__in=part)
    return rows.filter(condition).order_by("entry_date", "pk")


def requests_of(user) -> QuerySet:
    """The advances and payments ``user`` requested, newest first."""
    return ledger_entries().filter(requested_by=user, kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT])


@dataclass(frozen=True)
class ProjectMoney:
    contracted: int | None  # the live main contract's value
    advance_allowed: int | None  # what the rule in force allows in advances
    rule: object | None  # the AdvanceRule in force (with its legal document)
    requested: int  # awaiting approval
    advanced: int  # advances paid
    paid: int  # payments paid
    recovered: int
    settled: int

    @property
    def disbursed(self) -> int:
        return self.advanced + self.paid - self.recovered

    @property
    def remaining(self) -> int | None:
        if self.contracted is None:
            return None
        return self.contracted - self.disbursed - self.requested


def entry_sums(project) -> dict:
    """The project's amounts by kind and status, in one query."""
    paid = Q(status=EntryStatus.PAID)
    found = LedgerEntry.objects.filter(project=project).aggregate(
        requested=Coalesce(Sum("amount", filter=Q(status=EntryStatus.REQUESTED)), 0),
        advanced=Coalesce(Sum("amount", filter=paid & Q(kind=EntryKind.ADVANCE)), 0),
        paid=Coalesce(Sum("amount", filter=paid & Q(kind=EntryKind.PAYMENT)), 0),
        recovered=Coalesce(Sum("amount", filter=Q(kind=EntryKind.RECOVERY)), 0),
        settled=Coalesce(Sum("amount", filter=Q(kind=EntryKind.SETTLEMENT)), 0),
    )
    return found


def entries_of_project(project, *, user) -> QuerySet:
    return restrict(ledger_entries().filter(project=project), user, Action.VIEW).order_by("-entry_date", "-pk")
