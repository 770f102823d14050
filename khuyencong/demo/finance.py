"""Demo money: budget allocations and the ledger, written through ``finance.actions`` by the demo
accounts (the Agency's officer, the provinces' officers, the implementers, the Hà Tĩnh finance
officer ``hatinh.taichinh``), dated on the days they happened.

- Allocations (giao dự toán) for every approved plan, 2019–2025: national plans to the implementing
  units of their projects (their approved support, rounded up, with a margin), then to the regional
  centres and the Agency up to a share of the plan; local plans line by line to the province's
  centre. Reductions with their reason: the cancelled KCQG-2020-38-02 and the stopped
  KCQG-2024-38-01 give their money back, Hà Tĩnh 2025 moves money off product development. The
  2026 plans still wait for approval, so nothing is allocated from them.
- The ledger of every project contracted or further along (``khuyencong.demo.contracts`` signed
  its contracts): a 70% first advance where the rule in force allows one (training, brand
  building…), the rest paid after acceptance (per beneficiary line when the line has its support
  contract), the settlement of settled and closed projects, dated between the contract's signature
  and the settlement. Requests still awaiting approval (the Agency: ``cuc.lanhdao``; Hà Tĩnh:
  ``hatinh.taichinh``), one rejected payment (before acceptance), one recovery.
- 2022, the national scenario of DOMAIN.md §6: 28.98 bn đ of the 140 bn đ plan allocated by
  mid-year (20.7%); Regional centre 1 (TTKC1) assigned 24.39 bn đ and 1.4 bn đ disbursed over
  four projects (5.74%). Only the projects of the units that received money have entries: funds
  arrived late.

A project, like the state-driven contracts demo, is paid "as it was then": a settled project's
state and its liquidated contracts are set back inside the transaction for the writes and restored.
Deterministic and idempotent: allocations carry ``demo-`` keys and a plan that has them is left
alone; a project that has ledger entries is left alone. Runs after the projects and contracts demo.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.finance import actions
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry, LedgerEntryTransition
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import can, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.rulebook.models import Level

SEED = 2026
M = 1_000_000
BN = 1_000_000_000
S = ProjectState
RUNNING = (S.CONTRACTED, S.IN_PROGRESS)
LATER = (S.ACCEPTED, S.SETTLEMENT_SUBMITTED, S.SETTLED, S.CLOSED)
SETTLED = (S.SETTLED, S.CLOSED)
# Projects a national allocation is made for: approved into the plan, whatever became of them.
ALLOCATED_STATES = (S.APPROVED, *RUNNING, *LATER, S.STOPPED, S.CANCELLED)

# The 2022 national scenario (DOMAIN.md §6, §10): allocated ÷ plan = 28.98 ÷ 140 = 20.7%;
# Regional centre 1 disbursed 1.4 bn đ over 4 projects, 1.4 ÷ 24.39 = 5.74% of its assignment.
SCENARIO_YEAR = 2022
SCENARIO_ALLOCATED = 28_980 * M
CENTRE_1 = "TTKC1"
CENTRE_1_ASSIGNED = 24_390 * M
CENTRE_1_DISBURSED = 1_400 * M
# Regional centre 1's 2022 assignment, line by line: (line number, amount, batch).
CENTRE_1_LINES = [("1.1", 6_000 * M, 0), ("2.1", 9_500 * M, 0), ("2.2", 5_500 * M, 1), ("3.2", 3_390 * M, 1)]
# What at least is left of the 28.98 bn đ for Regional centres 2 and 3's own work once the other
# units' projects are paid for (they get whatever the projects leave).
CENTRES_2_3_AT_LEAST = 390 * M
# The two 2022 decisions, both before mid-year (the supplement of 30/8/2022 came later).
BATCHES_2022 = [("35/QĐ-BCT", dt.date(2022, 1, 14)), ("612/QĐ-BCT", dt.date(2022, 5, 20))]

# Share of each national plan allocated by the end of its year (the rest never reached the units).
NATIONAL_SHARE = {2019: 0.94, 2020: 0.9, 2021: 0.93, 2023: 0.95, 2024: 0.92, 2025: 0.86}
FILL_UNITS = [("TTKC1", 0.3), ("TTKC2", 0.3), ("TTKC3", 0.2), ("CUC-DMST", 0.2)]

# Reductions: (level, year, province code or "", unit code, amount or project code, decision, date, reason, line)
REDUCTIONS = [
    (Level.NATIONAL, 2020, "", "TTKC-38", "KCQG-2020-38-02", "1301/QĐ-BCT", dt.date(2020, 6, 18),
     "Đề án KCQG-2020-38-02 bị hủy theo Quyết định 1277/QĐ-BCT ngày 10/06/2020 (dịch COVID-19); "
     "thu hồi dự toán đã giao.", None),
    (Level.NATIONAL, 2024, "", "TTKC-38", "KCQG-2024-38-01", "951/QĐ-BCT", dt.date(2024, 9, 5),
     "Đề án KCQG-2024-38-01 dừng thực hiện theo Quyết định 902/QĐ-BCT ngày 20/08/2024; "
     "thu hồi dự toán chưa sử dụng.", None),
    (Level.LOCAL, 2025, "42", "TTKC-42", 150 * M, "1684/QĐ-UBND", dt.date(2025, 7, 15),
     "Cơ sở không bố trí được vốn đối ứng cho nội dung phát triển sản phẩm; điều chỉnh giảm dự toán "
     "để bổ sung cho nhiệm vụ khác.", "3"),
]  # fmt: skip

# Projects whose ledger tells a story of its own (only where the project is in the demo).
ADVANCE_AWAITING = {"KCQG-2025-42-02", "KCĐP-2025-42-02"}  # the implementer's advance waits for approval
PAYMENT_AWAITING = {"KCQG-2025-38-01", "KCĐP-2025-38-01"}  # the payment after acceptance waits
REJECTED = {
    "KCĐP-2025-42-01": "Chưa có biên bản nghiệm thu cơ sở: nội dung máy móc thiết bị được thanh toán sau "
    "nghiệm thu (Thông tư 36/2013/TT-BCT). Đề nghị gửi lại hồ sơ sau khi nghiệm thu."
}
DOCUMENTS = {EntryKind.ADVANCE: "TU", EntryKind.PAYMENT: "TT", EntryKind.RECOVERY: "TH", EntryKind.SETTLEMENT: "QT"}
RECOVERED = {"KCQG-2023-42-01": (18 * M, "Thu hồi kinh phí hỗ trợ vượt khối lượng nghiệm thu thực tế.")}


@dataclass
class Move:
    """One ledger write: what, how much, when, and how it was decided."""

    kind: str
    amount: int
    on: dt.date
    outcome: str = EntryStatus.PAID  # paid, requested (awaiting approval) or rejected
    decided_on: dt.date | None = None
    beneficiary: BeneficiaryLine | None = None
    comment: str = ""
    note: str = ""
    recovers_last: bool = False  # a recovery of the previous paid move


@dataclass
class Plan:
    project: Project
    contract: Contract
    moves: list[Move] = field(default_factory=list)

    @property
    def committed(self) -> int:
        outgoing = sum(m.amount for m in self.moves if m.kind in (EntryKind.ADVANCE, EntryKind.PAYMENT))
        return outgoing - sum(m.amount for m in self.moves if m.kind == EntryKind.RECOVERY)

    @property
    def disbursed(self) -> int:
        paid = sum(m.amount for m in self.moves if m.kind in (EntryKind.ADVANCE, EntryKind.PAYMENT)
                   and m.outcome == EntryStatus.PAID)  # fmt: skip
        return paid - sum(m.amount for m in self.moves if m.kind == EntryKind.RECOVERY)


class _Context:
    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(Q(username__contains=".") | Q(username="admin"))}
        self.units = {u.code: u for u in OrgUnit.objects.filter(Q(code__startswith="TTKC") | Q(code="CUC-DMST"))}
        self.today = timezone.localdate()
        self.chosen: dict[tuple, User] = {}

    def first(self, names: list[str], permission: str, model, *, province_id, unit_id) -> User:
        """The first demo account that may take ``permission`` on the row; the administrator else."""
        key = (tuple(names), permission, model, province_id, unit_id)
        if key not in self.chosen:
            self.chosen[key] = self._first(names, permission, model, province_id, unit_id)
        return self.chosen[key]

    def _first(self, names: list[str], permission: str, model, province_id, unit_id) -> User:
        for name in names:
            user = self.users.get(name)
            if user is None or not can(user, permission, model):
                continue
            if user_scope(user, permission, model).covers(province_id=province_id, org_unit_id=unit_id):
                return user
        return self.users["admin"]

    def requester(self, project: Project) -> User:
        """The implementer's account when the demo has one, else whoever follows the project."""
        unit = project.implementing_unit.code
        names = {"TTKC-42": ["hatinh.thuchien"], CENTRE_1: ["ttkc1.chuyenvien"]}.get(unit, [])
        if project.level == Level.NATIONAL:
            names.append("cuc.chuyenvien")
        else:
            names += {"42": ["hatinh.chuyenvien"], "40": ["nghean.chuyenvien"]}.get(project.province.code, [])
        return self.first(names, actions.REQUEST_PAYMENT, LedgerEntry, province_id=project.province_id,
                          unit_id=project.implementing_unit_id)  # fmt: skip

    def approver(self, project: Project, *, clerk: bool = False) -> User:
        """Who approves a payment (the leader, nationally) or records a recovery or settlement."""
        national = ["cuc.chuyenvien"] if clerk else ["cuc.lanhdao"]
        names = national if project.level == Level.NATIONAL else ["hatinh.taichinh"]
        return self.first(names, actions.approver_permission(project.level), LedgerEntry,
                          province_id=project.province_id, unit_id=project.implementing_unit_id)  # fmt: skip

    def allocator(self, plan: AnnualPlan, unit: OrgUnit) -> User:
        names = ["cuc.chuyenvien"] if plan.level == Level.NATIONAL else ["hatinh.chuyenvien", "nghean.chuyenvien"]
        province_id = unit.province_id or plan.province_id
        return self.first(names, actions.allocation_permission(plan), Allocation, province_id=province_id,
                          unit_id=unit.pk)  # fmt: skip


