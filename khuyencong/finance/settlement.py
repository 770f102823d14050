"""Settlement (quyết toán) of a project, named for the business events (DOMAIN.md §5 steps 10–11, §6).

- ``submit_settlement_dossier``: the implementer sends the dossier once every beneficiary line
  passed its acceptance at the facility; takes the project's ``submit_settlement`` step. A dossier
  returned for changes is sent again the same way.
- ``check_settlement``: a local project's dossier is checked by the provincial finance department.
- ``approve_settlement``: the Agency (national) or the province (local, after the check) decides
  the amount settled, never more than was disbursed; the project takes its ``settle`` /
  ``settle_local`` step with the decision, the ledger gets the settlement entry
  (``finance.actions.record_settlement``) and what was disbursed beyond it is to be recovered.
- ``return_settlement``: sent back with a reason.
- ``settle_from_acceptance``: when the implementer is late past the rulebook's deadline, the
  Agency settles a national project from the acceptance records and the payments made.

Each step of ``SETTLEMENT_LIFECYCLE`` writes a ``SettlementTransition``. Refusals
(``ActionRefused``, nothing written): ``forbidden`` (403), ``not_found`` (404), ``no_acceptance``
(a line without a passing acceptance record), ``wrong_state``, ``settlement_exists``,
``over_disbursed`` (422), ``amount_invalid`` (422), ``decision_required`` (422),
``comment_required`` (422), ``date_in_future`` / ``dates_out_of_order`` (422), ``not_late``,
``state_changed`` / ``stale`` (409).

Contract liquidation stays with ``contracts.actions.liquidate_contract``; ``liquidation_due`` and
``overdue_liquidations`` read the rulebook's ``liquidation`` deadline (22 January of the next
year) through ``projects.deadlines.RuleBook``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.contracts.models import IN_FORCE_STATES, Contract, ContractKind
from khuyencong.finance.acceptance import latest_records, lines_not_passed, require_project
from khuyencong.finance.actions import record_settlement
from khuyencong.finance.models import (
    Account,
    AccountKind,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Settlement,
    SettlementState,
    SettlementTransition,
)
from khuyencong.kernel import context
from khuyencong.kernel.lifecycle import ActionRefused, Lifecycle, Step
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects import actions as project_actions
from khuyencong.projects import deadlines
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level

P = ProjectState
S = SettlementState
SUBMIT, CHECK = "submit_settlement", "check_settlement"
APPROVE, APPROVE_LOCAL = "approve_settlement", "approve_settlement_local"
FROM_ACCEPTANCE = "settle_from_acceptance"
MAX_AMOUNT = 10**15


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def _national(settlement: Settlement, user) -> ActionRefused | None:
    if settlement.level != Level.NATIONAL:
        return ActionRefused("wrong_level", _("This step is for national projects."))
    return None


def _local(settlement: Settlement, user) -> ActionRefused | None:
    if settlement.level != Level.LOCAL:
        return ActionRefused("wrong_level", _("This step is for local projects."))
    return None


STEPS = [
    Step("resubmit", {S.RETURNED}, S.SUBMITTED, permission=SUBMIT, label=gettext_lazy("Send the dossier again")),
    Step("check", {S.SUBMITTED}, S.CHECKED, checks=(_local,), permission=CHECK,
         label=gettext_lazy("Checked: the dossier is in order")),
    Step("approve", {S.SUBMITTED}, S.APPROVED, checks=(_national,), needs_decision=True, permission=APPROVE,
         label=gettext_lazy("Approve the settlement")),
    Step("approve_local", {S.CHECKED}, S.APPROVED, checks=(_local,), needs_decision=True, permission=APPROVE_LOCAL,
         label=gettext_lazy("Approve the settlement")),
    Step("return", {S.SUBMITTED}, S.RETURNED, checks=(_national,), needs_comment=True, permission=APPROVE,
         label=gettext_lazy("Return the dossier")),
    Step("return_check", {S.SUBMITTED}, S.RETURNED, checks=(_local,), needs_comment=True, permission=CHECK,
         label=gettext_lazy("Return the dossier")),
    Step("return_local", {S.SUBMITTED, S.CHECKED}, S.RETURNED, checks=(_local,), needs_comment=True,
         permission=APPROVE_LOCAL, label=gettext_lazy("Return the dossier")),
    Step("settle_from_acceptance", {S.SUBMITTED, S.CHECKED, S.RETURNED}, S.APPROVED, checks=(_national,),
         needs_decision=True, permission=FROM_ACCEPTANCE,
         label=gettext_lazy("Settle from the acceptance records")),
]  # fmt: skip
SETTLEMENT_LIFECYCLE = Lifecycle(
    Settlement, record=SettlementTransition, subject_field="settlement", field="state", steps=STEPS
)
RETURN_STEPS = ("return", "return_check", "return_local")
APPROVE_STEPS = ("approve", "approve_local")


def available_steps(settlement: Settlement, user) -> list[Step]:
    """The steps ``user`` may take on ``settlement`` now (the panel's buttons; the API's list)."""
    return SETTLEMENT_LIFECYCLE.available(settlement, user)


def _require(user, settlement: Settlement) -> None:
    rows = Settlement._base_manager.filter(pk=settlement.pk)
    if not restrict(rows, user, Action.VIEW).exists():
        raise _forbidden() if not can(user, Action.VIEW, Settlement) else _not_found()


def _stale() -> ActionRefused:
    return ActionRefused(
        "stale", _("Someone else changed this settlement since you opened it; reload it and try again.")
    )


def _refuse_early(settlement: Settlement, user, action: str, version: int | None) -> None:
    _require(user, settlement)
    refusal = SETTLEMENT_LIFECYCLE.refusal(settlement, user, action)
    if refusal is not None:
        raise refusal
    if version is not None and version != settlement.version:
        raise _stale()


def _check_date(value: Any, field: str, *, not_before: dt.date | None = None, what: str = "") -> dt.date:
    if not isinstance(value, dt.date):
        raise ActionRefused("date_invalid", _("Give the date as dd/mm/yyyy."), field=field, status=422)
    if value > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field=field, status=422)
    if not_before is not None and value < not_before:
        raise ActionRefused(
            "dates_out_of_order",
            _("The date cannot be before %(what)s (%(date)s).")
            % {"what": what, "date": not_before.strftime("%d/%m/%Y")},
            field=field,
            status=422,
        )
    return value


def _check_amount(value: Any, field: str, disbursed: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > MAX_AMOUNT:
        raise ActionRefused("amount_invalid", _("Give the amount as a whole number of đồng, zero or more."),
                            field=field, status=422)  # fmt: skip
    if value > disbursed:
        raise ActionRefused(
            "over_disbursed",
            _("The settled amount (%(amount)s) cannot be more than what was disbursed (%(disbursed)s).")
            % {"amount": format_vnd(value), "disbursed": format_vnd(disbursed)},
            field=field,
            status=422,
        )
    return value


def disbursed_of(project: Project) -> int:
    """What was actually paid on the project (advances and payments paid, less recoveries)."""
    found = Account.objects.filter(kind=AccountKind.PROJECT, project=project).values_list("disbursed", flat=True)
    return next(iter(found), 0)


def _no_acceptance(project: Project) -> ActionRefused | None:
    if not project.beneficiaries.exists():
        return ActionRefused("no_acceptance", _("The project has no beneficiaries whose acceptance could be recorded."))
    missing = lines_not_passed(project)
    if missing:
        names = ", ".join(line.establishment.name for line in missing[:5])
        more = len(missing) - 5
        return ActionRefused(
            "no_acceptance",
            _("A settlement needs a passing acceptance record for every beneficiary; missing for: %(names)s.")
            % {"names": names + (f" (+{more})" if more > 0 else "")},
        )
    return None


def _transition(settlement: Settlement, user, action: str, from_state: str, *, comment: str = "", data=None,
                decision_number: str = "", decision_date: dt.date | None = None) -> None:  # fmt: skip
    """The record of a settlement's first state (the row is created, not moved by the lifecycle)."""
    SettlementTransition.objects.create(
        settlement=settlement, action=action, from_state=from_state, to_state=settlement.state,
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
        comment=comment, decision_number=decision_number, decision_date=decision_date,
        request_id=context.get_request_id(), data=data or {},
    )  # fmt: skip


