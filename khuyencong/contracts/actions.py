"""Every write on contracts, named for the business event (ADR 0004).

``save_contract`` drafts a contract or changes a draft; ``sign_contract``, ``amend_contract``,
``terminate_contract`` and ``liquidate_contract`` are the steps of ``CONTRACT_LIFECYCLE``;
``delete_contract`` removes a draft that was never signed.

Caps (refused with nothing written, HTTP 422): a main contract's value never above the project's
approved support (``over_approved_support``); the support contracts together never above the main
contract (``over_main_contract``), nor one above its beneficiary line's support
(``over_beneficiary_support``); an amendment keeps the same caps, and a main contract is not
lowered below its support contracts (``below_support_contracts``). The caps are checked again
with the project row locked (``SELECT … FOR UPDATE``), so two amendments at once cannot push a
total over its cap together.

Dates: signed ≤ start ≤ end (``dates_out_of_order``), the signature neither in the future
(``date_in_future``) nor before the project's approval (``before_approval``).

States: a first main contract for an approved project; support contracts and amendments while the
project is contracted or in progress (``project_state``); one live main contract per project
(``main_exists``) and one support contract per beneficiary line (``support_exists``). Signing a
main contract of an approved project takes the project's ``contract`` (national) or
``contract_local`` (local) step in the same transaction, after checking that the signer may take
it. ``stale`` (409): the contract changed since the form or the ``If-Match`` version was read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.contracts.models import (
    Contract,
    ContractAmendment,
    ContractKind,
    ContractState,
    ContractTransition,
)
from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict, user_scope
from khuyencong.kernel.text import fold
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.rulebook.models import Level

MAX_AMOUNT = 10**15
C = ContractState
P = ProjectState
# Project states in which support contracts and amendments are made.
RUNNING = frozenset({P.CONTRACTED, P.IN_PROGRESS})
# A main contract may be drafted for an approved project (the first one) or, after one was
# terminated, while the project runs.
MAIN_DRAFT_STATES = frozenset({P.APPROVED}) | RUNNING
ACCEPTED_STATES = frozenset({P.ACCEPTED, P.SETTLEMENT_SUBMITTED, P.SETTLED, P.CLOSED})
CONTRACT_FIELDS = frozenset({"number", "value", "signed_on", "start_date", "end_date", "deadline", "subject"})


# Checks other apps add on a contract's new value, run under the project's row lock before an
# amendment is written: ``check(contract, new_value) -> ActionRefused | None`` (finance refuses a
# value below what was already requested or paid against the contract). Registered in
# ``AppConfig.ready`` so this module imports none of those apps.
_VALUE_CHECKS: list[Callable[[Contract, int], ActionRefused | None]] = []


def on_value_change(check: Callable[[Contract, int], ActionRefused | None]) -> Callable:
    """Register ``check(contract, new_value)``; a refusal it returns stops the amendment."""
    if check not in _VALUE_CHECKS:
        _VALUE_CHECKS.append(check)
    return check


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def _stale() -> ActionRefused:
    return ActionRefused(
        "stale", _("Someone else changed this contract since you opened it; reload it and make your change again.")
    )


def kind_permission(kind: str, level: str) -> str:
    """The named action a role needs to write a contract of this kind for a project of this level."""
    if kind == ContractKind.SUPPORT:
        return "support"
    return "main" if level == Level.NATIONAL else "main_local"


def contract_permission(contract: Contract) -> str:
    return kind_permission(contract.kind, contract.project.level)


def require(user, action: str, contract: Contract) -> None:
    """403 without the permission (or the contract is seen but not reached for it), 404 when the
    user may not even see the contract. Writes also need the kind's named action."""
    rows = Contract._base_manager.filter(pk=contract.pk)
    needed = [action] if action in (Action.VIEW, Action.EXPORT) else [action, contract_permission(contract)]
    for name in needed:
        if not can(user, name, Contract):
            raise _forbidden()
        if not restrict(rows, user, name).exists():
            raise _forbidden() if restrict(rows, user, Action.VIEW).exists() else _not_found()


def may_write(user, contract: Contract, action: str = Action.CHANGE) -> bool:
    try:
        require(user, action, contract)
    except ActionRefused:
        return False
    return True


