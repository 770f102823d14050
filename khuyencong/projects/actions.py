"""Every write on projects, named for the business event (DOMAIN.md §5, ADR 0004).

Pages, the API, imports and jobs call these functions. A proposal is written with
``save_project`` and ``save_beneficiaries`` while it is a draft (or returned for documents; a
group project may add beneficiaries after approval); every step after that is
``take_step(user=…, project=…, action=…)`` on the state table ``PROJECT_LIFECYCLE``.

Refusals are :class:`ActionRefused` with a stable code: ``forbidden`` (403), ``not_found`` (404),
``validation_error`` (422, field messages), ``wrong_state``, ``wrong_level``, ``state_changed``
and ``stale`` (409: someone else changed the project since the form or the ``If-Match`` version
was read), ``over_norm`` and ``not_eligible`` (422: the rule and its legal document are cited),
``no_beneficiaries``, ``not_in_plan`` (409), ``comment_required`` and ``decision_required`` (422).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict
from khuyencong.planning.models import Disruption, PlanLine, PlanVersion
from khuyencong.projects.models import (
    APPROVED_STATES,
    EDITABLE_STATES,
    BeneficiaryLine,
    Project,
    ProjectState,
    ProjectTransition,
)
from khuyencong.projects.services import blocking, check_project, norm_date
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import Level, ProjectKind
from khuyencong.territory.models import Province

MAX_AMOUNT = 10**15
MIN_YEAR, MAX_YEAR = 2000, 2100
S = ProjectState

# Effects run after a step commits (notifications, reminders); other apps register theirs so this
# module needs to know none of them: ``on_step(callback)`` with ``callback(project, transition)``.
_STEP_LISTENERS: list[Callable[[Project, ProjectTransition], Any]] = []


def on_step(callback: Callable[[Project, ProjectTransition], Any]) -> Callable[[Project, ProjectTransition], Any]:
    """Register ``callback(project, transition)`` to run after any project step commits."""
    _STEP_LISTENERS.append(callback)
    return callback


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def require(user, action: str, project: Project) -> None:
    """403 without the permission (or when the project is seen but not reached for it), 404 when
    the user may not even see the project."""
    if not can(user, action, Project):
        raise _forbidden()
    rows = Project._base_manager.filter(pk=project.pk)
    if not restrict(rows, user, action).exists():
        raise _forbidden() if restrict(rows, user, Action.VIEW).exists() else _not_found()


def _stale() -> ActionRefused:
    return ActionRefused(
        "stale", _("Someone else changed this project since you opened it; reload it and make your change again.")
    )


# --- the proposal -----------------------------------------------------------------------------

PROJECT_FIELDS = frozenset(
    {
        "code", "name", "level", "kind", "content", "norm_code", "year", "plan", "plan_line", "proposing_unit",
        "implementing_unit", "province", "legacy_province", "commune", "location", "start_date", "end_date",
        "objectives", "target_outputs", "total_cost", "support_amount", "counterpart_amount", "disruption",
        "disruption_event", "disruption_note",
    }
)  # fmt: skip
# What may still change once the project is in the plan (outside an adjustment): the disruption flag.
LATE_FIELDS = frozenset({"disruption", "disruption_event", "disruption_note"})


def _amount_error(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return _("Give the amount as a whole number of đồng.")
    if value < 0:
        return _("An amount cannot be negative.")
    if value > MAX_AMOUNT:
        return _("The amount is too large.")
    return None


def project_errors(project: Project) -> dict[str, str]:
    """Field messages for a project about to be saved (pure but for the plan line's plan)."""
    errors: dict[str, str] = {}
    if not (project.code or "").strip():
        errors["code"] = _("Give the project's code.")
    if not (project.name or "").strip():
        errors["name"] = _("Give the name.")
    if project.level not in Level.values:
        errors["level"] = _("Choose national or local.")
    if project.kind not in ProjectKind.values:
        errors["kind"] = _("Choose the kind of project.")
    if project.content_id is None:
        errors["content"] = _("Choose the activity content.")
    if not isinstance(project.year, int) or not (MIN_YEAR <= project.year <= MAX_YEAR):
        errors["year"] = _("Give a year between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
    if project.implementing_unit_id is None:
        errors["implementing_unit"] = _("Choose the implementing unit.")
    if project.level == Level.LOCAL and project.province_id is None:
        errors["province"] = _("A local project belongs to a province.")
    if project.province is not None and project.province.valid_to is not None:
        errors["province"] = _("Choose a province in force since 1/7/2025.")
    if project.commune is not None and project.province_id and project.commune.province_id != project.province_id:
        errors["commune"] = _("The commune is not in the project's province.")
    for name in ("total_cost", "support_amount", "counterpart_amount"):
        message = _amount_error(getattr(project, name))
        if message:
            errors[name] = message
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    if "support_amount" not in errors and "total_cost" not in errors and project.support_amount > project.total_cost:
        errors["support_amount"] = _("The support cannot be more than the total cost.")
    if project.disruption and project.disruption not in Disruption.values:
        errors["disruption"] = _("Choose a natural disaster or an epidemic.")
    if project.disruption and not (project.disruption_event or "").strip():
        errors["disruption_event"] = _("Name the event (e.g. the storm or the epidemic).")
    plan = project.plan
    if plan is not None:
        if plan.level != project.level or plan.year != project.year:
            errors["plan"] = _("Choose the plan of the project's level and year.")
        elif plan.level == Level.LOCAL and plan.province_id != project.province_id:
            errors["plan"] = _("A local project goes into its province's plan.")
    line = project.plan_line
    if line is not None:
        if project.plan_id is None or line.plan_version.plan_id != project.plan_id:
            errors["plan_line"] = _("Choose a line of the project's plan.")
        elif line.children.exists():
            errors["plan_line"] = _("Choose a line that carries money, not a group row.")
    return errors


def save_project(
    *, user, values: dict[str, Any], instance: Project | None = None, version: int | None = None
) -> Project:
    """Create a proposal (``instance`` None) or change the given fields of one.

    ``version`` is the version the form or the API client read; when the project changed since,
    the refusal is ``stale`` and nothing is written (optimistic locking)."""
    unknown = set(values) - PROJECT_FIELDS
    if unknown:
        raise ValueError(f"not project fields: {sorted(unknown)}")
    if instance is not None:
        require(user, Action.CHANGE, instance)
        if not instance.is_editable and not set(values) <= LATE_FIELDS:
            raise ActionRefused(
                "wrong_state",
                _("The proposal can only be changed while it is a draft or returned; use an adjustment."),
            )
        action = Action.CHANGE
    elif not can(user, Action.ADD, Project):
        raise _forbidden()
    else:
        action = Action.ADD
    obj = instance if instance is not None else Project(created_by=user if user.is_authenticated else None)
    seen = obj.version if version is None else version
    for name, value in values.items():
        setattr(obj, name, value)
    if isinstance(obj.name, str):
        obj.name = obj.name.strip()
    errors = project_errors(obj)
    if errors:
        raise Invalid(errors)
    obj.plan_line_key = obj.plan_line.key if obj.plan_line is not None else ""
    if obj.province_id is None and obj.commune is not None:
        obj.province = obj.commune.province
    if "legacy_province" not in values and obj.legacy_province_id is None:
        obj.legacy_province = legacy_province_of(obj)
    try:
        with transaction.atomic():
            if instance is None:
                obj.save()
            else:
                written = set(values) | {"plan_line_key", "province", "legacy_province", "folded_name", "name_key"}
                updated = Project.objects.filter(pk=obj.pk, version=seen).update(
                    version=seen + 1,
                    updated_at=timezone.now(),
                    **{name: getattr(obj, name) for name in _columns(written)},
                )
                if updated != 1:
                    raise _stale()
                obj.refresh_from_db()
            try:
                ensure_in_scope(user, action, obj)
            except PermissionDenied:
                raise Invalid({"province": _("This is outside the provinces you manage.")}) from None
    except IntegrityError:
        raise Invalid({"code": _("Another project already has this code.")}) from None
    return obj


def legacy_province_of(project: Project):
    """The province before 1/7/2025 the project's place lay in, when only one can be meant: the
    one province its commune's predecessors lay in, else the province's only predecessor (the
    list's "province before 1/7/2025" filter reads it). None when the place does not say."""
    if project.commune is not None:
        found = set(project.commune.predecessors.values_list("province_id", flat=True))
        if len(found) == 1:
            return Province.objects.get(pk=found.pop())
    if project.province is not None:
        predecessors = list(project.province.predecessors.all()[:2])
        if len(predecessors) == 1:
            return predecessors[0]
    return None


def _columns(names: Iterable[str]) -> list[str]:
    """Field names as the UPDATE needs them: foreign keys by their column attribute."""
    result = []
    for name in names:
        field = Project._meta.get_field(name)
        result.append(getattr(field, "attname", name))
    return result


@dataclass(frozen=True)
class BeneficiaryInput:
    establishment: Establishment
    eligible_cost: int = 0
    support: int = 0
    counterpart: int = 0
    outputs: str = ""
    full_line: bool = False


def save_beneficiaries(
    *, user, project: Project, lines: Sequence[BeneficiaryInput], version: int | None = None
) -> list[BeneficiaryLine]:
    """Replace the beneficiary lines of a proposal; the project's support and counterpart become
    their sums. After approval only a group project may add beneficiaries, and only add them
    (the support already approved is not exceeded)."""
    require(user, Action.CHANGE, project)
    seen = project.version if version is None else version
    late = project.state in APPROVED_STATES
    if not (project.state in EDITABLE_STATES or (late and project.kind == ProjectKind.GROUP)):
        raise ActionRefused("wrong_state", _("Beneficiaries can only be changed while the proposal is a draft."))
    errors: dict[str, str] = {}
    establishments = [line.establishment.pk for line in lines]
    if len(set(establishments)) != len(establishments):
        errors["lines"] = _("An establishment is listed twice.")
    for index, line in enumerate(lines):
        for name in ("eligible_cost", "support", "counterpart"):
            message = _amount_error(getattr(line, name))
            if message:
                errors[f"lines.{index}.{name}"] = message
        if not errors and line.support > line.eligible_cost:
            errors[f"lines.{index}.support"] = _("The support cannot be more than the eligible cost.")
        if line.establishment.merged_into_id is not None:
            errors[f"lines.{index}.establishment"] = _("This record was merged into another; choose that one.")
    visible = restrict(Establishment.objects.filter(pk__in=establishments), user, Action.VIEW).count()
    if visible != len(set(establishments)):
        errors["lines"] = _("Some establishments are outside what you may see.")
    existing = list(project.beneficiaries.all())
    if late:
        kept = {line.establishment_id for line in existing}
        if not kept <= set(establishments):
            errors["lines"] = _("After approval beneficiaries can be added, not removed; use an adjustment.")
        added_support = sum(line.support for line in lines if line.establishment.pk not in kept)
        if project.approved_support is not None:
            current = sum(line.support for line in existing)
            if current + added_support > project.approved_support:
                errors["lines"] = _("The beneficiaries' support would exceed the approved support.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        bumped = Project.objects.filter(pk=project.pk, version=seen).update(version=seen + 1, updated_at=timezone.now())
        if bumped != 1:
            raise _stale()
        if late:
            kept = {line.establishment_id for line in existing}
            new = [line for line in lines if line.establishment.pk not in kept]
            start = len(existing)
            BeneficiaryLine.objects.bulk_create(
                _line(project, start + index, line, added_after_approval=True) for index, line in enumerate(new, 1)
            )
        else:
            project.beneficiaries.all().delete()
            BeneficiaryLine.objects.bulk_create(_line(project, index, line) for index, line in enumerate(lines, 1))
            Project.objects.filter(pk=project.pk).update(
                support_amount=sum(line.support for line in lines),
                counterpart_amount=sum(line.counterpart for line in lines),
                total_cost=max(project.total_cost, sum(line.eligible_cost for line in lines)),
            )
        project.refresh_from_db()
    return list(project.beneficiaries.select_related("establishment"))


def _line(project: Project, position: int, line: BeneficiaryInput, *, added_after_approval: bool = False):
    return BeneficiaryLine(
        project=project,
        position=position,
        establishment=line.establishment,
        eligible_cost=line.eligible_cost,
        support=line.support,
        counterpart=line.counterpart,
        outputs=(line.outputs or "").strip(),
        full_line=line.full_line,
        added_after_approval=added_after_approval,
    )


def delete_project(*, user, project: Project) -> None:
    """Delete a proposal that never left the draft (a submitted one keeps its history)."""
    require(user, Action.DELETE, project)
    if project.state != S.DRAFT or project.transitions.exists():
        raise ActionRefused("in_use", _("Only a draft that was never submitted can be deleted."))
    with transaction.atomic():
        project.delete()


# --- the lifecycle ----------------------------------------------------------------------------


def _national(project: Project, user) -> ActionRefused | None:
    if project.level != Level.NATIONAL:
        return ActionRefused("wrong_level", _("This step is for national projects."))
    return None


def _local(project: Project, user) -> ActionRefused | None:
    if project.level != Level.LOCAL:
        return ActionRefused("wrong_level", _("This step is for local projects."))
    return None


def _complete(project: Project, user) -> ActionRefused | None:
    """A proposal goes out with its beneficiaries (but a group project, which may name them after
    approval) and the rules in force on the date satisfied."""
    if project.kind != ProjectKind.GROUP and not project.beneficiaries.exists() and project.support_amount == 0:
        return ActionRefused("no_beneficiaries", _("Add the beneficiaries and their support first."), status=422)
    return _rules_hold(project, user)


def _rules_hold(project: Project, user) -> ActionRefused | None:
    finding = blocking(check_project(project, on=norm_date(project) if project.submitted_on else timezone.localdate()))
    if finding is not None:
        return ActionRefused(finding.code, finding.message, status=422)
    return None


def _in_plan(project: Project, user) -> ActionRefused | None:
    if project.plan_id is None:
        return ActionRefused("not_in_plan", _("Choose the annual plan (and its line) the project is approved into."))
    if not PlanVersion.objects.filter(plan_id=project.plan_id).exists():
        return ActionRefused("not_in_plan", _("The plan has no version yet."))
    return None


# --- steps another app's flow takes -------------------------------------------------------------
# Some steps are the outcome of another app's records, not a button: the project is accepted when
# the last beneficiary line passes its acceptance record, its settlement dossier is sent and
# settled through the settlement flow. That app reserves the step from its AppConfig.ready
# (``reserve_step``), so this module names none of them: a reserved step is refused to
# ``take_step(enforce=True)`` (the buttons, the step view, the API) with the reservation's code and
# message, is never listed by ``available_steps``, and is still taken by the owning flow, which calls
# ``take_step(enforce=False)`` once its own checks passed. ``flow_hints`` tells the project page
# where the flow lives instead.


@dataclass(frozen=True)
class Reservation:
    """Why a step is no button: ``code`` and ``message`` for the refusal, ``anchor`` the id of
    the project page's section where the flow is (``#…``), ``link`` the text of the link there."""

    action: str
    code: str
    message: str | Promise
    anchor: str = ""
    link: str | Promise = ""


_RESERVED: dict[str, Reservation] = {}


def reserve_step(action: str, *, code: str, message: str | Promise, anchor: str = "", link: str | Promise = "") -> None:
    """Declare that ``action`` is taken only by another app's flow (see above)."""
    if action not in PROJECT_LIFECYCLE.steps:
        raise ValueError(f"no project step {action!r}")
    _RESERVED[action] = Reservation(action, code, message, anchor, link)


def reservation(action: str) -> Reservation | None:
    return _RESERVED.get(action)


def _reserved(action: str) -> Callable[[Project, Any], ActionRefused | None]:
    def check(project: Project, user) -> ActionRefused | None:
        found = _RESERVED.get(action)
        if found is None:
            return None
        return ActionRefused(found.code, str(found.message))

    check.__name__ = f"_reserved_{action}"
    return check


def flow_hints(project: Project, user) -> list[Reservation]:
    """The reserved steps ``user`` would be offered now but for the reservation (the project page
    points to the section where that flow is instead of showing a button)."""
    found: list[Reservation] = []
    for action, held in _RESERVED.items():
        step = PROJECT_LIFECYCLE.steps[action]
        if project.state not in step.source:
            continue
        refusal = PROJECT_LIFECYCLE.refusal(project, user, action)
        if refusal is not None and refusal.code == held.code and all(f.anchor != held.anchor for f in found):
            found.append(held)
    return found


_STEPS = [
    Step("submit", {S.DRAFT, S.RETURNED}, S.SUBMITTED, checks=(_complete,), permission="submit",
         label=gettext_lazy("Submit to the Department")),
    Step("province_pass", {S.SUBMITTED}, S.PROVINCE_PASSED, permission="appraise",
         label=gettext_lazy("Passes the appraisal")),
    Step("province_return", {S.SUBMITTED}, S.RETURNED, needs_comment=True, permission="appraise",
         label=gettext_lazy("Return for documents")),
    Step("province_reject", {S.SUBMITTED}, S.REJECTED, needs_comment=True, permission="appraise",
         label=gettext_lazy("Does not pass")),
    Step("send_to_agency", {S.PROVINCE_PASSED}, S.AT_AGENCY, checks=(_national,), permission="send_to_agency",
         label=gettext_lazy("Send to the Agency")),
    Step("agency_pass", {S.AT_AGENCY}, S.AGENCY_PASSED, checks=(_national,), permission="appraise_national",
         label=gettext_lazy("Passes the Agency's appraisal")),
    Step("agency_return", {S.AT_AGENCY}, S.RETURNED, checks=(_national,), needs_comment=True,
         permission="appraise_national", label=gettext_lazy("Return for documents")),
    Step("agency_reject", {S.AT_AGENCY}, S.REJECTED, checks=(_national,), needs_comment=True,
         permission="appraise_national", label=gettext_lazy("Does not pass")),
    Step("approve", {S.AGENCY_PASSED}, S.APPROVED, checks=(_national, _rules_hold), needs_decision=True,
         permission="approve", label=gettext_lazy("Approve into the plan")),
    Step("approve_local", {S.PROVINCE_PASSED}, S.APPROVED, checks=(_local, _rules_hold),
         needs_decision=True, permission="approve_local", label=gettext_lazy("Approve into the local plan")),
    Step("contract", {S.APPROVED}, S.CONTRACTED, checks=(_national,), permission="contract",
         label=gettext_lazy("Contract signed")),
    Step("contract_local", {S.APPROVED}, S.CONTRACTED, checks=(_local,), permission="contract_local",
         label=gettext_lazy("Contract signed")),
    Step("start", {S.CONTRACTED}, S.IN_PROGRESS, permission="start", label=gettext_lazy("Start the work")),
    Step("accept", {S.IN_PROGRESS}, S.ACCEPTED, permission="accept", label=gettext_lazy("Accepted at the facility")),
    Step("submit_settlement", {S.ACCEPTED}, S.SETTLEMENT_SUBMITTED, permission="submit_settlement",
         label=gettext_lazy("Send the settlement dossier")),
    Step("settle", {S.SETTLEMENT_SUBMITTED}, S.SETTLED, checks=(_national,), needs_decision=True,
         permission="settle", label=gettext_lazy("Liquidate and settle")),
    Step("settle_local", {S.SETTLEMENT_SUBMITTED}, S.SETTLED, checks=(_local,), needs_decision=True,
         permission="settle_local", label=gettext_lazy("Liquidate and settle")),
    Step("close", {S.SETTLED}, S.CLOSED, checks=(_national,), permission="close", label=gettext_lazy("Close")),
    Step("close_local", {S.SETTLED}, S.CLOSED, checks=(_local,), permission="close_local",
         label=gettext_lazy("Close")),
    # Stopping or cancelling follows an approved adjustment request (the adjustment's own lifecycle
    # performs them); an approver may also record one directly with its decision.
    Step("stop", APPROVED_STATES, S.STOPPED, checks=(_national,), needs_comment=True, needs_decision=True,
         permission="approve_adjustment", label=gettext_lazy("Stop")),
    Step("stop_local", APPROVED_STATES, S.STOPPED, checks=(_local,), needs_comment=True, needs_decision=True,
         permission="approve_adjustment_local", label=gettext_lazy("Stop")),
    Step("cancel", APPROVED_STATES, S.CANCELLED, checks=(_national,), needs_comment=True, needs_decision=True,
         permission="approve_adjustment", label=gettext_lazy("Cancel")),
    Step("cancel_local", APPROVED_STATES, S.CANCELLED, checks=(_local,), needs_comment=True, needs_decision=True,
         permission="approve_adjustment_local", label=gettext_lazy("Cancel")),
]  # fmt: skip
# Every step last asks whether another app reserved it (after its own checks, so a national step
# on a local project stays ``wrong_level``; ``_national`` / ``_local`` stay in ``checks``:
# projects.deadlines reads them).
STEPS = [replace(step, checks=(*step.checks, _reserved(step.action))) for step in _STEPS]

PROJECT_LIFECYCLE = Lifecycle(Project, record=ProjectTransition, subject_field="project", field="state", steps=STEPS)

# Columns a step stamps with the day it happens (or the decision's date).
_STAMPS = {
    "submit": "submitted_on",
    "approve": "approved_on",
    "approve_local": "approved_on",
    "contract": "contracted_on",
    "contract_local": "contracted_on",
    "accept": "accepted_on",
    "settle": "settled_on",
    "settle_local": "settled_on",
}


def available_steps(project: Project, user) -> list[Step]:
    """The steps ``user`` may take on ``project`` now: the buttons of its page, the API's list."""
    return PROJECT_LIFECYCLE.available(project, user)


def take_step(
    *,
    user,
    project: Project,
    action: str,
    comment: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    on: dt.date | None = None,
    approved_support: int | None = None,
    plan_line: PlanLine | None = None,
    version: int | None = None,
    data: dict | None = None,
    enforce: bool = True,
) -> Project:
    """Take the lifecycle step ``action`` on ``project`` as ``user``.

    ``on`` is the day it happened (default today; a decision's date when it has one); it may not be
    in the future nor before the project's previous step. ``approved_support`` (approval only)
    defaults to the support requested and may not exceed it. ``version`` is the version the
    client saw. ``plan_line`` (approval) is the line of the plan the project is approved into; it
    sets the project's plan. ``enforce=False`` is for another domain action that already checked
    its own permission (an approved adjustment stopping the project, a signed contract)."""
    step = PROJECT_LIFECYCLE.step(action)
    if enforce:
        require(user, step.permission, project)
    today = timezone.localdate()
    happened = on or decision_date or today
    if happened > today:
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="on", status=422)
    previous = timezone.localtime(project.state_changed_at).date() if project.state_changed_at else None
    if previous is not None and happened < previous and (on is not None or decision_date is not None):
        raise ActionRefused(
            "dates_out_of_order",
            _("The date cannot be before the project's previous step (%(date)s).")
            % {"date": previous.strftime("%d/%m/%Y")},
            field="on",
            status=422,
        )
    changes: dict[str, Any] = {"state_changed_at": timezone.make_aware(dt.datetime.combine(happened, dt.time(12)))}
    stamp = _STAMPS.get(step.action)
    if stamp:
        changes[stamp] = happened
    record = dict(data or {})
    if step.action in ("approve", "approve_local"):
        amount = project.support_amount if approved_support is None else approved_support
        if _amount_error(amount) or amount > project.support_amount:
            raise ActionRefused(
                "approved_support_too_high",
                _("The approved support must be a whole amount no greater than the support requested."),
                field="approved_support",
                status=422,
            )
        changes["approved_support"] = amount
        changes["decision_number"] = (decision_number or "").strip()
        record["approved_support"] = amount
        if plan_line is None:
            refusal = _in_plan(project, user) if project.state in step.source else None
            if refusal is not None:
                raise refusal
        else:
            if plan_line.children.exists():
                raise Invalid({"plan_line": _("Choose a line that carries money, not a group row.")})
            plan = plan_line.plan_version.plan
            if (
                plan.level != project.level
                or plan.year != project.year
                or (plan.level == Level.LOCAL and plan.province_id != project.province_id)
            ):
                raise Invalid({"plan_line": _("Choose a line of the plan of the project's level, year and province.")})
            project.plan = plan
            project.plan_line = plan_line
            changes.update(plan=plan, plan_line=plan_line, plan_line_key=plan_line.key)
            record["plan_line"] = plan_line.key
    if step.action in ("submit", "approve", "approve_local"):
        record["findings"] = [
            {"code": f.code, "message": f.message, **f.details}
            for f in check_project(project, on=happened if step.action == "submit" else norm_date(project))
        ]
    effects = [_after_step(project.pk)]
    return PROJECT_LIFECYCLE.perform(
        project,
        user,
        action,
        comment=comment,
        decision_number=decision_number,
        decision_date=decision_date,
        data=record,
        changes=changes,
        effects=effects,
        version=version,
        enforce=enforce,
    )


def _after_step(project_id: int) -> Callable[[], None]:
    def run() -> None:
        if not _STEP_LISTENERS:
            return
        project = Project.objects.select_related("province", "implementing_unit").get(pk=project_id)
        transition = project.transitions.order_by("-at", "-pk").first()
        if transition is None:
            return
        for listener in _STEP_LISTENERS:
            listener(project, transition)

    return run


def find_plan_line(project: Project) -> PlanLine | None:
    """The line of the plan version in force with the project's line key (lines follow versions)."""
    if not project.plan_line_key or project.plan_id is None:
        return project.plan_line
    version = (
        PlanVersion.objects.filter(plan_id=project.plan_id, status=PlanVersion.Status.APPROVED)
        .order_by("-sequence")
        .first()
    )
    if version is None:
        return project.plan_line
    return PlanLine.objects.filter(plan_version=version, key=project.plan_line_key).first() or project.plan_line