def submit_settlement_dossier(
    *,
    user,
    project: Project,
    submitted_on: dt.date | None = None,
    proposed_amount: int | None = None,
    note: str = "",
    version: int | None = None,
) -> Settlement:
    """Send the project's settlement dossier (or send it again after it was returned)."""
    project = Project.objects.select_related("province").get(pk=project.pk)
    require_project(user, SUBMIT, Settlement, project)
    existing = Settlement.objects.filter(project=project).first()
    if existing is not None and existing.state != S.RETURNED:
        raise ActionRefused("settlement_exists", _("The settlement dossier of this project was already sent."))
    refusal = _no_acceptance(project)
    if refusal is not None:
        raise refusal
    if existing is None and project.state != P.ACCEPTED:
        raise ActionRefused(
            "wrong_state",
            _("The settlement dossier is sent once the project is accepted at the facility (it is now “%(state)s”).")
            % {"state": project.get_state_display()},
        )
    records = latest_records(project)
    last = max(r.accepted_on for r in records.values())
    on = _check_date(submitted_on or timezone.localdate(), "submitted_on", not_before=last,
                     what=_("the last acceptance"))  # fmt: skip
    disbursed = disbursed_of(project)
    amount = _check_amount(disbursed if proposed_amount is None else proposed_amount, "proposed_amount", disbursed)
    changes = {"submitted_on": on, "proposed_amount": amount, "disbursed_amount": disbursed,
               "note": (note or "").strip(), "submitted_by": user}  # fmt: skip
    if existing is not None:
        _refuse_early(existing, user, "resubmit", version)
        with transaction.atomic():
            return SETTLEMENT_LIFECYCLE.perform(existing, user, "resubmit", changes=changes, version=version,
                                                data={"proposed_amount": amount})  # fmt: skip
    with transaction.atomic():
        settlement = Settlement.objects.create(
            project=project, state=S.SUBMITTED, year=project.year, level=project.level,
            province_id=project.province_id, unit_id=project.implementing_unit_id, **changes,
        )  # fmt: skip
        _transition(settlement, user, "submit", "", data={"proposed_amount": amount, "disbursed": disbursed})
        project_actions.take_step(user=user, project=project, action="submit_settlement", on=on, enforce=False)
    return settlement