def may_draft(user, project: Project, kind: str) -> bool:
    """Whether ``user`` may draft a contract of ``kind`` for ``project`` (its reach included)."""
    for name in (Action.ADD, kind_permission(kind, project.level)):
        scope = user_scope(user, name, Contract)
        if not scope.covers(province_id=project.province_id, org_unit_id=project.implementing_unit_id):
            return False
    return True


# --- checks shared by drafting, signing and amending --------------------------------------------


def _amount_error(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return _("Give the amount as a whole number of đồng.")
    if value < 0:
        return _("An amount cannot be negative.")
    if value > MAX_AMOUNT:
        return _("The amount is too large.")
    return None


def _date_checks(project: Project, *, signed_on, start_date, end_date, deadline=None) -> None:
    today = timezone.localdate()
    if signed_on and signed_on > today:
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="signed_on", status=422)
    if signed_on and project.approved_on and signed_on < project.approved_on:
        raise ActionRefused(
            "before_approval",
            _("A contract cannot be signed before the project's approval (%(date)s).")
            % {"date": project.approved_on.strftime("%d/%m/%Y")},
            field="signed_on",
            status=422,
        )
    if signed_on and start_date and start_date < signed_on:
        raise ActionRefused(
            "dates_out_of_order", _("The start date cannot be before the signature."), field="start_date", status=422
        )
    if start_date and end_date and end_date < start_date:
        raise ActionRefused(
            "dates_out_of_order", _("The end date cannot be before the start date."), field="end_date", status=422
        )
    if deadline and start_date and deadline < start_date:
        raise ActionRefused(
            "dates_out_of_order",
            _("The completion deadline cannot be before the start date."),
            field="deadline",
            status=422,
        )


def _live(queryset):
    return queryset.exclude(state=C.TERMINATED)


def main_contract(project: Project) -> Contract | None:
    """The project's live main contract (one at most), or None."""
    return _live(Contract.objects.filter(project=project, kind=ContractKind.MAIN)).first()


def _support_total(project: Project, *, excluding: int | None = None) -> int:
    rows = _live(Contract.objects.filter(project=project, kind=ContractKind.SUPPORT))
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.aggregate(total=Sum("value"))["total"] or 0


def _check_caps(project: Project, *, kind: str, value: int, beneficiary: BeneficiaryLine | None,
                contract_id: int | None) -> None:  # fmt: skip
    """Refuse a value above what is above it (read under the project's lock when writing)."""
    if kind == ContractKind.MAIN:
        cap = project.approved_support
        if cap is None:
            raise ActionRefused(
                "over_approved_support", _("The project has no approved support yet."), field="value", status=422
            )
        if value > cap:
            raise ActionRefused(
                "over_approved_support",
                _("The contract value cannot be more than the project's approved support (%(cap)s đ).")
                % {"cap": format_vnd(cap, unit="")},
                field="value",
                status=422,
            )
        supports = _support_total(project)
        if contract_id is not None and value < supports:
            raise ActionRefused(
                "below_support_contracts",
                _("The value cannot be less than the support contracts already made (%(total)s đ).")
                % {"total": format_vnd(supports, unit="")},
                field="value",
                status=422,
            )
        return
    assert beneficiary is not None
    if value > beneficiary.support:
        raise ActionRefused(
            "over_beneficiary_support",
            _("The contract value cannot be more than the beneficiary's support (%(cap)s đ).")
            % {"cap": format_vnd(beneficiary.support, unit="")},
            field="value",
            status=422,
        )
    main = main_contract(project)
    if main is None or main.state not in (C.SIGNED, C.AMENDED):
        raise ActionRefused("no_main_contract", _("Sign the project's main contract first."), status=409)
    total = _support_total(project, excluding=contract_id) + value
    if total > main.value:
        raise ActionRefused(
            "over_main_contract",
            _("The support contracts together cannot be more than the main contract (%(cap)s đ).")
            % {"cap": format_vnd(main.value, unit="")},
            field="value",
            status=422,
        )


