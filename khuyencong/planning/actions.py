"""Every write on programmes and annual plans, named for the business event.

Pages, the API and the plan-line import call these functions; they check permission and reach,
validate, write in one transaction and re-check reach before commit. Refusals are
:class:`ActionRefused` with a stable code: ``forbidden`` (403), ``not_found`` (404),
``validation_error`` (422, field messages), ``negative_amount`` (422), ``not_draft``,
``already_approved``, ``total_mismatch``, ``plan_closed``, ``draft_exists``, ``no_lines``,
``in_use`` (409). See docs/adr/0004-actions-and-transitions.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import (
    AnnualPlan,
    Disruption,
    FundingSource,
    PlanLine,
    PlanTransition,
    PlanVersion,
    PlanVersionTransition,
    Programme,
    ProgrammeTarget,
)
from khuyencong.planning.services import draft_of, line_total, plan_lines, version_in_force
from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level
from khuyencong.territory.models import Province

MAX_AMOUNT = 10**15  # a thousand trillion đồng: far above any plan, far below the column's limit
MIN_YEAR, MAX_YEAR = 2000, 2100


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def _require(user, action: str, obj) -> None:
    """403 without the permission, 404 when ``obj`` is outside what the user may even see.

    A national plan every planning reader sees but only nationwide roles change is a 403."""
    model = type(obj)
    if not can(user, action, model):
        raise _forbidden()
    rows = model._base_manager.filter(pk=obj.pk)
    if not restrict(rows, user, action).exists():
        raise _forbidden() if restrict(rows, user, Action.VIEW).exists() else _not_found()


def _keep_in_reach(user, action: str, obj, field: str = "province") -> None:
    try:
        ensure_in_scope(user, action, obj)
    except PermissionDenied:
        raise Invalid({field: _("This is outside the provinces you manage.")}) from None


def _place_errors(level: str, province: Province | None) -> dict[str, str]:
    if level not in Level.values:
        return {"level": _("Choose national or local.")}
    if level == Level.LOCAL and province is None:
        return {"province": _("A local programme or plan belongs to a province.")}
    if level == Level.NATIONAL and province is not None:
        return {"province": _("A national programme or plan has no province.")}
    if province is not None and province.valid_to is not None:
        return {"province": _("Choose a province in force since 1/7/2025.")}
    return {}


# --- programmes -------------------------------------------------------------------------------

PROGRAMME_FIELDS = frozenset({"level", "name", "start_year", "end_year", "decision", "owner", "province", "summary"})


@dataclass(frozen=True)
class TargetInput:
    name: str
    unit: str
    target_value: int | None = None
    content: ActivityContent | None = None


def save_programme(
    *, user, values: dict[str, Any], targets: Sequence[TargetInput] | None = None, instance: Programme | None = None
) -> Programme:
    """Create a programme (``instance`` None) or change the given fields; ``targets`` None keeps
    the target indicators, a list replaces them."""
    unknown = set(values) - PROGRAMME_FIELDS
    if unknown:
        raise ValueError(f"not programme fields: {sorted(unknown)}")
    action = Action.CHANGE if instance is not None else Action.ADD
    if instance is not None:
        _require(user, Action.CHANGE, instance)
    elif not can(user, Action.ADD, Programme):
        raise _forbidden()
    obj = instance if instance is not None else Programme()
    for name, value in values.items():
        setattr(obj, name, value)
    errors: dict[str, str] = {}
    if not (obj.name or "").strip():
        errors["name"] = _("Give the name.")
    if not (MIN_YEAR <= (obj.start_year or 0) <= MAX_YEAR):
        errors["start_year"] = _("Give a year between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
    elif not (obj.start_year <= (obj.end_year or 0) <= MAX_YEAR):
        errors["end_year"] = _("The last year cannot be before the first.")
    if obj.owner_id is None:
        errors["owner"] = _("Choose the managing unit.")
    errors.update(_place_errors(obj.level, obj.province if obj.province_id else None))
    for index, target in enumerate(targets or []):
        if not target.name.strip() or not target.unit.strip():
            errors[f"targets.{index}"] = _("Each target needs an indicator and a unit.")
        elif target.target_value is not None and not (0 <= target.target_value <= MAX_AMOUNT):
            errors[f"targets.{index}"] = _("A target value is a whole number of zero or more.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        obj.save()
        if targets is not None:
            obj.targets.all().delete()
            ProgrammeTarget.objects.bulk_create(
                ProgrammeTarget(
                    programme=obj,
                    position=index,
                    name=t.name.strip(),
                    unit=t.unit.strip(),
                    target_value=t.target_value,
                    content=t.content,
                )
                for index, t in enumerate(targets, start=1)
            )
        _keep_in_reach(user, action, obj)
    return obj


# --- plans ------------------------------------------------------------------------------------

PLAN_FIELDS = frozenset({"name", "owner", "programme"})


def _programme_errors(programme: Programme | None, level: str, year: int, province: Province | None) -> dict:
    if programme is None:
        return {}
    if programme.level != level or programme.province_id != (province.pk if province else None):
        return {"programme": _("Choose a programme of the same level and province as the plan.")}
    if not (programme.start_year <= year <= programme.end_year):
        return {"programme": _("The plan's year is outside the programme's period.")}
    return {}


def _amount_errors(field: str, amount: Any) -> dict[str, str]:
    if not isinstance(amount, int) or isinstance(amount, bool):
        return {field: _("Give the amount as a whole number of đồng.")}
    if amount < 0:
        raise ActionRefused("negative_amount", _("An amount cannot be negative."), field=field, status=422)
    if amount > MAX_AMOUNT:
        return {field: _("The amount is too large.")}
    return {}


def create_plan(
    *,
    user,
    level: str,
    year: int,
    name: str,
    owner: OrgUnit,
    declared_total: int,
    province: Province | None = None,
    programme: Programme | None = None,
    reason: str = "",
) -> AnnualPlan:
    """Create the annual plan of a level and year (and province) with its original draft version."""
    if not can(user, Action.ADD, AnnualPlan):
        raise _forbidden()
    errors = _place_errors(level, province)
    if not (MIN_YEAR <= year <= MAX_YEAR):
        errors["year"] = _("Give a year between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
    if not (name or "").strip():
        errors["name"] = _("Give the name.")
    errors.update(_amount_errors("declared_total", declared_total))
    if not errors:
        errors.update(_programme_errors(programme, level, year, province))
        clash = AnnualPlan.objects.filter(level=level, year=year, province=province)
        if clash.exists():
            errors["year"] = _("This plan already exists.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        plan = AnnualPlan(
            level=level,
            year=year,
            name=name,
            owner=owner,
            province=province,
            programme=programme,
            declared_total=declared_total,
            created_by=user,
        )
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            raise ActionRefused("conflict", _("This plan was created meanwhile; reload the list.")) from None
        _keep_in_reach(user, Action.ADD, plan)
        PlanVersion.objects.create(
            plan=plan,
            kind=PlanVersion.Kind.ORIGINAL,
            sequence=1,
            declared_total=declared_total,
            reason=reason,
            created_by=user,
        )
    return plan


def update_plan(*, user, plan: AnnualPlan, values: dict[str, Any]) -> AnnualPlan:
    """Change a plan's name, managing unit or programme (its level, year and place stay)."""
    unknown = set(values) - PLAN_FIELDS
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    _require(user, Action.CHANGE, plan)
    errors: dict[str, str] = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = _("Give the name.")
    if "programme" in values:
        errors.update(_programme_errors(values["programme"], plan.level, plan.year, plan.province))
    if "owner" in values and values["owner"] is None:
        errors["owner"] = _("Choose the managing unit.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        for name, value in values.items():
            setattr(plan, name, value)
        plan.save()
        _keep_in_reach(user, Action.CHANGE, plan)
    return plan


def plan_in_use(plan: AnnualPlan) -> ActionRefused | None:
    """Why the plan cannot be deleted (a version was approved), or None."""
    if plan.versions.filter(status=PlanVersion.Status.APPROVED).exists():
        return ActionRefused(
            "in_use", _("“%(plan)s” has an approved version and cannot be deleted; close it instead.") % {"plan": plan}
        )
    return None


def delete_plan(*, user, plan: AnnualPlan) -> None:
    """Delete a plan none of whose versions was approved (a mistaken entry)."""
    _require(user, Action.DELETE, plan)
    with transaction.atomic():
        refusal = plan_in_use(plan)
        if refusal is not None:
            raise refusal
        plan.delete()


# --- drafts and their lines --------------------------------------------------------------------

LINE_FIELDS = frozenset(
    {
        "parent", "number", "content", "name", "funding_source", "amount", "target_quantity", "target_unit",
        "disruption", "disruption_event", "disruption_note", "implementing_unit", "province", "position",
    }
)  # fmt: skip


def _editable_draft(user, version: PlanVersion) -> None:
    _require(user, Action.CHANGE, version.plan)
    if version.status != PlanVersion.Status.DRAFT:
        raise ActionRefused("not_draft", _("An approved version cannot be changed; start an adjustment instead."))


def contents_for_year(year: int):
    """The activity contents a plan of ``year`` may use: those in force at some time in the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return ActivityContent.objects.filter(effective_from__lte=end).exclude(effective_to__lt=start)


def line_errors(version: PlanVersion, line: PlanLine) -> dict[str, str]:
    """The rules of one line (the form, the API and the import share them); may raise negative_amount."""
    errors: dict[str, str] = {}
    if not (line.name or "").strip():
        errors["name"] = _("Give the name.")
    errors.update(_amount_errors("amount", line.amount))
    if line.funding_source not in FundingSource.values:
        errors["funding_source"] = _("Choose a funding source.")
    if line.disruption not in Disruption.values:
        errors["disruption"] = _("Choose a disruption kind.")
    elif line.disruption and not (line.disruption_event or "").strip():
        errors["disruption_event"] = _("Name the disaster or epidemic.")
    if line.target_quantity is not None and line.target_quantity < 0:
        errors["target_quantity"] = _("A target quantity cannot be negative.")
    if line.parent is not None:
        if line.parent.plan_version_id != version.pk:
            errors["parent"] = _("The parent line must be a line of the same version.")
        elif line.pk is not None and line.parent_id == line.pk:
            errors["parent"] = _("A line cannot be its own parent.")
    plan = version.plan
    if line.content_id is not None and not contents_for_year(plan.year).filter(pk=line.content_id).exists():
        errors["content"] = _("This activity content is not in force in %(year)s.") % {"year": plan.year}
    if line.province_id is not None and plan.level == Level.LOCAL and line.province_id != plan.province_id:
        errors["province"] = _("A line of a local plan is in the plan's province.")
    return errors


def save_plan_line(*, user, version: PlanVersion, values: dict[str, Any], instance: PlanLine | None = None) -> PlanLine:
    """Add a line to a draft (``instance`` None) or change the given fields of one of its lines."""
    unknown = set(values) - LINE_FIELDS
    if unknown:
        raise ValueError(f"not plan line fields: {sorted(unknown)}")
    _editable_draft(user, version)
    line = instance if instance is not None else PlanLine(plan_version=version, key=uuid.uuid4().hex)
    if instance is not None and instance.plan_version_id != version.pk:
        raise _not_found()
    for name, value in values.items():
        setattr(line, name, value)
    errors = line_errors(version, line)
    if line.parent_id is not None and line.pk is not None and "parent" not in errors:
        ancestor = line.parent
        while ancestor is not None:
            if ancestor.pk == line.pk:
                errors["parent"] = _("A line cannot be placed under one of its own rows.")
                break
            ancestor = ancestor.parent
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if instance is None and "position" not in values:
            last = version.lines.aggregate(last=Max("position"))["last"] or 0
            line.position = last + 10
        line.save()
    return line


def delete_plan_line(*, user, line: PlanLine) -> None:
    """Remove a line of a draft, with the rows under it."""
    version = line.plan_version
    _editable_draft(user, version)
    with transaction.atomic():
        line.delete()


@dataclass
class LineInput:
    """One line of a set of lines (an import, an API replace). ``parent`` is the index of an
    earlier item of the same set, or a line already saved in the version (a later import batch)."""

    values: dict[str, Any]
    parent: int | PlanLine | None = None


def check_draft_editable(*, user, version: PlanVersion) -> None:
    """Raise the refusal an edit of ``version``'s lines would meet (an import asks before reading)."""
    _editable_draft(user, version)


def _built_lines(version: PlanVersion, lines: Sequence[LineInput], start: int) -> list[PlanLine]:
    """Unsaved lines for ``lines`` with every rule checked; raises Invalid (field ``lines.N.x``)."""
    previous = {(line.number, line.name.casefold()): line.key for line in version.lines.all()}
    built: list[PlanLine] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(lines):
        unknown = set(item.values) - LINE_FIELDS
        if unknown:
            raise ValueError(f"not plan line fields: {sorted(unknown)}")
        line = PlanLine(plan_version=version, position=start + (index + 1) * 10, **item.values)
        line.key = previous.get((line.number.strip(), line.name.strip().casefold())) or uuid.uuid4().hex
        if isinstance(item.parent, PlanLine):
            line.parent = item.parent
        try:
            found = line_errors(version, line)
        except ActionRefused as exc:
            raise ActionRefused(exc.code, exc.message, field=f"lines.{index}.{exc.field}", status=exc.status) from None
        for field, message in found.items():
            errors.setdefault(f"lines.{index}.{field}", message)
        if isinstance(item.parent, int) and not (0 <= item.parent < index):
            errors.setdefault(f"lines.{index}.parent", _("The parent line must come before its rows."))
        built.append(line)
    if errors:
        raise Invalid(errors)
    return built


def check_plan_lines(*, version: PlanVersion, lines: Sequence[LineInput]) -> None:
    """Check ``lines`` against the rules without writing (an import's dry run)."""
    _built_lines(version, lines, 0)


def replace_plan_lines(
    *, user, version: PlanVersion, lines: Sequence[LineInput], reason: str = "", append: bool = False
) -> list[PlanLine]:
    """Replace every line of a draft by ``lines`` (in order; parents before their rows), or add
    them after the existing ones (``append``: the later batches of an import).

    A line keeps the key of the line it replaces when their number and name match, so the diff
    against the previous version still pairs them.
    """
    _editable_draft(user, version)
    start = (version.lines.aggregate(last=Max("position"))["last"] or 0) if append else 0
    created = _built_lines(version, lines, start)
    with transaction.atomic():
        if not append:
            version.lines.all().delete()
        for item, line in zip(lines, created, strict=True):
            if isinstance(item.parent, int):
                line.parent = created[item.parent]
            line.save()
        if reason:
            PlanVersion.objects.filter(pk=version.pk).update(reason=reason)
    return created


def update_draft(
    *, user, version: PlanVersion, declared_total: int | None = None, reason: str | None = None
) -> PlanVersion:
    """Set a draft's declared total (the total its decision will state) or its reason."""
    _editable_draft(user, version)
    changes: dict[str, Any] = {}
    if declared_total is not None:
        errors = _amount_errors("declared_total", declared_total)
        if errors:
            raise Invalid(errors)
        changes["declared_total"] = declared_total
    if reason is not None:
        changes["reason"] = reason.strip()
    if changes:
        PlanVersion.objects.filter(pk=version.pk).update(**changes)
        version.refresh_from_db()
    return version


def start_change(
    *, user, plan: AnnualPlan, kind: str, reason: str = "", declared_total: int | None = None
) -> PlanVersion:
    """Start an adjustment or a supplement: a new draft whose lines are a copy of the version in force."""
    _require(user, Action.CHANGE, plan)
    if kind not in (PlanVersion.Kind.ADJUSTED, PlanVersion.Kind.SUPPLEMENTARY):
        raise ActionRefused("invalid_choice", _("Choose an adjustment or a supplement."), field="kind", status=422)
    if plan.state == AnnualPlan.State.CLOSED:
        raise ActionRefused("plan_closed", _("The plan is closed: it can no longer be adjusted or supplemented."))
    if draft_of(plan) is not None:
        raise ActionRefused("draft_exists", _("A draft version is already open; approve or finish it first."))
    base = version_in_force(plan)
    if base is None:
        raise ActionRefused("not_approved", _("Approve the original plan before adjusting it."))
    total = base.declared_total if declared_total is None else declared_total
    errors = _amount_errors("declared_total", total)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                draft = PlanVersion.objects.create(
                    plan=plan,
                    kind=kind,
                    sequence=base.sequence + 1,
                    declared_total=total,
                    reason=reason.strip(),
                    created_by=user,
                )
        except IntegrityError:
            raise ActionRefused(
                "draft_exists", _("A draft version is already open; approve or finish it first.")
            ) from None
        copies: dict[int, PlanLine] = {}
        for line in plan_lines(base):
            copy = PlanLine(
                plan_version=draft,
                parent=copies.get(line.parent_id) if line.parent_id else None,
                **{
                    f.attname: getattr(line, f.attname)
                    for f in PlanLine._meta.concrete_fields
                    if f.name not in ("id", "plan_version", "parent")
                },
            )
            copy.save()
            copies[line.pk] = copy
    return draft


# --- approval and closing -----------------------------------------------------------------------


def _plan_open(version: PlanVersion, user) -> ActionRefused | None:
    if version.plan.state == AnnualPlan.State.CLOSED:
        return ActionRefused("plan_closed", _("The plan is closed: it can no longer be adjusted or supplemented."))
    return None


# A province's own plan is approved by the province (its leadership), never by the Agency: the
# general "approve" reaches every plan of a nationwide role, so a local version also needs this.
APPROVE_LOCAL = "approve_local"


def _approver_of_level(version: PlanVersion, user) -> ActionRefused | None:
    if version.plan.level != Level.LOCAL:
        return None
    if restrict(PlanVersion.objects.filter(pk=version.pk), user, APPROVE_LOCAL).exists():
        return None
    return ActionRefused(
        "wrong_level",
        _("A province's local plan is approved by that province, not by the Agency."),
        status=403,
    )


def _lines_sound(version: PlanVersion, user) -> ActionRefused | None:
    lines = list(version.lines.all())
    if not lines:
        return ActionRefused("no_lines", _("The version has no lines."))
    if any(line.amount < 0 for line in lines):
        return ActionRefused("negative_amount", _("An amount cannot be negative."), field="amount", status=422)
    total = line_total(lines)
    if total != version.declared_total:
        return ActionRefused(
            "total_mismatch",
            _("The lines add up to %(lines)s but the declared total is %(declared)s.")
            % {"lines": format_vnd(total), "declared": format_vnd(version.declared_total)},
        )
    return None


VERSION_REVIEW = Lifecycle(
    PlanVersion,
    record=PlanVersionTransition,
    subject_field="plan_version",
    steps=[
        Step(
            "approve",
            {PlanVersion.Status.DRAFT},
            PlanVersion.Status.APPROVED,
            checks=(_approver_of_level, _plan_open, _lines_sound),
            needs_decision=True,
            permission="approve",
            label=gettext_lazy("Approve"),
        ),
    ],
)

PLAN_LIFECYCLE = Lifecycle(
    AnnualPlan,
    record=PlanTransition,
    subject_field="plan",
    field="state",
    steps=[Step("close", {AnnualPlan.State.OPEN}, AnnualPlan.State.CLOSED, permission="close",
                label=gettext_lazy("Close the plan"))],
)  # fmt: skip


def approve_version(
    *,
    user,
    version: PlanVersion,
    decision_number: str,
    decision_date: dt.date | None,
    signer: str = "",
    legal_document: LegalDocument | None = None,
    comment: str = "",
    seen: int | None = None,
) -> PlanVersion:
    """Approve a draft with its decision; the plan's total becomes the version's declared total."""
    if not restrict(PlanVersion.objects.filter(pk=version.pk), user, Action.VIEW).exists():
        raise _not_found()
    if not can(user, "approve", PlanVersion):
        raise _forbidden()
    if version.status == PlanVersion.Status.APPROVED:
        raise ActionRefused("already_approved", _("This version is already approved."))
    with transaction.atomic():
        approved = VERSION_REVIEW.perform(
            version,
            user,
            "approve",
            comment=comment,
            decision_number=decision_number,
            decision_date=decision_date,
            version=seen,
            data={"declared_total": version.declared_total},
            changes={
                "decision_number": (decision_number or "").strip(),
                "decision_date": decision_date,
                "signer": (signer or "").strip(),
                "legal_document": legal_document,
                "approved_at": timezone.now(),
            },
        )
        AnnualPlan.objects.filter(pk=version.plan_id).update(declared_total=approved.declared_total)
    return approved


def close_plan(*, user, plan: AnnualPlan, comment: str = "", seen: int | None = None) -> AnnualPlan:
    """Close a plan: no more adjustments or supplements. An open draft must be finished first."""
    if not restrict(AnnualPlan.objects.filter(pk=plan.pk), user, Action.VIEW).exists():
        raise _not_found()
    if not can(user, "close", AnnualPlan):
        raise _forbidden()
    if plan.state == AnnualPlan.State.OPEN and draft_of(plan) is not None:
        raise ActionRefused("draft_exists", _("A draft version is still open; approve or delete it first."))
    return PLAN_LIFECYCLE.perform(plan, user, "close", comment=comment, version=seen)


def delete_draft(*, user, version: PlanVersion) -> None:
    """Drop an adjustment or supplement that was started by mistake (never the original)."""
    _editable_draft(user, version)
    if version.kind == PlanVersion.Kind.ORIGINAL:
        raise ActionRefused("in_use", _("The original version is deleted with its plan."))
    with transaction.atomic():
        version.delete()