# --- the ledger each project should have --------------------------------------------------------


def _day(value: dt.date, *, after: dt.date, before: dt.date | None, today: dt.date) -> dt.date | None:
    """``value`` kept after ``after``, before ``before`` and not in the future (None: no room)."""
    latest = min(today, before - dt.timedelta(days=1)) if before else today
    value = min(max(value, after), latest)
    return value if after <= value <= latest else None


def _support_lines(project: Project) -> list[tuple[BeneficiaryLine, int]]:
    """The beneficiary lines with a support contract, and that contract's value (latest first)."""
    out = []
    for line in project.beneficiaries.order_by("position"):
        contract = Contract.objects.filter(beneficiary=line, kind=ContractKind.SUPPORT).order_by("-pk").first()
        if contract is not None:
            out.append((line, contract.value))
    return out


def _plan_of(project: Project, contract: Contract, today: dt.date, centre_1_2022: bool) -> Plan:
    plan = Plan(project, contract)
    rng = random.Random(f"{SEED}-money-{project.code}")
    value = contract.value
    signed = contract.signed_on or project.contracted_on
    if not value or signed is None:
        return plan
    accepted, settled = project.accepted_on, project.settled_on
    cap, _rule = actions.advance_ceiling(project, value, signed)
    advance = 0
    if cap:
        advance = cap // (10 * M) * (10 * M) or cap // M * M
        on = _day(signed + dt.timedelta(days=rng.randint(7, 20)), after=signed, before=accepted, today=today)
        if advance and on is not None:
            awaiting = project.code in ADVANCE_AWAITING and project.state in RUNNING
            decided = None if awaiting else _day(on + dt.timedelta(days=rng.randint(3, 8)), after=on,
                                                  before=accepted, today=today)  # fmt: skip
            plan.moves.append(Move(EntryKind.ADVANCE, advance, on, EntryStatus.REQUESTED if awaiting else
                                   EntryStatus.PAID, decided or on,
                                   note="Tạm ứng lần đầu theo hợp đồng và kế hoạch tổ chức thực hiện."))  # fmt: skip
        else:
            advance = 0
    if project.code in REJECTED and project.state in RUNNING:
        on = _day(signed + dt.timedelta(days=120), after=signed, before=None, today=today)
        if on is not None:
            plan.moves.append(Move(EntryKind.PAYMENT, min(value, value // 2 // M * M or value), on,
                                   EntryStatus.REJECTED, _day(on + dt.timedelta(days=6), after=on, before=None,
                                                              today=today), comment=REJECTED[project.code],
                                   note="Đề nghị thanh toán khối lượng máy móc đã lắp đặt."))  # fmt: skip
    if project.state not in LATER or accepted is None:
        return plan
    on = _day(accepted + dt.timedelta(days=rng.randint(10, 25)), after=max(accepted, signed), before=settled,
              today=today)  # fmt: skip
    if on is None:
        return plan
    awaiting = project.code in PAYMENT_AWAITING and project.state not in SETTLED
    status = EntryStatus.REQUESTED if awaiting else EntryStatus.PAID
    decided = None if awaiting else _day(on + dt.timedelta(days=rng.randint(3, 10)), after=on, before=settled,
                                         today=today)  # fmt: skip
    note = "Thanh toán sau nghiệm thu cơ sở theo biên bản nghiệm thu."
    lines = _support_lines(project) if not advance else []
    if lines and sum(v for _l, v in lines) <= value:
        for line, line_value in lines:
            plan.moves.append(Move(EntryKind.PAYMENT, line_value, on, status, decided or on, beneficiary=line,
                                   note=note))  # fmt: skip
    else:
        rest = value - advance
        if not centre_1_2022 and not awaiting and rng.random() < 0.3:
            rest -= max(value * rng.randint(2, 5) // 100 // M * M, M)  # savings at acceptance
        if rest > 0:
            plan.moves.append(Move(EntryKind.PAYMENT, rest, on, status, decided or on, note=note))
    if project.code in RECOVERED and plan.moves and not awaiting:
        amount, reason = RECOVERED[project.code]
        day = _day((decided or on) + dt.timedelta(days=30), after=decided or on, before=settled, today=today)
        if day is not None and amount < plan.moves[-1].amount:
            plan.moves.append(Move(EntryKind.RECOVERY, amount, day, note=reason, recovers_last=True))
    if project.state in SETTLED and settled is not None and plan.disbursed > 0 and not awaiting:
        day = _day(settled, after=signed, before=None, today=today)
        if day is not None:
            plan.moves.append(Move(EntryKind.SETTLEMENT, plan.disbursed, day,
                                   note="Số quyết toán theo biên bản thanh lý hợp đồng."))  # fmt: skip
    return plan


def _main_contract(project: Project) -> Contract | None:
    return Contract.objects.filter(project=project, kind=ContractKind.MAIN).order_by("-pk").first()


def _ledger_plans(ctx: _Context) -> list[Plan]:
    """What every contracted or later project should carry; 2022 trimmed to the units paid."""
    projects = (
        Project.objects.filter(state__in=[*RUNNING, *LATER], approved_support__gt=0, plan__isnull=False)
        .filter(ledger_entries__isnull=True)
        .select_related("implementing_unit", "province", "content", "plan", "plan_line")
        .order_by("year", "code")
    )
    plans = []
    for project in projects:
        contract = _main_contract(project)
        if contract is None:
            continue
        centre_1_2022 = _is_centre_1_2022(project)
        plan = _plan_of(project, contract, ctx.today, centre_1_2022)
        if plan.moves:
            plans.append(plan)
    return _scenario_2022(plans)


def _is_centre_1_2022(project: Project) -> bool:
    return (project.year == SCENARIO_YEAR and project.level == Level.NATIONAL
            and project.implementing_unit.code == CENTRE_1)  # fmt: skip


def _scenario_2022(plans: list[Plan]) -> list[Plan]:
    """Keep 2022's entries within the money that reached the units by mid-year: Regional centre 1's
    four projects, then the others (settled first) while the rest of the 28.98 bn đ lasts."""
    if Allocation.objects.filter(year=SCENARIO_YEAR, level=Level.NATIONAL).exists():
        budget = 0  # allocated already (an earlier load): a project left without entries stays so
    else:
        budget = SCENARIO_ALLOCATED - CENTRE_1_ASSIGNED - CENTRES_2_3_AT_LEAST
    order = {S.CLOSED: 0, S.SETTLED: 1, S.SETTLEMENT_SUBMITTED: 2, S.ACCEPTED: 3, S.IN_PROGRESS: 4, S.CONTRACTED: 5}
    others = [p for p in plans if p.project.year == SCENARIO_YEAR and p.project.level == Level.NATIONAL
              and not _is_centre_1_2022(p.project)]  # fmt: skip
    kept = set()
    for plan in sorted(others, key=lambda p: (order.get(p.project.state, 9), p.project.code)):
        if plan.committed <= budget:
            budget -= plan.committed
            kept.add(plan.project.pk)
    return [p for p in plans if p not in others or p.project.pk in kept]


# --- allocations --------------------------------------------------------------------------------


@dataclass
class Need:
    """What a unit's projects in a plan will draw, and the lines and contents they stand on."""

    amount: int = 0
    keys: list[str] = field(default_factory=list)
    contents: list[int] = field(default_factory=list)


@dataclass
class Grant:
    unit: OrgUnit
    amount: int
    on: dt.date
    number: str
    line_key: str | None = None
    reason: str = ""
    corrects: bool = False  # a reduction of the unit's first grant on the plan


class _Lines:
    """A plan's lines that carry money, with the room left on each (the amounts in force now);
    ``eligible`` are the keys of the version in force on a grant's date."""

    def __init__(self, plan: AnnualPlan) -> None:
        versions = list(plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("sequence"))
        self.by_version = {
            v.pk: list(PlanLine.objects.filter(plan_version=v, children__isnull=True, amount__gt=0).order_by("pk"))
            for v in versions
        }
        self.versions = versions
        latest = self.by_version[versions[-1].pk] if versions else []
        self.room = {line.key: line.amount for line in latest}
        self.total = sum(self.room.values())

    def in_force(self, on: dt.date) -> list[PlanLine]:
        chosen = None
        for version in self.versions:
            if chosen is None or (version.decision_date and version.decision_date <= on):
                chosen = version
        return self.by_version[chosen.pk] if chosen else []

    def spread(
        self, amount: int, on: dt.date, preferred: list[str], contents: list[int] | None = None
    ) -> list[tuple[PlanLine, int]]:
        """``amount`` over the lines in force on ``on`` with room: the preferred keys first, then the
        lines of the same contents, then any."""
        lines = self.in_force(on)
        ordered = [line for key in dict.fromkeys(preferred) for line in lines if line.key == key]
        ordered += [line for c in dict.fromkeys(contents or []) for line in lines
                    if line.content_id == c and line not in ordered]  # fmt: skip
        ordered += [line for line in lines if line not in ordered]
        out = []
        for line in ordered:
            if amount <= 0:
                break
            part = min(amount, self.room.get(line.key, 0))
            if part > 0:
                out.append((line, part))
                self.room[line.key] -= part
                amount -= part
        return out

    @property
    def left(self) -> int:
        return sum(self.room.values())


def _round_up(amount: int, step: int = 100 * M) -> int:
    return math.ceil(amount / step) * step


def _national_grants(
    plan: AnnualPlan, lines: _Lines, ctx: _Context, needs: dict[str, Need]
) -> list[tuple[Grant, PlanLine]]:
    rng = random.Random(f"{SEED}-allocation-{plan.year}")
    year = plan.year
    first = (f"{10 + year - 2000}/QĐ-BCT", dt.date(year, 1, 12))
    second = (f"{380 + year - 2000}/QĐ-BCT", dt.date(year, 3, 20))
    grants: list[tuple[Grant, PlanLine]] = []

    def give(unit: OrgUnit, amount: int, batch, preferred: list[str], contents: list[int] | None = None) -> None:
        for line, part in lines.spread(amount, batch[1], preferred, contents):
            grants.append((Grant(unit, part, batch[1], batch[0], line.key), line))

    if year == SCENARIO_YEAR:
        centre = ctx.units[CENTRE_1]
        for number, amount, batch in CENTRE_1_LINES:
            on = BATCHES_2022[batch]
            key = next((line.key for line in lines.in_force(on[1]) if line.number == number), None)
            give(centre, amount, on, [key] if key else [])
        for code, need in sorted(needs.items()):
            give(ctx.units[code], need.amount, BATCHES_2022[0], need.keys, need.contents)
        rest = SCENARIO_ALLOCATED - sum(g.amount for g, _l in grants)
        half = rest // 2 // M * M
        give(ctx.units["TTKC2"], half, BATCHES_2022[1], [])
        give(ctx.units["TTKC3"], rest - half, BATCHES_2022[1], [])
        return grants
    supports: dict[str, tuple[int, list[str]]] = {}
    for project in (
        Project.objects.filter(plan=plan, state__in=ALLOCATED_STATES, approved_support__gt=0)
        .select_related("implementing_unit")
        .order_by("code")
    ):
        code = project.implementing_unit.code
        total, keys = supports.get(code, (0, []))
        supports[code] = (total + project.approved_support, [*keys, project.plan_line_key])
    for code, (total, keys) in sorted(supports.items()):
        need = max(total, needs[code].amount if code in needs else 0)
        give(ctx.units[code], _round_up(need) + rng.randint(1, 3) * 100 * M, first, keys)
    target = int(lines.total * NATIONAL_SHARE.get(year, 0))
    fill = min(target - sum(g.amount for g, _l in grants), lines.left)
    for code, weight in FILL_UNITS:
        if fill > 0 and code in ctx.units:
            give(ctx.units[code], int(fill * weight) // (10 * M) * (10 * M), second, [])
    return grants


def _local_grants(plan: AnnualPlan, lines: _Lines, ctx: _Context) -> list[tuple[Grant, PlanLine]]:
    unit = ctx.units.get(f"TTKC-{plan.province.code}")
    if unit is None:
        return []
    on = dt.date(plan.year, 2, 3)
    number = f"{120 + plan.year - 2000}/QĐ-UBND"
    grants = []
    for line in lines.in_force(on):  # the whole plan, line by line, to the province's centre
        part = lines.room.get(line.key, 0)
        if part > 0:
            lines.room[line.key] = 0
            grants.append((Grant(unit, part, on, number, line.key), line))
    return grants


def _reductions(plan: AnnualPlan, lines: _Lines, ctx: _Context, given: list[tuple[Grant, PlanLine]]):
    out = []
    province = plan.province.code if plan.province_id else ""
    for level, year, province_code, unit_code, what, number, on, reason, line_number in REDUCTIONS:
        if (level, year, province_code) != (plan.level, plan.year, province) or unit_code not in ctx.units:
            continue
        if isinstance(what, str):
            project = Project.objects.filter(code=what, plan=plan).first()
            amount = project.approved_support if project is not None else 0
        else:
            amount = what
        mine = [(g, line) for g, line in given if g.unit.code == unit_code and g.amount > 0]
        if line_number:
            mine = [(g, line) for g, line in mine if line.number == line_number] or mine
        if not amount or not mine or amount > mine[0][0].amount:
            continue
        grant, line = mine[0]
        out.append((Grant(grant.unit, -amount, on, number, line.key, reason=reason, corrects=True), line))
    return out


def _allocate(ctx: _Context, plans: list[Plan]) -> int:
    """Allocations of every approved plan that has none from the demo yet; returns how many."""
    needs: dict[tuple[int, str], Need] = {}
    for item in plans:
        project = item.project
        need = needs.setdefault((project.plan_id, project.implementing_unit.code), Need())
        need.amount += item.committed
        need.keys.append(project.plan_line_key)
        need.contents.append(project.content_id)
    added = 0
    done = set(Allocation.objects.filter(idempotency_key__startswith="demo-").values_list("plan_id", flat=True))
    for plan in (
        AnnualPlan.objects.filter(year__gte=2019, year__lte=2025).select_related("province").order_by("year", "level")
    ):
        if plan.pk in done:
            continue
        lines = _Lines(plan)
        if not lines.versions:
            continue  # not approved yet: nothing is allocated from it
        if plan.level == Level.NATIONAL:
            mine = {code: value for (plan_id, code), value in needs.items() if plan_id == plan.pk}
            if plan.year == SCENARIO_YEAR:
                mine.pop(CENTRE_1, None)
            grants = _national_grants(plan, lines, ctx, mine)
        else:
            grants = _local_grants(plan, lines, ctx)
        grants += _reductions(plan, lines, ctx, grants)
        added += _write_grants(ctx, plan, grants)
    return added


def _write_grants(ctx: _Context, plan: AnnualPlan, grants: list[tuple[Grant, PlanLine]]) -> int:
    first: dict[str, Allocation] = {}
    written: list[Allocation] = []
    prefix = f"demo-{plan.level}-{plan.year}-{plan.province.code if plan.province_id else 'qg'}"
    with transaction.atomic():
        for index, (grant, line) in enumerate(sorted(grants, key=lambda g: (g[0].on, g[0].amount < 0))):
            user = ctx.allocator(plan, grant.unit)
            with acting_as(user):
                allocation = actions.allocate(
                    user=user, plan=plan, unit=grant.unit, amount=grant.amount, decision_number=grant.number,
                    decision_date=grant.on, plan_line=line, reason=grant.reason,
                    corrects=first.get(grant.unit.code) if grant.corrects else None,
                    idempotency_key=f"{prefix}-{index + 1:03d}",
                )  # fmt: skip
            first.setdefault(grant.unit.code, allocation)
            allocation.created_at = timezone.make_aware(dt.datetime.combine(grant.on, dt.time(10, index % 50)))
            written.append(allocation)
        Allocation.objects.bulk_update(written, ["created_at"])  # dated on its decision
    return len(written)


# --- writing the ledger -------------------------------------------------------------------------


def _set_state(project: Project, state: str) -> None:
    if project.state != state:
        Project.objects.filter(pk=project.pk).update(state=state)
        project.state = state


def _write_ledger(ctx: _Context, plan: Plan) -> int:
    """The project's moves, each through its action; a project past the moment a move was made
    is set back to how it stood then (inside the transaction) and restored."""
    project = plan.project
    original = project.state
    written: list[tuple[LedgerEntry, Move]] = []
    with transaction.atomic():
        liquidated = list(
            Contract.objects.filter(project=project, state=ContractState.LIQUIDATED).values_list("pk", flat=True)
        )
        if liquidated:
            Contract.objects.filter(pk__in=liquidated).update(state=ContractState.SIGNED)
        last = None
        for move in plan.moves:
            if original in LATER:
                _set_state(project, S.IN_PROGRESS if move.kind == EntryKind.ADVANCE else S.ACCEPTED)
            entry = _write_move(ctx, project, move, last)
            if entry.status == EntryStatus.PAID and entry.kind in (EntryKind.ADVANCE, EntryKind.PAYMENT):
                last = entry
            written.append((entry, move))
        _set_state(project, original)
        if liquidated:
            Contract.objects.filter(pk__in=liquidated).update(state=ContractState.LIQUIDATED)
        _date(written)
    return len(written)


def _write_move(ctx: _Context, project: Project, move: Move, last: LedgerEntry | None) -> LedgerEntry:
    document = f"{project.code}/{DOCUMENTS[move.kind]}"
    if move.kind in (EntryKind.ADVANCE, EntryKind.PAYMENT):
        user = ctx.requester(project)
        with acting_as(user):
            entry = actions.request_payment(
                user=user, project=project, kind=move.kind, amount=move.amount, entry_date=move.on,
                beneficiary=move.beneficiary, document_number=document, note=move.note,
            )  # fmt: skip
        if move.outcome == EntryStatus.REQUESTED:
            return entry
        approver = ctx.approver(project)
        with acting_as(approver):
            if move.outcome == EntryStatus.REJECTED:
                return actions.reject_payment(user=approver, entry=entry, comment=move.comment)
            return actions.approve_payment(user=approver, entry=entry, comment="Đủ hồ sơ, đồng ý chi.")
    clerk = ctx.approver(project, clerk=True)
    with acting_as(clerk):
        if move.kind == EntryKind.RECOVERY:
            return actions.record_recovery(
                user=clerk, project=project, amount=move.amount, entry_date=move.on,
                recovers=last if move.recovers_last else None, document_number=document, note=move.note,
            )  # fmt: skip
        return actions.record_settlement(
            user=clerk, project=project, amount=move.amount, entry_date=move.on, document_number=document,
            note=move.note,
        )  # fmt: skip


def _date(written: list[tuple[LedgerEntry, Move]]) -> None:
    """Date the entries' records and their decisions on the days they happened."""
    decided = {}
    for entry, move in written:
        entry.requested_at = timezone.make_aware(dt.datetime.combine(move.on, dt.time(9, 30)))
        if entry.status != EntryStatus.REQUESTED:
            entry.decided_at = timezone.make_aware(dt.datetime.combine(move.decided_on or move.on, dt.time(15, 0)))
            decided[entry.pk] = entry.decided_at
    LedgerEntry.objects.bulk_update([e for e, _m in written], ["requested_at", "decided_at"])
    transitions = list(LedgerEntryTransition.objects.filter(entry_id__in=decided))
    for transition in transitions:
        transition.at = decided[transition.entry_id]
    LedgerEntryTransition.objects.bulk_update(transitions, ["at"])


def load_finance() -> dict:
    """Allocations and ledger entries for the demo plans and projects that have none yet."""
    ctx = _Context()
    if "admin" not in ctx.users or not AnnualPlan.objects.exists() or not Project.objects.exists():
        return _summary(0, 0)  # the money follows the demo projects: none, nothing to do
    plans = _ledger_plans(ctx)
    allocations = _allocate(ctx, plans)
    entries = skipped = 0
    for plan in plans:
        try:
            entries += _write_ledger(ctx, plan)
        except ActionRefused:
            skipped += 1  # a project whose money no longer fits (changed by hand since): left alone
    return _summary(allocations, entries, skipped)


def _summary(allocations: int, entries: int, skipped: int = 0) -> dict:
    return {
        "skipped_projects": skipped,
        "allocations": Allocation.objects.count(),
        "allocations_added": allocations,
        "entries": LedgerEntry.objects.count(),
        "entries_added": entries,
        "awaiting": LedgerEntry.objects.filter(status=EntryStatus.REQUESTED).count(),
    }
