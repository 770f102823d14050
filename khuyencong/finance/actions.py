"""Every write on money, named for the business event (ADR 0004, ADR 0007).

- ``allocate`` records a budget allocation (giao dự toán) to a unit for a year and funding source;
  a negative amount reduces it (with a reason). Refused beyond the plan's total or its line
  (``over_plan``, ``over_plan_line``) and below what the unit has already committed
  (``below_committed``).
- ``request_payment`` records an advance or a payment request against a project's contract,
  optionally for one beneficiary line; ``approve_payment`` / ``reject_payment`` decide it (steps of
  ``LEDGER_LIFECYCLE`` with transition records). Only a paid entry counts as disbursed.
- ``record_recovery`` records money returned; ``record_settlement`` the amount settled.

Each is one transaction whose balance changes are conditional UPDATEs (``finance.accounts``):
refused with nothing written when it would pay more than the contracted support
(``over_contract``), than a beneficiary line's support contract (``over_line_support``), overdraw
the unit's allocation (``over_allocation``) or advance more than the rule in force allows
(``over_advance_rule``, ``no_advance``). Other refusals: ``amount_invalid`` (422), ``date_in_future``,
``before_contract``, ``after_settlement``, ``project_cancelled``, ``not_contracted``,
``advance_after_acceptance``,
``no_contract``, ``wrong_line``, ``idempotency_conflict`` (409: the key was used for another request).

Idempotency: a request that carries ``idempotency_key`` is written once; the same key with the same
content returns the entry first written (``entry.replayed`` is True), even when both arrive at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.contracts.models import IN_FORCE_STATES, Contract, ContractKind
from khuyencong.finance import accounts
from khuyencong.finance.models import (
    Allocation,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    LedgerEntryTransition,
)
from khuyencong.kernel.lifecycle import ActionRefused, Lifecycle, Step
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, FundingSource, PlanLine, PlanVersion
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.rulebook.models import AdvanceRule, Level
from khuyencong.rulebook.services import applicable_rule

MAX_AMOUNT = 10**15
P = ProjectState
# A project takes advances while it runs, payments until its settlement is decided.
ADVANCE_STATES = frozenset({P.CONTRACTED, P.IN_PROGRESS})
PAYMENT_STATES = frozenset({P.CONTRACTED, P.IN_PROGRESS, P.ACCEPTED, P.SETTLEMENT_SUBMITTED})
CLOSED_STATES = frozenset({P.STOPPED, P.CANCELLED, P.REJECTED})
SETTLED_STATES = frozenset({P.SETTLED, P.CLOSED})

# Named actions (organisation/permissions.py): allocations of the national plan by the Agency,
# of a local plan by the province; payments requested by the implementer, approved by the payer.
ALLOCATE, ALLOCATE_LOCAL = "allocate", "allocate_local"
REQUEST_PAYMENT = "request_payment"
APPROVE_PAYMENT, APPROVE_PAYMENT_LOCAL = "approve_payment", "approve_payment_local"


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def amount_error(value: Any, *, allow_negative: bool = False) -> str | None:
    """The message for an amount that is not a whole, non-zero (positive) number of đồng."""
    if not isinstance(value, int) or isinstance(value, bool):
        return _("Give the amount as a whole number of đồng.")
    if value == 0:
        return _("The amount cannot be zero.")
    if value < 0 and not allow_negative:
        return _("The amount must be greater than zero.")
    if abs(value) > MAX_AMOUNT:
        return _("The amount is too large.")
    return None


def _check_amount(value: Any, *, allow_negative: bool = False) -> None:
    message = amount_error(value, allow_negative=allow_negative)
    if message:
        raise ActionRefused("amount_invalid", message, field="amount", status=422)


def _check_date(on: Any, field: str = "entry_date") -> dt.date:
    if not isinstance(on, dt.date):
        raise ActionRefused("date_invalid", _("Give the date as dd/mm/yyyy."), field=field, status=422)
    if on > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field=field, status=422)
    return on


def _fingerprint(**values: Any) -> str:
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(model, key: str | None, fingerprint: str):
    """The row first written with ``key``, or None; refused when it was written for other content."""
    if not key:
        return None
    found = model.objects.filter(idempotency_key=key).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise ActionRefused(
            "idempotency_conflict",
            _("This request key was already used for a different request; send a new key."),
            status=409,
        )
    found.replayed = True
    return found


def _once(model, key: str | None, fingerprint: str, write: Callable[[], Any]):
    """Run ``write`` (one transaction) unless ``key`` was seen; a concurrent duplicate that loses
    the unique key returns the winner's row."""
    existing = _replay(model, key, fingerprint)
    if existing is not None:
        return existing
    try:
        row = write()
    except IntegrityError:
        existing = _replay(model, key, fingerprint)
        if existing is None:
            raise
        return existing
    row.replayed = False
    return row