def check_settlement(
    *, user, settlement: Settlement, comment: str = "", checked_on: dt.date | None = None, version: int | None = None
) -> Settlement:
    """The provincial finance department has checked a local project's dossier."""
    _refuse_early(settlement, user, "check", version)
    on = _check_date(checked_on or timezone.localdate(), "checked_on", not_before=settlement.submitted_on,
                     what=_("the dossier was sent"))  # fmt: skip
    with transaction.atomic():
        return SETTLEMENT_LIFECYCLE.perform(settlement, user, "check", comment=comment, version=version,
                                            changes={"checked_by": user, "checked_on": on})  # fmt: skip


def return_settlement(*, user, settlement: Settlement, comment: str, version: int | None = None) -> Settlement:
    """Send the dossier back to the implementer with the reason (required)."""
    _require(user, settlement)
    action = next((s.action for s in available_steps(settlement, user) if s.action in RETURN_STEPS), None)
    if action is None:
        refusal = SETTLEMENT_LIFECYCLE.refusal(settlement, user, "return" if settlement.level == Level.NATIONAL
                                               else "return_local")  # fmt: skip
        raise refusal or _forbidden()
    if version is not None and version != settlement.version:
        raise _stale()
    with transaction.atomic():
        return SETTLEMENT_LIFECYCLE.perform(settlement, user, action, comment=comment, version=version)