def _lock(project: Project) -> Project:
    """The project row, locked until the transaction ends: caps are read and written under it."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _party_a(project: Project, kind: str) -> OrgUnit | None:
    if kind == ContractKind.SUPPORT:
        return project.implementing_unit
    if project.level == Level.NATIONAL:
        return OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY, is_active=True).order_by("pk").first()
    if project.province_id is None:
        return None
    return (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT, province_id=project.province_id, is_active=True)
        .order_by("pk")
        .first()
    )


# --- drafting ---------------------------------------------------------------------------------


def save_contract(
    *,
    user,
    values: dict[str, Any],
    project: Project | None = None,
    kind: str | None = None,
    beneficiary: BeneficiaryLine | None = None,
    instance: Contract | None = None,
    version: int | None = None,
) -> Contract:
    """Draft a contract (``instance`` None: ``project``, ``kind`` and, for a support contract,
    ``beneficiary`` given) or change a draft's fields (``values``: number, value, dates, subject).

    ``version`` is the version the form or the API client read; a newer one is ``stale``."""
    unknown = set(values) - CONTRACT_FIELDS
    if unknown:
        raise ValueError(f"not contract fields: {sorted(unknown)}")
    if instance is not None:
        require(user, Action.CHANGE, instance)
        if instance.state != C.DRAFT:
            raise ActionRefused("wrong_state", _("Only a draft can be changed; sign an amendment instead."))
        project = instance.project
        kind = instance.kind
        beneficiary = instance.beneficiary
        action = Action.CHANGE
    else:
        if project is None or kind not in ContractKind.values:
            raise ValueError("a new contract needs its project and kind")
        if not can(user, Action.ADD, Contract) or not can(user, kind_permission(kind, project.level), Contract):
            raise _forbidden()
        if not restrict(Project.objects.filter(pk=project.pk), user, Action.VIEW).exists():
            raise Invalid({"project": _("No project you can see has this id.")})
        if not may_draft(user, project, kind):
            raise _forbidden()
        action = Action.ADD
    assert project is not None and kind is not None
    obj = instance if instance is not None else Contract(project=project, kind=kind)
    seen = obj.version if version is None else version
    for name, value in values.items():
        setattr(obj, name, value)
    errors: dict[str, str] = {}
    if not (obj.number or "").strip():
        errors["number"] = _("Give the contract number.")
    message = _amount_error(obj.value)
    if message:
        errors["value"] = message
    if kind == ContractKind.SUPPORT:
        if beneficiary is None:
            errors["beneficiary"] = _("Choose the beneficiary the contract supports.")
        elif beneficiary.project_id != project.pk:
            errors["beneficiary"] = _("Choose a beneficiary of this project.")
    if errors:
        raise Invalid(errors)
    _date_checks(project, signed_on=obj.signed_on, start_date=obj.start_date, end_date=obj.end_date,
                 deadline=obj.deadline)  # fmt: skip
    try:
        with transaction.atomic():
            locked = _lock(project)
            if instance is None:
                _check_new(locked, kind, beneficiary)
            elif locked.state not in (MAIN_DRAFT_STATES if kind == ContractKind.MAIN else RUNNING):
                raise _project_state(kind)
            _check_caps(locked, kind=kind, value=obj.value, beneficiary=beneficiary, contract_id=obj.pk)
            if instance is None:
                issuer = _party_a(locked, kind)
                if issuer is None:
                    raise Invalid({"number": _("The issuing unit of this contract is not set up.")})
                obj.party_a = issuer
                if kind == ContractKind.MAIN:
                    obj.party_b_unit = locked.implementing_unit
                else:
                    assert beneficiary is not None
                    obj.beneficiary = beneficiary
                    obj.party_b_establishment = beneficiary.establishment
                obj.created_by = user if user.is_authenticated else None
                obj.save()
            else:
                obj.folded_name = _folded(obj)
                updated = Contract.objects.filter(pk=obj.pk, version=seen, state=C.DRAFT).update(
                    version=seen + 1,
                    updated_at=timezone.now(),
                    folded_name=_folded(obj),
                    number=(obj.number or "").strip(),
                    **{name: getattr(obj, name) for name in values if name != "number"},
                )
                if updated != 1:
                    raise _stale()
                obj.refresh_from_db()
            if instance is None:
                obj.folded_name = _folded(obj)
                Contract.objects.filter(pk=obj.pk).update(folded_name=obj.folded_name)
            try:
                ensure_in_scope(user, action, obj)
            except PermissionDenied:
                raise Invalid({"project": _("This is outside the projects you manage.")}) from None
    except IntegrityError:
        raise Invalid({"number": _("The issuing party already has a contract with this number.")}) from None
    return obj


def _folded(contract: Contract) -> str:
    project = contract.project
    return fold(f"{contract.number} {project.code} {project.name} {contract.subject}")


def _project_state(kind: str) -> ActionRefused:
    if kind == ContractKind.MAIN:
        message = _("A main contract is made for an approved project.")
    else:
        message = _("Support contracts and amendments are made while the project is contracted or in progress.")
    return ActionRefused("project_state", message)


def _check_new(project: Project, kind: str, beneficiary: BeneficiaryLine | None) -> None:
    if kind == ContractKind.MAIN:
        if project.state not in MAIN_DRAFT_STATES:
            raise _project_state(kind)
        if main_contract(project) is not None:
            raise ActionRefused("main_exists", _("The project already has a main contract."))
        return
    if project.state not in RUNNING:
        raise _project_state(kind)
    if _live(Contract.objects.filter(beneficiary=beneficiary, kind=ContractKind.SUPPORT)).exists():
        raise ActionRefused("support_exists", _("This beneficiary already has a support contract."))


def delete_contract(*, user, contract: Contract) -> None:
    """Delete a draft that was never signed."""
    require(user, Action.DELETE, contract)
    if contract.state != C.DRAFT or contract.transitions.exists():
        raise ActionRefused("in_use", _("Only a draft that was never signed can be deleted; terminate it instead."))
    with transaction.atomic():
        contract.delete()


# --- the lifecycle ------------------------------------------------------------------------------


def _writer(contract: Contract, user) -> ActionRefused | None:
    """The kind's named action (main, main_local, support) in the user's reach."""
    rows = Contract._base_manager.filter(pk=contract.pk)
    if not restrict(rows, user, contract_permission(contract)).exists():
        return _forbidden()
    return None


def _main_signer(contract: Contract, user) -> ActionRefused | None:
    """Signing a main contract of an approved project takes the project's contract step: the signer
    must hold it on the project."""
    if contract.kind != ContractKind.MAIN or contract.project.state != P.APPROVED:
        return None
    step = "contract" if contract.project.level == Level.NATIONAL else "contract_local"
    if not restrict(Project._base_manager.filter(pk=contract.project_id), user, step).exists():
        return _forbidden()
    return None


def _after_acceptance(contract: Contract, user) -> ActionRefused | None:
    if contract.project.state not in ACCEPTED_STATES:
        return ActionRefused("project_not_accepted", _("A contract is liquidated after the project's acceptance."))
    return None


STEPS = [
    Step("sign", {C.DRAFT}, C.SIGNED, checks=(_writer, _main_signer), label=gettext_lazy("Sign")),
    Step("amend", {C.SIGNED, C.AMENDED}, C.AMENDED, checks=(_writer,), label=gettext_lazy("Add an amendment")),
    Step("liquidate", {C.SIGNED, C.AMENDED}, C.LIQUIDATED, checks=(_writer, _after_acceptance),
         needs_decision=True, label=gettext_lazy("Liquidate")),
    Step("terminate", {C.DRAFT, C.SIGNED, C.AMENDED}, C.TERMINATED, checks=(_writer,), needs_comment=True,
         label=gettext_lazy("Terminate")),
]  # fmt: skip

CONTRACT_LIFECYCLE = Lifecycle(
    Contract, record=ContractTransition, subject_field="contract", field="state", steps=STEPS
)


def available_steps(contract: Contract, user) -> list[Step]:
    """The steps ``user`` may take on ``contract`` now (buttons; the API's list)."""
    return CONTRACT_LIFECYCLE.available(contract, user)


def _refuse_early(contract: Contract, user, action: str, version: int | None = None) -> None:
    """Permission, reach, a stale version and the state first (403 / 404 / 409), before any
    value is looked at."""
    require(user, Action.VIEW, contract)
    if version is not None and version != contract.version:
        raise _stale()
    refusal = CONTRACT_LIFECYCLE.refusal(contract, user, action)
    if refusal is not None:
        raise refusal


def sign_contract(
    *, user, contract: Contract, signed_on: dt.date | None = None, comment: str = "", version: int | None = None
) -> Contract:
    """Sign a draft. A main contract of an approved project moves the project to contracted (the
    ``contract`` or ``contract_local`` step, on the signature's date) in the same transaction."""
    _refuse_early(contract, user, "sign", version)
    signed = signed_on or contract.signed_on or timezone.localdate()
    missing = {}
    if not contract.start_date:
        missing["start_date"] = _("Give the start date before signing.")
    if not contract.end_date:
        missing["end_date"] = _("Give the end date before signing.")
    if not contract.value:
        missing["value"] = _("Give the contract value before signing.")
    if missing:
        raise Invalid(missing)
    project = contract.project
    _date_checks(project, signed_on=signed, start_date=contract.start_date, end_date=contract.end_date,
                 deadline=contract.deadline)  # fmt: skip
    with transaction.atomic():
        locked = _lock(project)
        if contract.kind == ContractKind.MAIN and locked.state not in MAIN_DRAFT_STATES:
            raise _project_state(contract.kind)
        if contract.kind == ContractKind.SUPPORT and locked.state not in RUNNING:
            raise _project_state(contract.kind)
        _check_caps(locked, kind=contract.kind, value=contract.value, beneficiary=contract.beneficiary,
                    contract_id=None if contract.kind == ContractKind.MAIN else contract.pk)  # fmt: skip
        contract = CONTRACT_LIFECYCLE.perform(
            contract,
            user,
            "sign",
            comment=comment,
            changes={"signed_on": signed},
            data={"value": contract.value, "number": contract.number},
            version=version,
        )
        if contract.kind == ContractKind.MAIN and locked.state == P.APPROVED:
            step = "contract" if locked.level == Level.NATIONAL else "contract_local"
            project_actions.take_step(
                user=user,
                project=locked,
                action=step,
                on=signed,
                comment=_("Contract %(number)s signed.") % {"number": contract.number},
                data={"contract": contract.pk, "contract_number": contract.number, "value": contract.value},
                enforce=False,
            )
    return contract


def amend_contract(
    *,
    user,
    contract: Contract,
    number: str,
    signed_on: dt.date | None,
    reason: str,
    new_value: int | None = None,
    new_end_date: dt.date | None = None,
    version: int | None = None,
) -> ContractAmendment:
    """Record an amendment (phụ lục) of a signed contract: a new value, a new end date or both,
    within the same caps as the contract, while the project is contracted or in progress."""
    _refuse_early(contract, user, "amend", version)
    errors: dict[str, str] = {}
    number = (number or "").strip()
    reason = (reason or "").strip()
    if not number:
        errors["number"] = _("Give the amendment number.")
    if not reason:
        errors["reason"] = _("Give the reason for the amendment.")
    if not signed_on:
        errors["signed_on"] = _("Give the date the amendment was signed.")
    if new_value is None and new_end_date is None:
        errors["new_value"] = _("Give a new value or a new end date.")
    if new_value is not None and _amount_error(new_value):
        errors["new_value"] = str(_amount_error(new_value))
    if errors:
        raise Invalid(errors)
    assert signed_on is not None
    project = contract.project
    if signed_on > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="signed_on", status=422)
    if contract.signed_on and signed_on < contract.signed_on:
        raise ActionRefused(
            "dates_out_of_order",
            _("An amendment cannot be signed before the contract."),
            field="signed_on",
            status=422,
        )
    if new_end_date and contract.start_date and new_end_date < contract.start_date:
        raise ActionRefused(
            "dates_out_of_order", _("The end date cannot be before the start date."), field="new_end_date", status=422
        )
    with transaction.atomic():
        locked = _lock(project)
        if locked.state not in RUNNING:
            raise _project_state(ContractKind.SUPPORT)
        current = Contract.objects.get(pk=contract.pk)
        seen = contract.version if version is None else version
        if current.version != seen:
            raise _stale()
        if new_value is not None:
            try:
                _check_caps(locked, kind=current.kind, value=new_value, beneficiary=current.beneficiary,
                            contract_id=current.pk)  # fmt: skip
            except ActionRefused as exc:
                if exc.field == "value":
                    exc.field = "new_value"
                raise
            for check in _VALUE_CHECKS:
                refusal = check(current, new_value)
                if refusal is not None:
                    refusal.field = "new_value"
                    raise refusal
        if current.amendments.filter(number=number).exists():
            raise Invalid({"number": _("This contract already has an amendment with this number.")})
        sequence = current.amendments.count() + 1
        amendment = ContractAmendment.objects.create(
            contract=current,
            sequence=sequence,
            number=number,
            signed_on=signed_on,
            value_before=current.value,
            new_value=new_value,
            end_date_before=current.end_date,
            new_end_date=new_end_date,
            reason=reason,
            created_by=user if user.is_authenticated else None,
        )
        changes: dict[str, Any] = {}
        if new_value is not None:
            changes["value"] = new_value
        if new_end_date is not None:
            changes["end_date"] = new_end_date
            if current.deadline and current.deadline < new_end_date:
                changes["deadline"] = new_end_date
        CONTRACT_LIFECYCLE.perform(
            current,
            user,
            "amend",
            comment=reason,
            decision_number=number,
            decision_date=signed_on,
            changes=changes,
            data={
                "amendment": amendment.pk,
                "value_before": amendment.value_before,
                "new_value": new_value,
                "new_end_date": new_end_date.isoformat() if new_end_date else None,
            },
            version=seen,
        )
    return amendment