def _key(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > 100:
        raise ActionRefused("idempotency_key_invalid", _("The request key is too long."), status=422)
    return value or None


# --- allocations --------------------------------------------------------------------------------


def allocation_permission(plan: AnnualPlan) -> str:
    return ALLOCATE if plan.level == Level.NATIONAL else ALLOCATE_LOCAL


def _plan_total(plan: AnnualPlan) -> int:
    version = plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("-sequence").first()
    return version.declared_total if version is not None else plan.declared_total


def _line_in_force(plan: AnnualPlan, key: str) -> PlanLine | None:
    version = plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("-sequence").first()
    if version is None:
        return None
    return PlanLine.objects.filter(plan_version=version, key=key).first()


def allocate(
    *,
    user,
    plan: AnnualPlan,
    unit: OrgUnit,
    amount: int,
    decision_number: str,
    decision_date: dt.date,
    funding_source: str = "",
    plan_line: PlanLine | None = None,
    reason: str = "",
    corrects: Allocation | None = None,
    idempotency_key: str | None = None,
) -> Allocation:
    """Allocate ``amount`` đồng of ``plan`` to ``unit`` (negative: a reduction, with a reason)."""
    permission = allocation_permission(plan)
    province = unit.province if unit.province_id else None
    province_id = province.pk if province is not None else plan.province_id
    if not can(user, permission, Allocation):
        raise _forbidden()
    if not user_scope(user, permission, Allocation).covers(province_id=province_id, org_unit_id=unit.pk):
        raise ActionRefused("out_of_scope", _("This unit is outside your reach."), field="unit", status=403)
    _check_amount(amount, allow_negative=True)
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise ActionRefused("decision_required", _("Give the decision number."), field="decision_number", status=422)
    _check_date(decision_date, "decision_date")
    if amount < 0 and not (reason or "").strip():
        raise ActionRefused("reason_required", _("Give the reason for the reduction."), field="reason", status=422)
    source = funding_source or (plan_line.funding_source if plan_line else "") or _default_source(plan.level)
    if source not in FundingSource.values:
        raise ActionRefused("funding_source_invalid", _("Choose a funding source."), field="funding_source", status=422)
    if plan_line is not None and plan_line.plan_version.plan_id != plan.pk:
        raise ActionRefused("wrong_line", _("The line is not in this plan."), field="plan_line", status=422)
    if corrects is not None and corrects.plan_id != plan.pk:
        raise ActionRefused("wrong_entry", _("The corrected entry is of another plan."), field="corrects", status=422)
    key = _key(idempotency_key)
    fingerprint = _fingerprint(
        plan=plan.pk, unit=unit.pk, amount=amount, source=source, line=plan_line.pk if plan_line else None,
        number=decision_number, date=decision_date,
    )  # fmt: skip

    def write() -> Allocation:
        with transaction.atomic():
            # FOR NO KEY UPDATE: serialises allocations of the plan without blocking the foreign-key
            # check (FOR KEY SHARE) a ledger entry's commit takes on its plan row while it holds the
            # allocation account, which the allocation then waits for (a deadlock on PostgreSQL).
            locked = AnnualPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
            if amount > 0:
                _check_plan_room(locked, amount, plan_line)
            account = accounts.allocation_account(unit_id=unit.pk, year=plan.year, funding_source=source)
            if not accounts.move(account, ceiling_delta=amount):
                account.refresh_from_db()
                raise ActionRefused(
                    "below_committed",
                    _("The reduction would leave the unit less than it has already committed (%(amount)s).")
                    % {"amount": format_vnd(account.committed)},
                    field="amount",
                    status=422,
                )
            return Allocation.objects.create(
                year=plan.year, level=plan.level, plan=plan, plan_line=plan_line,
                plan_line_key=plan_line.key if plan_line else "", unit=unit, province_id=province_id,
                funding_source=source, amount=amount, decision_number=decision_number, decision_date=decision_date,
                reason=(reason or "").strip(), corrects=corrects, idempotency_key=key, fingerprint=fingerprint,
                created_by=user,
            )  # fmt: skip

    return _once(Allocation, key, fingerprint, write)


def _default_source(level: str) -> str:
    return FundingSource.CENTRAL if level == Level.NATIONAL else FundingSource.LOCAL


def _check_plan_room(plan: AnnualPlan, amount: int, plan_line: PlanLine | None) -> None:
    """Budget control: allocations never beyond the plan's total, nor beyond the line's amount."""
    allocated = Allocation.objects.filter(plan=plan).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    total = _plan_total(plan)
    if allocated + amount > total:
        raise ActionRefused(
            "over_plan",
            _("Allocations would reach %(after)s, more than the plan's %(total)s (%(left)s left).")
            % {"after": format_vnd(allocated + amount), "total": format_vnd(total),
               "left": format_vnd(max(total - allocated, 0))},
            field="amount",
            status=422,
        )  # fmt: skip
    if plan_line is not None:
        line = _line_in_force(plan, plan_line.key) or plan_line
        on_line = Allocation.objects.filter(plan=plan, plan_line_key=line.key).aggregate(
            total=Coalesce(Sum("amount"), 0)
        )["total"]
        if on_line + amount > line.amount:
            raise ActionRefused(
                "over_plan_line",
                _("Allocations on line %(line)s would reach %(after)s, more than its %(total)s.")
                % {"line": str(line), "after": format_vnd(on_line + amount), "total": format_vnd(line.amount)},
                field="amount",
                status=422,
            )


# --- the ledger ---------------------------------------------------------------------------------


def live_main_contract(project: Project) -> Contract | None:
    return (
        Contract.objects.filter(project=project, kind=ContractKind.MAIN, state__in=IN_FORCE_STATES)
        .order_by("-pk")
        .first()
    )


def line_ceiling(line: BeneficiaryLine) -> int:
    """A line's cap: its support contract in force, else the support the line carries."""
    contract = (
        Contract.objects.filter(beneficiary=line, kind=ContractKind.SUPPORT, state__in=IN_FORCE_STATES)
        .order_by("-pk")
        .first()
    )
    return contract.value if contract is not None else line.support


def advance_rule(project: Project, on: dt.date) -> AdvanceRule | None:
    """The advance rule in force on ``on`` for the project's content (a local project without a
    province rule of its own follows the national rule)."""
    found = applicable_rule(AdvanceRule, on=on, level=project.level, province=project.province, content=project.content)
    if found.rule is None and project.level == Level.LOCAL:
        found = applicable_rule(AdvanceRule, on=on, level=Level.NATIONAL, content=project.content)
    return found.rule


def advance_ceiling(project: Project, contract_value: int, on: dt.date) -> tuple[int, AdvanceRule | None]:
    rule = advance_rule(project, on)
    if rule is None:
        return 0, None
    return int(Decimal(contract_value) * rule.first_advance_percent / 100), rule


def funding_source_of(project: Project) -> str:
    if project.plan_line_id is not None and project.plan_line is not None:
        return project.plan_line.funding_source
    return _default_source(project.level)


def _require_reach(user, permission: str, project: Project) -> None:
    if not can(user, permission, LedgerEntry):
        raise _forbidden()
    if not user_scope(user, permission, LedgerEntry).covers(
        province_id=project.province_id, org_unit_id=project.implementing_unit_id
    ):
        seen = restrict(Project.objects.filter(pk=project.pk), user, Action.VIEW).exists()
        raise _forbidden() if seen else _not_found()


def _check_project_open(project: Project, on: dt.date, kind: str) -> None:
    if project.state in CLOSED_STATES:
        raise ActionRefused(
            "project_cancelled",
            _("The project was %(state)s: no money can be paid on it.") % {"state": project.get_state_display()},
        )
    if project.state in SETTLED_STATES or (project.settled_on and on > project.settled_on):
        raise ActionRefused(
            "after_settlement", _("The project has been settled: no payment can be recorded after its settlement.")
        )
    if project.state not in PAYMENT_STATES:
        raise ActionRefused("not_contracted", _("Money is paid only once the project's contract is signed."))
    if kind == EntryKind.ADVANCE and project.state not in ADVANCE_STATES:
        raise ActionRefused(
            "advance_after_acceptance", _("An advance is paid between the contract and the acceptance.")
        )


def _copied(project: Project) -> dict[str, Any]:
    return {
        "year": project.year, "level": project.level, "province_id": project.province_id,
        "legacy_province_id": project.legacy_province_id, "unit_id": project.implementing_unit_id,
        "content_id": project.content_id, "plan_id": project.plan_id, "funding_source": funding_source_of(project),
    }  # fmt: skip


def request_payment(
    *,
    user,
    project: Project,
    kind: str,
    amount: int,
    entry_date: dt.date,
    beneficiary: BeneficiaryLine | None = None,
    document_number: str = "",
    note: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Request an advance or a payment of ``amount`` đồng on ``project`` (awaiting approval)."""
    _require_reach(user, REQUEST_PAYMENT, project)
    if kind not in (EntryKind.ADVANCE, EntryKind.PAYMENT):
        raise ActionRefused("kind_invalid", _("Choose an advance or a payment."), field="kind", status=422)
    _check_amount(amount)
    _check_date(entry_date)
    key = _key(idempotency_key)
    fingerprint = _fingerprint(
        project=project.pk, kind=kind, amount=amount, date=entry_date, line=beneficiary.pk if beneficiary else None,
        document=(document_number or "").strip(),
    )  # fmt: skip
    existing = _replay(LedgerEntry, key, fingerprint)
    if existing is not None:
        return existing
    if beneficiary is not None and beneficiary.project_id != project.pk:
        raise ActionRefused("wrong_line", _("The beneficiary is not one of this project's."), field="beneficiary",
                            status=422)  # fmt: skip

    def write() -> LedgerEntry:
        with transaction.atomic():
            locked = Project.objects.select_related("plan_line", "content", "province").get(pk=project.pk)
            _check_project_open(locked, entry_date, kind)
            contract = live_main_contract(locked)
            if contract is None:
                raise ActionRefused("no_contract", _("The project has no signed main contract to pay against."))
            if contract.signed_on and entry_date < contract.signed_on:
                raise ActionRefused(
                    "before_contract",
                    _("The date is before the contract was signed (%(date)s).")
                    % {"date": contract.signed_on.strftime("%d/%m/%Y")},
                    field="entry_date",
                    status=422,
                )
            advanced = amount if kind == EntryKind.ADVANCE else 0
            cap, rule = advance_ceiling(locked, contract.value, entry_date)
            if kind == EntryKind.ADVANCE and cap == 0:
                raise ActionRefused(
                    "no_advance",
                    _("The rule in force allows no advance for this content: payment follows acceptance.")
                    + (f" ({rule.legal_document})" if rule is not None else ""),
                )
            account = accounts.project_account(locked)
            if not accounts.move(account, committed=amount, advanced=advanced, ceiling=contract.value,
                                 advance_ceiling=cap if kind == EntryKind.ADVANCE else None):  # fmt: skip
                account.refresh_from_db()
                _refuse_project_cap(account, amount, advanced, contract.value, cap, rule)
            if beneficiary is not None:
                line_cap = line_ceiling(beneficiary)
                if not accounts.move(accounts.line_account(beneficiary), committed=amount, ceiling=line_cap):
                    raise ActionRefused(
                        "over_line_support",
                        _("This would pay the beneficiary more than its support contract (%(cap)s).")
                        % {"cap": format_vnd(line_cap)},
                        field="amount",
                        status=422,
                    )
            copied = _copied(locked)
            allocation = accounts.allocation_account(
                unit_id=copied["unit_id"], year=copied["year"], funding_source=copied["funding_source"]
            )
            if not accounts.move(allocation, committed=amount):
                allocation.refresh_from_db()
                raise ActionRefused(
                    "over_allocation",
                    _("This would exceed the unit's allocation for %(year)s: %(allocated)s allocated, "
                      "%(committed)s already committed.")
                    % {"year": copied["year"], "allocated": format_vnd(allocation.ceiling),
                       "committed": format_vnd(allocation.committed)},
                    field="amount",
                    status=422,
                )  # fmt: skip
            return LedgerEntry.objects.create(
                project=locked, contract=contract, beneficiary=beneficiary, kind=kind, amount=amount,
                entry_date=entry_date, document_number=(document_number or "").strip(), note=(note or "").strip(),
                idempotency_key=key, fingerprint=fingerprint, requested_by=user, **copied,
            )  # fmt: skip

    return _once(LedgerEntry, key, fingerprint, write)


def _refuse_project_cap(account, amount: int, advanced: int, contract_value: int, cap: int, rule) -> None:
    if advanced and account.advanced + advanced > cap:
        raise ActionRefused(
            "over_advance_rule",
            _("Advances would reach %(after)s, more than the %(percent)s%% of the contract the rule allows (%(cap)s).")
            % {"after": format_vnd(account.advanced + advanced), "cap": format_vnd(cap),
               "percent": f"{rule.first_advance_percent.normalize():f}" if rule else "0"}
            + (f" ({rule.legal_document})" if rule is not None else ""),
            field="amount",
            status=422,
        )  # fmt: skip
    raise ActionRefused(
        "over_contract",
        _("This would pay %(after)s, more than the contracted support of %(cap)s (%(left)s left).")
        % {"after": format_vnd(account.committed + amount), "cap": format_vnd(contract_value),
           "left": format_vnd(max(contract_value - account.committed, 0))},
        field="amount",
        status=422,
    )  # fmt: skip


def _national(entry: LedgerEntry, user) -> ActionRefused | None:
    if entry.level != Level.NATIONAL:
        return ActionRefused("wrong_level", _("This step is for national projects."))
    return None


def _local(entry: LedgerEntry, user) -> ActionRefused | None:
    if entry.level != Level.LOCAL:
        return ActionRefused("wrong_level", _("This step is for local projects."))
    return None


def _outgoing(entry: LedgerEntry, user) -> ActionRefused | None:
    if entry.kind not in (EntryKind.ADVANCE, EntryKind.PAYMENT):
        return ActionRefused("wrong_kind", _("Only advances and payments are approved."))
    return None


S = EntryStatus
LEDGER_STEPS = [
    Step("approve_payment", {S.REQUESTED}, S.PAID, checks=(_national, _outgoing), permission=APPROVE_PAYMENT,
         label=gettext_lazy("Approve the payment")),
    Step("approve_payment_local", {S.REQUESTED}, S.PAID, checks=(_local, _outgoing), permission=APPROVE_PAYMENT_LOCAL,
         label=gettext_lazy("Approve the payment")),
    Step("reject_payment", {S.REQUESTED}, S.REJECTED, checks=(_national, _outgoing), needs_comment=True,
         permission=APPROVE_PAYMENT, label=gettext_lazy("Reject")),
    Step("reject_payment_local", {S.REQUESTED}, S.REJECTED, checks=(_local, _outgoing), needs_comment=True,
         permission=APPROVE_PAYMENT_LOCAL, label=gettext_lazy("Reject")),
]  # fmt: skip
LEDGER_LIFECYCLE = Lifecycle(LedgerEntry, record=LedgerEntryTransition, subject_field="entry", field="status",
                             steps=LEDGER_STEPS)  # fmt: skip


def approver_permission(level: str) -> str:
    return APPROVE_PAYMENT if level == Level.NATIONAL else APPROVE_PAYMENT_LOCAL


def available_steps(entry: LedgerEntry, user) -> list[Step]:
    return LEDGER_LIFECYCLE.available(entry, user)


def _require_entry(user, permission: str, entry: LedgerEntry) -> None:
    if not can(user, permission, LedgerEntry):
        raise _forbidden()
    rows = LedgerEntry._base_manager.filter(pk=entry.pk)
    if not restrict(rows, user, permission).exists():
        raise _forbidden() if restrict(rows, user, Action.VIEW).exists() else _not_found()


def approve_payment(*, user, entry: LedgerEntry, comment: str = "", version: int | None = None) -> LedgerEntry:
    """Approve a requested advance or payment: it is paid and counts as disbursed."""
    action = "approve_payment" if entry.level == Level.NATIONAL else "approve_payment_local"
    _require_entry(user, approver_permission(entry.level), entry)
    with transaction.atomic():
        project = Project.objects.get(pk=entry.project_id)
        if project.state in CLOSED_STATES:
            raise ActionRefused(
                "project_cancelled",
                _("The project was %(state)s: no money can be paid on it.") % {"state": project.get_state_display()},
            )
        entry = LEDGER_LIFECYCLE.perform(
            entry, user, action, comment=comment, version=version,
            changes={"decided_at": timezone.now(), "decided_by": user},
        )  # fmt: skip
        _move_all(entry, disbursed=entry.amount)
    return entry


def reject_payment(*, user, entry: LedgerEntry, comment: str, version: int | None = None) -> LedgerEntry:
    """Reject a requested advance or payment (a reason is required); what it held is released."""
    action = "reject_payment" if entry.level == Level.NATIONAL else "reject_payment_local"
    _require_entry(user, approver_permission(entry.level), entry)
    with transaction.atomic():
        entry = LEDGER_LIFECYCLE.perform(
            entry, user, action, comment=comment, version=version,
            changes={"decided_at": timezone.now(), "decided_by": user},
        )  # fmt: skip
        advanced = -entry.amount if entry.kind == EntryKind.ADVANCE else 0
        _move_all(entry, committed=-entry.amount, advanced=advanced)
    return entry


def _move_all(entry: LedgerEntry, *, committed: int = 0, advanced: int = 0, disbursed: int = 0) -> None:
    """Apply the same change to the entry's project, line and allocation accounts (in that order)."""
    moved = accounts.move(
        accounts.project_account(entry.project), committed=committed, advanced=advanced, disbursed=disbursed
    )
    if moved and entry.beneficiary_id:
        moved = accounts.move(accounts.line_account(entry.beneficiary), committed=committed, disbursed=disbursed)
    if moved:
        moved = accounts.move(
            accounts.allocation_account(unit_id=entry.unit_id, year=entry.year, funding_source=entry.funding_source),
            committed=committed,
            disbursed=disbursed,
        )
    if not moved:
        raise ActionRefused(
            "balance_conflict", _("The balances do not allow this change; reload the project and check its ledger.")
        )


def record_recovery(
    *,
    user,
    project: Project,
    amount: int,
    entry_date: dt.date,
    recovers: LedgerEntry | None = None,
    beneficiary: BeneficiaryLine | None = None,
    document_number: str = "",
    note: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Record ``amount`` đồng returned by the implementer (of an advance or a payment)."""
    _require_reach(user, approver_permission(project.level), project)
    _check_amount(amount)
    _check_date(entry_date)
    if recovers is not None and (recovers.project_id != project.pk or recovers.status != EntryStatus.PAID):
        raise ActionRefused("wrong_entry", _("Choose a paid advance or payment of this project."), field="recovers",
                            status=422)  # fmt: skip
    if recovers is not None and beneficiary is None:
        beneficiary = recovers.beneficiary
    key = _key(idempotency_key)
    fingerprint = _fingerprint(project=project.pk, kind="recovery", amount=amount, date=entry_date,
                               recovers=recovers.pk if recovers else None)  # fmt: skip

    def write() -> LedgerEntry:
        with transaction.atomic():
            locked = Project.objects.select_related("plan_line").get(pk=project.pk)
            entry = LedgerEntry.objects.create(
                project=locked, contract=recovers.contract if recovers else live_main_contract(locked),
                beneficiary=beneficiary, kind=EntryKind.RECOVERY, status=EntryStatus.PAID, amount=amount,
                entry_date=entry_date, document_number=(document_number or "").strip(), note=(note or "").strip(),
                recovers=recovers, idempotency_key=key, fingerprint=fingerprint, requested_by=user,
                decided_by=user, decided_at=timezone.now(), **_copied(locked),
            )  # fmt: skip
            advanced = -amount if recovers is not None and recovers.kind == EntryKind.ADVANCE else 0
            try:
                _move_all(entry, committed=-amount, advanced=advanced, disbursed=-amount)
            except ActionRefused:
                raise ActionRefused(
                    "over_disbursed", _("More is recovered than was paid on this project."), field="amount", status=422
                ) from None
            return entry

    return _once(LedgerEntry, key, fingerprint, write)


def record_settlement(
    *,
    user,
    project: Project,
    amount: int,
    entry_date: dt.date,
    document_number: str = "",
    note: str = "",
    enforce: bool = True,
) -> LedgerEntry:
    """Record the amount settled (quyết toán) for ``project``: never more than was disbursed.

    Called by the settlement action (which checks its own permission: ``enforce=False``)."""
    if enforce:
        _require_reach(user, approver_permission(project.level), project)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ActionRefused("amount_invalid", _("Give the amount as a whole number of đồng."), field="amount",
                            status=422)  # fmt: skip
    _check_date(entry_date)
    with transaction.atomic():
        locked = Project.objects.select_related("plan_line").get(pk=project.pk)
        if amount == 0:
            return LedgerEntry(project=locked, kind=EntryKind.SETTLEMENT, amount=0, entry_date=entry_date)
        entry = LedgerEntry.objects.create(
            project=locked, contract=live_main_contract(locked), kind=EntryKind.SETTLEMENT, status=EntryStatus.PAID,
            amount=amount, entry_date=entry_date, document_number=(document_number or "").strip(),
            note=(note or "").strip(), requested_by=user, decided_by=user, decided_at=timezone.now(),
            **_copied(locked),
        )  # fmt: skip
        if not accounts.move(accounts.project_account(locked), settled=amount):
            raise ActionRefused(
                "over_disbursed", _("The settled amount cannot be more than what was disbursed."), field="amount",
                status=422,
            )  # fmt: skip
    return entry