def _settle(settlement: Settlement, user, action: str, *, amount: int, disbursed: int, decision_number: str,
            decision_date: dt.date, comment: str, version: int | None, data: dict) -> Settlement:  # fmt: skip
    """One transaction: the settlement's step, the project's settle step, the ledger's entry."""
    project = settlement.project
    step = "settle" if project.level == Level.NATIONAL else "settle_local"
    with transaction.atomic():
        settlement = SETTLEMENT_LIFECYCLE.perform(
            settlement, user, action, comment=comment, decision_number=decision_number, decision_date=decision_date,
            version=version, data=data,
            changes={"settled_amount": amount, "disbursed_amount": disbursed, "recover_amount": disbursed - amount,
                     "decision_number": decision_number.strip(), "decision_date": decision_date,
                     "approved_by": user},
        )  # fmt: skip
        project_actions.take_step(
            user=user, project=Project.objects.get(pk=project.pk), action=step, decision_number=decision_number,
            decision_date=decision_date, comment=comment, enforce=False,
            data={"settled": amount, "disbursed": disbursed, "to_recover": disbursed - amount},
        )  # fmt: skip
        entry = record_settlement(
            user=user, project=project, amount=amount, entry_date=decision_date, document_number=decision_number,
            note=_("Settlement approved"), enforce=False,
        )  # fmt: skip
        if entry.pk is not None:
            Settlement.objects.filter(pk=settlement.pk).update(ledger_entry=entry)
            settlement.refresh_from_db()
    return settlement


def _decision(decision_number: str, decision_date: Any, settlement: Settlement) -> tuple[str, dt.date]:
    number = (decision_number or "").strip()
    if not number or decision_date is None:
        raise ActionRefused(
            "decision_required", _("Give the decision number and date."),
            field="decision_number" if not number else "decision_date", status=422,
        )  # fmt: skip
    on = _check_date(decision_date, "decision_date", not_before=settlement.submitted_on,
                     what=_("the dossier was sent"))  # fmt: skip
    return number, on


def approve_settlement(
    *,
    user,
    settlement: Settlement,
    settled_amount: int,
    decision_number: str,
    decision_date: dt.date,
    comment: str = "",
    version: int | None = None,
) -> Settlement:
    """Approve the settlement of ``settled_amount`` đồng (never more than was disbursed): the
    project is liquidated and settled, the ledger records the settlement, and what was disbursed
    beyond it is to be recovered."""
    action = "approve" if settlement.level == Level.NATIONAL else "approve_local"
    _refuse_early(settlement, user, action, version)
    number, on = _decision(decision_number, decision_date, settlement)
    disbursed = disbursed_of(settlement.project)
    amount = _check_amount(settled_amount, "settled_amount", disbursed)
    return _settle(settlement, user, action, amount=amount, disbursed=disbursed, decision_number=number,
                   decision_date=on, comment=comment, version=version,
                   data={"settled": amount, "disbursed": disbursed})  # fmt: skip


# --- the project steps these flows take ----------------------------------------------------------

USE_ACCEPTANCE, USE_SETTLEMENT = "use_acceptance", "use_settlement"
ACCEPTANCE_ANCHOR, SETTLEMENT_ANCHOR = "project-settlement", "settlement-heading"


def reserve_project_steps() -> None:
    """The project's ``accept``, ``submit_settlement``, ``settle`` and ``settle_local`` steps are
    taken only by the acceptance records and the settlement flow (called from ``FinanceConfig.ready``):
    no button, not in the API's ``available_actions``, refused to a direct call with the code below."""
    project_actions.reserve_step(
        "accept", code=USE_ACCEPTANCE, anchor=ACCEPTANCE_ANCHOR, link=gettext_lazy("Go to the acceptance"),
        message=gettext_lazy("Record the acceptance of each beneficiary in the “Acceptance at the facility” "
                             "section: the project is accepted when the last one passes."),
    )  # fmt: skip
    project_actions.reserve_step(
        "submit_settlement", code=USE_SETTLEMENT, anchor=SETTLEMENT_ANCHOR, link=gettext_lazy("Go to the settlement"),
        message=gettext_lazy("Send the settlement dossier in the “Settlement” section, once every beneficiary "
                             "passed its acceptance."),
    )  # fmt: skip
    for action in ("settle", "settle_local"):
        project_actions.reserve_step(
            action, code=USE_SETTLEMENT, anchor=SETTLEMENT_ANCHOR, link=gettext_lazy("Go to the settlement"),
            message=gettext_lazy("The project is liquidated and settled when its settlement is approved in the "
                                 "“Settlement” section, with the amount settled and the decision."),
        )  # fmt: skip


