"""The balances that guard the money, each change one conditional UPDATE (ADR 0007).

``move`` adds deltas to one account's counters in a single statement whose WHERE clause holds the
caps: on PostgreSQL a concurrent writer of the same row waits for the row lock and then re-checks
the WHERE clause against the committed row, so two payments can never both pass a cap only one
fits; on SQLite writers are serialised (``transaction_mode = IMMEDIATE``). A move that would break
a cap updates no row and returns False; the caller refuses and its transaction rolls back whatever
it moved before. Accounts are always moved in the same order (project, line, allocation) so two
transactions never wait on each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce

from khuyencong.finance.models import NO_LIMIT, Account, AccountKind, Allocation, EntryKind, EntryStatus, LedgerEntry


def _get_or_create(lookup: dict, defaults: dict) -> Account:
    """The account for ``lookup``, created on first use (a concurrent creator wins the unique
    constraint; the loser reads the winner's row)."""
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:
        return Account.objects.get(**lookup)


def project_account(project) -> Account:
    return _get_or_create({"kind": AccountKind.PROJECT, "project": project}, {})


def line_account(line) -> Account:
    return _get_or_create({"kind": AccountKind.LINE, "beneficiary": line}, {})


def allocation_account(*, unit_id: int, year: int, funding_source: str) -> Account:
    return _get_or_create(
        {"kind": AccountKind.ALLOCATION, "unit_id": unit_id, "year": year, "funding_source": funding_source}, {}
    )


def move(
    account: Account,
    *,
    committed: int = 0,
    advanced: int = 0,
    disbursed: int = 0,
    settled: int = 0,
    ceiling: int | None = None,
    ceiling_delta: int = 0,
    advance_ceiling: int | None = None,
) -> bool:
    """Add the deltas to ``account`` if every cap still holds afterwards; True when it did.

    ``ceiling`` / ``advance_ceiling`` set a new cap in the same statement (the contract's value
    and the advance rule as they stand now); ``ceiling_delta`` adds to the cap (an allocation)."""
    new_ceiling = Value(ceiling) if ceiling is not None else F("ceiling") + ceiling_delta
    new_advance = Value(advance_ceiling) if advance_ceiling is not None else F("advance_ceiling")
    conditions = (
        Q(committed__gte=-committed, advanced__gte=-advanced, disbursed__gte=-disbursed, settled__gte=-settled)
        & _within(F("committed") + committed, new_ceiling)
        & _within(F("advanced") + advanced, new_advance)
        & _within(F("disbursed") + disbursed, F("committed") + committed)
        & _within(F("settled") + settled, F("disbursed") + disbursed)
    )
    updates = {
        "committed": F("committed") + committed,
        "advanced": F("advanced") + advanced,
        "disbursed": F("disbursed") + disbursed,
        "settled": F("settled") + settled,
        "ceiling": new_ceiling,
        "advance_ceiling": new_advance,
    }
    return Account.objects.filter(pk=account.pk).filter(conditions).update(**updates) == 1


def _within(left, right) -> Q:
    """``left <= right`` as a WHERE condition over column expressions."""
    from django.db.models.lookups import LessThanOrEqual

    return Q(LessThanOrEqual(left, right))


# --- recomputing from the entries ---------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    committed: int = 0
    advanced: int = 0
    disbursed: int = 0
    settled: int = 0


def _totals(entries) -> Totals:
    """What an account's counters must be, summed from ``entries`` in the database."""

    def total(**filters) -> Sum:
        return Coalesce(Sum("amount", filter=Q(**filters)), 0)

    sums = entries.aggregate(
        outgoing=total(
            kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT], status__in=[EntryStatus.REQUESTED, EntryStatus.PAID]
        ),
        paid=total(kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT], status=EntryStatus.PAID),
        advances=total(kind=EntryKind.ADVANCE, status__in=[EntryStatus.REQUESTED, EntryStatus.PAID]),
        recovered=total(kind=EntryKind.RECOVERY, status=EntryStatus.PAID),
        recovered_advances=total(kind=EntryKind.RECOVERY, status=EntryStatus.PAID, recovers__kind=EntryKind.ADVANCE),
        settled=total(kind=EntryKind.SETTLEMENT, status=EntryStatus.PAID),
    )
    return Totals(
        committed=sums["outgoing"] - sums["recovered"],
        advanced=sums["advances"] - sums["recovered_advances"],
        disbursed=sums["paid"] - sums["recovered"],
        settled=sums["settled"],
    )


def expected(account: Account) -> Totals:
    if account.kind == AccountKind.PROJECT:
        return _totals(LedgerEntry.objects.filter(project_id=account.project_id))
    if account.kind == AccountKind.LINE:
        # A line guards only its support contract: its account counts no advances (the advance rule
        # is the project's) and no settlement.
        totals = _totals(LedgerEntry.objects.filter(beneficiary_id=account.beneficiary_id))
        return Totals(committed=totals.committed, disbursed=totals.disbursed)
    totals = _totals(
        LedgerEntry.objects.filter(unit_id=account.unit_id, year=account.year, funding_source=account.funding_source)
    )
    return Totals(committed=totals.committed, disbursed=totals.disbursed)


def allocated(*, unit_id: int, year: int, funding_source: str) -> int:
    return Allocation.objects.filter(unit_id=unit_id, year=year, funding_source=funding_source).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]


def reconcile() -> list[str]:
    """Every account whose counters differ from the sums of its entries (empty when all agree)."""
    problems = []
    for account in Account.objects.order_by("pk"):
        want = expected(account)
        have = Totals(account.committed, account.advanced, account.disbursed, account.settled)
        if account.kind == AccountKind.ALLOCATION:
            have = Totals(committed=account.committed, disbursed=account.disbursed)
            cap = allocated(unit_id=account.unit_id, year=account.year, funding_source=account.funding_source)
            if cap != account.ceiling:
                problems.append(f"{account}: ceiling {account.ceiling} != allocated {cap}")
        if want != have:
            problems.append(f"{account}: {have} != {want}")
    return problems


__all__ = ["NO_LIMIT", "Totals", "allocation_account", "line_account", "move", "project_account", "reconcile"]
