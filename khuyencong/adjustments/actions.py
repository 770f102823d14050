"""Every write on adjustments (DOMAIN.md §5 step 8, ADR 0004).

``propose_adjustment`` opens one on a project in an approved state (refused ``project_settled``
once the settlement dossier went in, else ``wrong_state``); ``take_adjustment_step`` moves it on
the state table ``ADJUSTMENT_LIFECYCLE``: the Department confirms (``confirm``) or rejects
(``reject``); the Agency approves a national one (``approve``), the province a local one
(``approve_local``), with the decision number and date, or declines it (``decline`` /
``decline_local``, comment required); the proposer may ``withdraw`` an open one. Approval applies
the change to the project in the same transaction (``projects.adjust.apply_adjustment``).

Codes: ``forbidden`` (403), ``not_found`` (404), ``wrong_state``, ``project_settled``,
``wrong_level``, ``state_changed``, ``stale``, ``already_open`` (409), ``validation_error``,
``comment_required``, ``decision_required``, ``below_committed``, ``not_eligible``,
``date_in_future`` (422).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.adjustments.models import (
    OPEN_STATES,
    Adjustment,
    AdjustmentKind,
    AdjustmentState,
    AdjustmentTransition,
    Cause,
)
from khuyencong.adjustments.validation import clean_changes
from khuyencong.kernel import context
from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects import actions as project_actions
from khuyencong.projects.adjust import apply_adjustment
from khuyencong.projects.models import APPROVED_STATES, Project, ProjectState
from khuyencong.rulebook.models import Level

A = AdjustmentState
SETTLING = frozenset({ProjectState.SETTLEMENT_SUBMITTED, ProjectState.SETTLED, ProjectState.CLOSED})


def _project_open(adjustment: Adjustment, user) -> ActionRefused | None:
    return _adjustable(adjustment.project)


def _adjustable(project: Project) -> ActionRefused | None:
    if project.state in APPROVED_STATES:
        return None
    if project.state in SETTLING:
        return ActionRefused("project_settled", _("The project is settled (or being settled); it cannot be adjusted."))
    return ActionRefused("wrong_state", _("Only an approved project can be adjusted, stopped or cancelled."))


def _national(adjustment: Adjustment, user) -> ActionRefused | None:
    if adjustment.project.level != Level.NATIONAL:
        return ActionRefused("wrong_level", _("This step is for national projects."))
    return None


def _local(adjustment: Adjustment, user) -> ActionRefused | None:
    if adjustment.project.level != Level.LOCAL:
        return ActionRefused("wrong_level", _("This step is for local projects."))
    return None


STEPS = [
    Step("confirm", {A.PROPOSED}, A.CONFIRMED, checks=(_project_open,), permission="confirm_adjustment",
         label=gettext_lazy("Confirm")),
    Step("reject", {A.PROPOSED}, A.REJECTED, needs_comment=True, permission="confirm_adjustment",
         label=gettext_lazy("Reject")),
    Step("approve", {A.CONFIRMED}, A.APPROVED, checks=(_national, _project_open), needs_decision=True,
         permission="approve_adjustment", label=gettext_lazy("Approve")),
    Step("approve_local", {A.CONFIRMED}, A.APPROVED, checks=(_local, _project_open), needs_decision=True,
         permission="approve_adjustment_local", label=gettext_lazy("Approve")),
    Step("decline", {A.CONFIRMED}, A.REJECTED, checks=(_national,), needs_comment=True,
         permission="approve_adjustment", label=gettext_lazy("Reject")),
    Step("decline_local", {A.CONFIRMED}, A.REJECTED, checks=(_local,), needs_comment=True,
         permission="approve_adjustment_local", label=gettext_lazy("Reject")),
    Step("withdraw", OPEN_STATES, A.WITHDRAWN, permission="propose_adjustment", label=gettext_lazy("Withdraw")),
]  # fmt: skip

ADJUSTMENT_LIFECYCLE = Lifecycle(
    Adjustment, record=AdjustmentTransition, subject_field="adjustment", field="state", steps=STEPS
)


def available_steps(adjustment: Adjustment, user) -> list[Step]:
    return ADJUSTMENT_LIFECYCLE.available(adjustment, user)


def propose_adjustment(
    *,
    user,
    project: Project,
    kind: str,
    reason: str,
    cause: str = Cause.OTHER,
    cause_event: str = "",
    changes: dict[str, Any] | None = None,
    on: dt.date | None = None,
    version: int | None = None,
) -> Adjustment:
    """Open an adjustment of ``project`` (proposed). ``version`` is the project version the
    proposer read (a stale one is refused ``stale``)."""
    project_actions.require(user, "propose_adjustment", project)
    refusal = _adjustable(project)
    if refusal is not None:
        raise refusal
    if version is not None and version != project.version:
        raise ActionRefused(
            "stale", _("Someone else changed this project since you opened it; reload it and make your change again.")
        )
    errors: dict[str, str] = {}
    if kind not in AdjustmentKind.values:
        errors["kind"] = _("Choose the kind of adjustment.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the adjustment.")
    if cause not in Cause.values:
        errors["cause"] = _("Choose the cause.")
    elif cause != Cause.OTHER and not (cause_event or "").strip():
        errors["cause_event"] = _("Name the event (e.g. the storm or the epidemic).")
    cleaned, change_errors = clean_changes(kind, changes or {}) if "kind" not in errors else ({}, {})
    errors.update(change_errors)
    today = timezone.localdate()
    day = on or today
    if day > today:
        errors["on"] = _("The date cannot be in the future.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if Adjustment.objects.filter(project=project, kind=kind, state__in=OPEN_STATES).exists():
            raise ActionRefused("already_open", _("An adjustment of this kind is already open for this project."))
        adjustment = Adjustment.objects.create(
            project=project,
            kind=kind,
            reason=reason.strip(),
            cause=cause,
            cause_event=(cause_event or "").strip(),
            changes=cleaned,
            proposed_on=day,
            created_by=user if user.is_authenticated else None,
        )
        AdjustmentTransition.objects.create(
            adjustment=adjustment,
            action="propose",
            from_state="",
            to_state=A.PROPOSED,
            user=user if user.is_authenticated else None,
            user_name=user.get_username() if user.is_authenticated else "",
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))) if on else timezone.now(),
            comment=reason.strip(),
            request_id=context.get_request_id(),
            data={"changes": cleaned},
        )
    return adjustment


def take_adjustment_step(
    *,
    user,
    adjustment: Adjustment,
    action: str,
    comment: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    version: int | None = None,
) -> Adjustment:
    """Take ``action`` on ``adjustment`` as ``user``; an approval applies the change to the project
    in the same transaction (nothing is written if the project refuses it)."""
    step = ADJUSTMENT_LIFECYCLE.step(action)
    if not can(user, step.permission, Adjustment):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    rows = Adjustment._base_manager.filter(pk=adjustment.pk)
    if not restrict(rows, user, step.permission).exists():
        if restrict(rows, user, Action.VIEW).exists():
            raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
        raise ActionRefused("not_found", _("Not found."), status=404)
    if decision_date is not None and decision_date > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="decision_date",
                            status=422)  # fmt: skip
    with transaction.atomic():
        result = ADJUSTMENT_LIFECYCLE.perform(
            adjustment,
            user,
            action,
            comment=comment,
            decision_number=decision_number,
            decision_date=decision_date,
            version=version,
            changes={"decision_number": (decision_number or "").strip(), "decision_date": decision_date}
            if step.target == A.APPROVED
            else None,
        )
        if step.target == A.APPROVED:
            assert decision_date is not None  # needs_decision
            project = apply_adjustment(
                user=user,
                project=result.project,
                kind=result.kind,
                changes=result.changes,
                reason=result.reason,
                adjustment_id=result.pk,
                decision_number=result.decision_number,
                decision_date=decision_date,
            )
            last = project.transitions.order_by("-pk").first()
            before = last.data.get("before", {}) if last is not None else {}
            Adjustment.objects.filter(pk=result.pk).update(before=before)
            result.refresh_from_db()
    return result
