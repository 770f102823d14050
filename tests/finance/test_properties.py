"""Property tests of the money (ADR 0007): whatever sequence of allocations (and reductions),
advance and payment requests (with or without a beneficiary line, of any size, repeated with the
same request key), approvals, rejections, recoveries, settlements, contract amendments and project
cancellations, by the right people or by someone out of reach, the books stay true.

After every operation:
- ``finance.accounts.reconcile()`` finds nothing (every account equals the SQL sums of its entries);
- recomputed here in Python from the entries: disbursed = paid − recovered, committed = requested
  or paid − recovered, settled ≤ disbursed, nothing negative;
- a project never commits more than its main contract's value, nor advances more than the rule's
  share of it (70% for training under TT 36/2013) — unless an amendment lowered the contract below
  what was already committed (the contracts app does not look at the ledger, ADR 0007): then the
  project's commitments never grow until they are back under the new value;
- a beneficiary line never commits more than its support contract (or its support);
- a unit never commits more than it was allocated for the year and source;
- a refused operation changes nothing at all, and its refusal is justified: ``over_contract``,
  ``over_allocation``, ``over_advance_rule`` and ``over_line_support`` only when the amount truly
  does not fit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khuyencong.contracts import actions as contract_actions
from khuyencong.contracts.models import Contract
from khuyencong.finance import accounts, actions
from khuyencong.finance.models import (
    Account,
    AccountKind,
    Allocation,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    LedgerEntryTransition,
)
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import Role
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import Project
from tests.conftest import _user
from tests.finance.factories import contracted_project, plan_of, support_contract

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 20)
AMENDED_ON = dt.date(2026, 4, 1)
M = 1_000_000
OUTGOING = (EntryKind.ADVANCE, EntryKind.PAYMENT)
LIVE = (EntryStatus.REQUESTED, EntryStatus.PAID)

amount = st.one_of(
    st.sampled_from([1, 10 * M, 50 * M, 100 * M, 120 * M, 175 * M, 250 * M, 251 * M, 2_000 * M]),
    st.integers(min_value=1, max_value=300 * M),
)
project_index = st.integers(min_value=0, max_value=1)
entry_index = st.integers(min_value=0, max_value=30)
who = st.sampled_from(["right", "right", "right", "outsider"])
allocate_op = st.tuples(
    st.just("allocate"), st.sampled_from([-300 * M, -120 * M, -40 * M, 40 * M, 150 * M, 400 * M]), who
)
request_op = st.tuples(
    st.just("request"),
    project_index,
    st.sampled_from(OUTGOING),
    st.sampled_from([None, 0, 1]),
    amount,
    st.sampled_from([None, None, "k1", "k2"]),
    who,
)
approve_op = st.tuples(st.just("approve"), entry_index, st.booleans(), who)
reject_op = st.tuples(st.just("reject"), entry_index, st.booleans(), who)
recover_op = st.tuples(st.just("recover"), project_index, amount, st.one_of(st.none(), entry_index), who)
settle_op = st.tuples(st.just("settle"), project_index, amount, who)
amend_op = st.tuples(st.just("amend"), project_index, st.sampled_from([100 * M, 130 * M, 200 * M, 250 * M]), who)
cancel_op = st.tuples(st.just("cancel"), project_index, who)
STRATEGIES = {
    "allocate": allocate_op,
    "request": request_op,
    "approve": approve_op,
    "reject": reject_op,
    "recover": recover_op,
    "settle": settle_op,
    "amend": amend_op,
    "cancel": cancel_op,
}
# Requests and decisions come most often; a cancellation ends a project's story, so it is rare.
WEIGHTED = (
    ["request"] * 8
    + ["approve"] * 4
    + ["reject", "recover", "recover", "settle", "allocate", "allocate", "amend", "cancel"]
)


@st.composite
def operation(draw):
    return draw(STRATEGIES[draw(st.sampled_from(WEIGHTED))])


@pytest.fixture
def world(implementer, agency_officer, nghean_officer, django_user_model):
    """Two national training projects of the Hà Tĩnh centre (contracts of 250 M, lines of 150 M and
    100 M, the first line with a support contract of 120 M) and 400 M allocated to the centre."""
    first = contracted_project(allocation=400 * M)
    second = contracted_project(allocation=None)
    line = first.beneficiaries.order_by("position").first()
    support_contract(first, line, 120 * M)
    rule = actions.advance_rule(first, ON)
    assert rule is not None and rule.first_advance_percent == 70
    return {
        # The caps that do not move during a sequence: the lines' support contracts, the rule's share.
        "lines": [(b, actions.line_ceiling(b)) for p in (first, second) for b in p.beneficiaries.order_by("position")],
        "advance_percent": rule.first_advance_percent,
        "projects": [first, second],
        "plan": plan_of(2026),
        "unit": first.implementing_unit,
        "implementer": implementer,
        "officer": agency_officer,
        "leader": _user(django_user_model, "leader", Role.AGENCY_LEADER, "CUC-DMST"),  # cancels
        "outsider": nghean_officer,
    }


def snapshot() -> tuple:
    return (
        list(LedgerEntry.objects.order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values_list("pk", "amount")),
        list(Account.objects.order_by("pk").values_list("committed", "advanced", "disbursed", "settled", "ceiling")),
        LedgerEntryTransition.objects.count(),
        list(Contract.objects.order_by("pk").values_list("pk", "value", "version")),
        list(Project.objects.order_by("pk").values_list("pk", "state", "version")),
    )


def main_value(project: Project) -> int:
    contract = actions.live_main_contract(project)
    return contract.value if contract is not None else 0


def account_of(**lookup) -> Account:
    return Account.objects.filter(**lookup).first() or Account(**lookup)


def sums(entries) -> dict[str, int]:
    """The counters recomputed in Python from the entries (independently of accounts.reconcile)."""
    out = {"committed": 0, "advanced": 0, "disbursed": 0, "settled": 0, "paid": 0, "recovered": 0}
    for e in entries:
        if e.kind in OUTGOING and e.status in LIVE:
            out["committed"] += e.amount
            out["advanced"] += e.amount if e.kind == EntryKind.ADVANCE else 0
        if e.kind in OUTGOING and e.status == EntryStatus.PAID:
            out["paid"] += e.amount
        if e.kind == EntryKind.RECOVERY:
            out["recovered"] += e.amount
            out["advanced"] -= e.amount if e.recovers is not None and e.recovers.kind == EntryKind.ADVANCE else 0
        if e.kind == EntryKind.SETTLEMENT:
            out["settled"] += e.amount
    out["committed"] -= out["recovered"]
    out["disbursed"] = out["paid"] - out["recovered"]
    return out


class Books:
    """What the books say now, and the checks that must hold after every operation."""

    def __init__(self, w):
        self.w = w
        self.over_after_amendment: dict[int, int] = {}  # project pk -> committed when an amendment undercut it

    def state(self) -> dict:
        entries = list(LedgerEntry.objects.select_related("recovers").order_by("pk"))
        unit = self.w["unit"]
        allocation = account_of(kind=AccountKind.ALLOCATION, unit_id=unit.pk, year=2026, funding_source="central")
        projects = {}
        for project in self.w["projects"]:
            mine = [e for e in entries if e.project_id == project.pk]
            value = main_value(project)
            advance_cap = int(Decimal(value) * self.w["advance_percent"] / 100)
            projects[project.pk] = {"sums": sums(mine), "value": value, "advance_cap": advance_cap,
                                    "account": account_of(kind=AccountKind.PROJECT, project_id=project.pk)}  # fmt: skip
        lines = {}
        for line, cap in self.w["lines"]:
            mine = [e for e in entries if e.beneficiary_id == line.pk]
            lines[line.pk] = {"sums": sums(mine), "cap": cap}
        return {
            "entries": entries,
            "projects": projects,
            "lines": lines,
            "unit": sums(entries),
            "allocated": accounts.allocated(unit_id=unit.pk, year=2026, funding_source="central"),
            "allocation_account": allocation,
        }

    def check(self, now: dict) -> None:
        assert accounts.reconcile() == []
        for pk, p in now["projects"].items():
            s, account = p["sums"], p["account"]
            assert (account.committed, account.advanced, account.disbursed, account.settled) == (
                s["committed"], s["advanced"], s["disbursed"], s["settled"]
            )  # fmt: skip
            assert min(s["committed"], s["advanced"], s["disbursed"], s["settled"]) >= 0
            assert s["disbursed"] == s["paid"] - s["recovered"]
            assert s["settled"] <= s["disbursed"] <= s["committed"]
            if pk in self.over_after_amendment:
                assert s["committed"] <= self.over_after_amendment[pk], "committed grew past an undercut contract"
                if s["committed"] <= p["value"]:
                    del self.over_after_amendment[pk]
            else:
                assert s["committed"] <= p["value"], "committed beyond the contract"
                assert s["advanced"] <= p["advance_cap"], "advances beyond the rule's share"
        for line in now["lines"].values():
            assert line["sums"]["committed"] <= line["cap"], "a line paid beyond its support contract"
            assert line["sums"]["disbursed"] <= line["sums"]["committed"]
        assert now["unit"]["committed"] <= now["allocated"], "the unit committed beyond its allocation"
        assert now["allocation_account"].ceiling == now["allocated"]
        assert now["unit"]["settled"] <= now["unit"]["disbursed"]

    def justified(self, code: str, op: tuple, before: dict) -> None:
        """A cap refusal only when the amount truly does not fit (no false refusals)."""
        if op[0] != "request":
            return
        _name, which, kind, line_index, value, _key, _who = op
        project = self.w["projects"][which]
        p = before["projects"][project.pk]
        if code == "over_contract":
            assert p["sums"]["committed"] + value > p["value"]
        elif code == "over_advance_rule":
            assert kind == EntryKind.ADVANCE and p["sums"]["advanced"] + value > p["advance_cap"]
        elif code == "over_line_support":
            line = project.beneficiaries.order_by("position")[line_index]
            assert before["lines"][line.pk]["sums"]["committed"] + value > before["lines"][line.pk]["cap"]
        elif code == "over_allocation":
            assert before["unit"]["committed"] + value > before["allocated"]


def perform(w, op: tuple, books: Books) -> None:
    name, *args = op
    actor = w["outsider"] if args[-1] == "outsider" else None
    projects = w["projects"]
    entries = list(LedgerEntry.objects.filter(kind__in=OUTGOING).order_by("pk"))
    if name == "allocate":
        value = args[0]
        actions.allocate(user=actor or w["officer"], plan=w["plan"], unit=w["unit"], amount=value,
                         decision_number=f"{Allocation.objects.count() + 1}/QĐ-BCT", decision_date=ON,
                         reason="Điều chỉnh giảm dự toán" if value < 0 else "")  # fmt: skip
    elif name == "request":
        which, kind, line_index, value, key = args[:5]
        project = projects[which]
        line = project.beneficiaries.order_by("position")[line_index] if line_index is not None else None
        actions.request_payment(user=actor or w["implementer"], project=project, kind=kind, amount=value,
                                entry_date=ON, beneficiary=line, idempotency_key=key)  # fmt: skip
    elif name in ("approve", "reject"):
        if not entries:
            return
        entry = entries[args[0] % len(entries)]
        version = entry.version - 1 if args[1] else None
        if name == "approve":
            actions.approve_payment(user=actor or w["officer"], entry=entry, version=version)
        else:
            actions.reject_payment(user=actor or w["officer"], entry=entry, comment="Thiếu chứng từ.", version=version)
    elif name == "recover":
        which, value, index = args[:3]
        project = projects[which]
        paid = [e for e in entries if e.project_id == project.pk and e.status == EntryStatus.PAID]
        recovers = paid[index % len(paid)] if index is not None and paid else None
        actions.record_recovery(user=actor or w["officer"], project=project, amount=value, entry_date=ON,
                                recovers=recovers)  # fmt: skip
    elif name == "settle":
        which, value = args[:2]
        actions.record_settlement(user=actor or w["officer"], project=projects[which], amount=value, entry_date=ON)
    elif name == "amend":
        which, value = args[:2]
        project = projects[which]
        contract = actions.live_main_contract(project)
        committed = books.state()["projects"][project.pk]["sums"]["committed"]
        contract_actions.amend_contract(user=actor or w["officer"], contract=contract,
                                        number=f"PL-{contract.amendments.count() + 1:02d}", signed_on=AMENDED_ON,
                                        reason="Điều chỉnh giá trị hợp đồng", new_value=value)  # fmt: skip
        if committed > value:
            books.over_after_amendment[project.pk] = committed
    elif name == "cancel":
        project = Project.objects.get(pk=projects[args[0]].pk)
        project_actions.take_step(user=actor or w["leader"], project=project, action="cancel",
                                  comment="Đơn vị thụ hưởng rút khỏi đề án.", decision_number="99/QĐ-BCT",
                                  decision_date=timezone.localdate())  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation(), min_size=4, max_size=12))
def test_no_sequence_of_money_operations_breaks_the_books(world, ops):
    with transaction.atomic():
        books = Books(world)
        before = books.state()
        books.check(before)
        for op in ops:
            frozen = snapshot()
            try:
                with transaction.atomic():
                    perform(world, op, books)
                code = None
            except (ActionRefused, Invalid) as exc:
                code = getattr(exc, "code", "invalid")
            if code is not None:
                assert snapshot() == frozen, f"{op} was refused ({code}) but changed something"
                if op[-1] == "outsider":
                    assert code in ("forbidden", "not_found", "out_of_scope"), (op, code)
                books.justified(code, op, before)
            now = books.state()
            books.check(now)
            before = now
        transaction.set_rollback(True)


def test_the_properties_are_not_vacuous(world):
    """The operations the sequences are drawn from do reach each outcome: payments paid and
    rejected, every cap refusal, a recovery and a settlement, an amendment and a cancellation."""
    w = world
    first, second = w["projects"]
    books = Books(w)
    codes = []

    def attempt(op):
        try:
            with transaction.atomic():
                perform(w, op, books)
        except ActionRefused as exc:
            codes.append(exc.code)
        books.check(books.state())

    attempt(("request", 0, EntryKind.PAYMENT, 0, 121 * M, None, "right"))  # over the line's 120 M
    attempt(("request", 0, EntryKind.ADVANCE, None, 175 * M, None, "right"))
    attempt(("request", 0, EntryKind.ADVANCE, None, 1, None, "right"))  # over the 70%
    attempt(("request", 1, EntryKind.PAYMENT, None, 250 * M, None, "right"))  # 425 M of 400 M allocated
    attempt(("request", 0, EntryKind.PAYMENT, None, 76 * M, None, "right"))  # 251 M of 250 M
    attempt(("approve", 0, False, "right"))
    attempt(("recover", 0, 25 * M, 0, "right"))
    attempt(("settle", 0, 150 * M, "right"))
    attempt(("allocate", -300 * M, "right"))  # would leave 100 M under the 150 M committed
    attempt(("amend", 0, 130 * M, "right"))  # below the 150 M committed: the contracts app allows it
    attempt(("request", 0, EntryKind.PAYMENT, None, 1, None, "right"))  # then no more payment
    attempt(("request", 1, EntryKind.PAYMENT, None, 10 * M, None, "right"))
    attempt(("reject", 1, False, "right"))
    attempt(("cancel", 1, "right"))
    attempt(("request", 1, EntryKind.PAYMENT, None, 10 * M, None, "right"))
    attempt(("request", 0, EntryKind.PAYMENT, None, 10 * M, None, "outsider"))
    assert codes == ["over_line_support", "over_advance_rule", "over_allocation", "over_contract",
                     "below_committed", "over_contract", "project_cancelled", "not_found"]  # fmt: skip
    first_account = Account.objects.get(project=first)
    assert (first_account.committed, first_account.advanced, first_account.settled) == (150 * M, 150 * M, 150 * M)
    assert main_value(first) == 130 * M and books.over_after_amendment == {first.pk: 150 * M}
    assert Account.objects.get(project=second).committed == 0
    assert LedgerEntry.objects.get(project=second).status == EntryStatus.REJECTED
    assert Project.objects.get(pk=second.pk).state == "cancelled"