# --- the Agency settles from the acceptance records ----------------------------------------------


def _line_paid(project: Project) -> dict[int | None, int]:
    """What was paid on each line (None: not tied to a line), less what was recovered."""
    rows = (
        LedgerEntry.objects.filter(project=project, status=EntryStatus.PAID)
        .values("beneficiary_id")
        .annotate(
            paid=Coalesce(Sum("amount", filter=Q(kind__in=[EntryKind.ADVANCE, EntryKind.PAYMENT])), 0),
            recovered=Coalesce(Sum("amount", filter=Q(kind=EntryKind.RECOVERY)), 0),
        )
    )
    return {row["beneficiary_id"]: row["paid"] - row["recovered"] for row in rows}


def amount_from_acceptance(project: Project) -> tuple[int, int]:
    """(settled, disbursed) as the Agency settles them from the records: everything disbursed but
    what was paid on lines whose latest acceptance failed (or that have none)."""
    disbursed = disbursed_of(project)
    paid = _line_paid(project)
    not_passed = lines_not_passed(project)
    withheld = sum(max(paid.get(line.pk, 0), 0) for line in not_passed)
    return max(disbursed - withheld, 0), disbursed


def late_item(project: Project, *, today: dt.date | None = None) -> deadlines.Due | None:
    """The overdue dossier or liquidation deadline that lets the Agency settle, or None."""
    for due in deadlines.due_for(project, today=today):
        if due.key in ("submit_settlement", "settle") and due.overdue:
            return due
    return None


def settle_from_acceptance(
    *, user, project: Project, decision_number: str, decision_date: dt.date, comment: str = ""
) -> Settlement:
    """The implementer is late past the rulebook's deadline: the Agency settles the national
    project from its acceptance records and the payments made (``by_agency_from_acceptance``)."""
    project = Project.objects.select_related("province", "implementing_unit").get(pk=project.pk)
    require_project(user, FROM_ACCEPTANCE, Settlement, project)
    if project.level != Level.NATIONAL:
        raise ActionRefused("wrong_level", _("This step is for national projects."))
    if project.state not in (P.ACCEPTED, P.SETTLEMENT_SUBMITTED):
        raise ActionRefused(
            "wrong_state",
            _("Only an accepted project whose settlement is pending can be settled from its acceptance records."),
        )
    existing = Settlement.objects.filter(project=project).first()
    if existing is not None and existing.state == S.APPROVED:
        raise ActionRefused("settlement_exists", _("The settlement of this project was already approved."))
    records = latest_records(project)
    if not records or len(records) < project.beneficiaries.count():
        raise ActionRefused("no_acceptance", _("Every beneficiary needs an acceptance record before the Agency can "
                                               "settle from them."))  # fmt: skip
    due = late_item(project)
    if due is None:
        raise ActionRefused(
            "not_late", _("The implementer is not late: the Agency settles from the acceptance records only once "
                          "the deadline for the settlement dossier has passed."),
        )  # fmt: skip
    number = (decision_number or "").strip()
    if not number or decision_date is None:
        raise ActionRefused("decision_required", _("Give the decision number and date."),
                            field="decision_number" if not number else "decision_date", status=422)  # fmt: skip
    last = max(r.accepted_on for r in records.values())
    on = _check_date(decision_date, "decision_date", not_before=last, what=_("the last acceptance"))
    amount, disbursed = amount_from_acceptance(project)
    data = {"settled": amount, "disbursed": disbursed, "late": due.key,
            "due_date": due.due_date.isoformat() if due.due_date else None}  # fmt: skip
    with transaction.atomic():
        if existing is None:
            existing = Settlement.objects.create(
                project=project, state=S.SUBMITTED, year=project.year, level=project.level, submitted_on=on,
                province_id=project.province_id, unit_id=project.implementing_unit_id, proposed_amount=amount,
                disbursed_amount=disbursed, by_agency_from_acceptance=True, submitted_by=user,
                note=(comment or "").strip(),
            )  # fmt: skip
            _transition(existing, user, "submit", "", data={"by_agency_from_acceptance": True})
            project_actions.take_step(user=user, project=project, action="submit_settlement", on=on, enforce=False)
        else:
            Settlement.objects.filter(pk=existing.pk).update(by_agency_from_acceptance=True)
            existing.refresh_from_db()
        return _settle(existing, user, "settle_from_acceptance", amount=amount, disbursed=disbursed,
                       decision_number=number, decision_date=on, comment=comment, version=None, data=data)  # fmt: skip