def terminate_contract(
    *, user, contract: Contract, comment: str, on: dt.date | None = None, version: int | None = None
) -> Contract:
    """End a contract before its term (the reason is required). A main contract goes only after
    its support contracts are ended."""
    _refuse_early(contract, user, "terminate", version)
    if not (comment or "").strip():
        raise ActionRefused("comment_required", _("Give a reason in the comment."), field="comment", status=422)
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="on", status=422)
    with transaction.atomic():
        _lock(contract.project)
        if contract.kind == ContractKind.MAIN:
            live = Contract.objects.filter(project=contract.project_id, kind=ContractKind.SUPPORT).filter(
                state__in=[C.DRAFT, C.SIGNED, C.AMENDED]
            )
            if live.exists():
                raise ActionRefused(
                    "has_live_support", _("Terminate or liquidate the support contracts of the project first.")
                )
        return CONTRACT_LIFECYCLE.perform(
            contract, user, "terminate", comment=comment, changes={"terminated_on": day}, version=version
        )


def liquidate_contract(
    *,
    user,
    contract: Contract,
    liquidation_number: str,
    liquidated_on: dt.date | None,
    comment: str = "",
    version: int | None = None,
) -> Contract:
    """Liquidate a signed contract after the project's acceptance, with the liquidation record's
    number and date."""
    _refuse_early(contract, user, "liquidate", version)
    liquidation_number = (liquidation_number or "").strip()
    if not liquidation_number or not liquidated_on:
        raise ActionRefused(
            "decision_required",
            _("Give the liquidation record's number and date."),
            field="liquidation_number" if not liquidation_number else "liquidated_on",
            status=422,
        )
    if liquidated_on > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="liquidated_on", status=422)
    earliest = max(d for d in (contract.signed_on, contract.project.accepted_on, dt.date.min) if d)
    if liquidated_on < earliest:
        raise ActionRefused(
            "dates_out_of_order",
            _("The liquidation cannot be before the signature or the acceptance (%(date)s).")
            % {"date": earliest.strftime("%d/%m/%Y")},
            field="liquidated_on",
            status=422,
        )
    with transaction.atomic():
        return CONTRACT_LIFECYCLE.perform(
            contract,
            user,
            "liquidate",
            comment=comment,
            decision_number=liquidation_number,
            decision_date=liquidated_on,
            changes={"liquidation_number": liquidation_number, "liquidated_on": liquidated_on},
            version=version,
        )