# --- contract liquidation: when it is due ---------------------------------------------------------

# Projects whose main contract is liquidated after the acceptance (contracts._after_acceptance).
LIQUIDATION_STATES = frozenset({P.ACCEPTED, P.SETTLEMENT_SUBMITTED, P.SETTLED, P.CLOSED})
LIQUIDATION_CODE = "liquidation"


def liquidation_answer(book: deadlines.RuleBook, level: str, year: int, province_id: int | None):
    """The rulebook's liquidation rule for a project (a local project without a rule of its
    province follows the national one, as its advances do)."""
    answer = book.answer(LIQUIDATION_CODE, level, year, province_id)
    if answer.rule is None and level == Level.LOCAL:
        answer = book.answer(LIQUIDATION_CODE, Level.NATIONAL, year, None)
    return answer


def liquidation_due(project: Project, *, book: deadlines.RuleBook | None = None) -> dt.date | None:
    """The day the project's contract must be liquidated and settled by (22/1 of the next year)."""
    book = book or deadlines.RuleBook()
    return liquidation_answer(book, project.level, project.year, project.province_id).due(project.year, None)


def _live_main() -> Exists:
    return Exists(
        Contract.objects.filter(project=OuterRef("pk"), kind=ContractKind.MAIN, state__in=sorted(IN_FORCE_STATES))
    )


def liquidations_pending(user) -> QuerySet:
    """Projects in ``user``'s reach accepted (or later) whose main contract is still not liquidated."""
    rows = restrict(Project.objects.all(), user, Action.VIEW)
    return rows.filter(state__in=sorted(LIQUIDATION_STATES)).filter(_live_main())


def overdue_liquidation_q(*, today: dt.date | None = None, book: deadlines.RuleBook | None = None) -> Q:
    """Projects whose liquidation deadline has passed: per level, the plan years it passed for."""
    today = today or timezone.localdate()
    book = book or deadlines.RuleBook()
    parts = Q(pk__in=[])
    for level in (Level.NATIONAL, Level.LOCAL):
        late = [
            year
            for year in range(2000, today.year + 1)
            if (due := liquidation_answer(book, level, year, None).due(year, None)) is not None and due < today
        ]
        if late:
            parts |= Q(level=level, year__in=late)
    return parts  # fmt: skip


def overdue_liquidations(user, *, today: dt.date | None = None, limit: int = 50) -> tuple[list[Project], int]:
    """The projects in reach whose contract should have been liquidated by now (oldest first), each
    with ``liquidation_due``; and how many there are."""
    today = today or timezone.localdate()
    book = deadlines.RuleBook()
    rows = liquidations_pending(user).filter(overdue_liquidation_q(today=today, book=book))
    count = rows.order_by().count()
    picked = list(rows.select_related("province", "implementing_unit").order_by("year", "code")[:limit])
    for project in picked:
        project.liquidation_due = liquidation_due(project, book=book)
    return picked, count
