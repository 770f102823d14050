"""Every write on appraisal councils, named for the business event (ADR 0004).

A Department's council (level local) is managed by its province's officers (``manage_local``),
the Agency's (level national) by the Agency's officers (``manage_national``). A member scores
their own sheet; the council's secretary and its managers may fill any member's sheet. The
council's conclusion on a project performs the project's appraisal step through
``projects.actions.take_step`` as the concluding user.

Refusals are :class:`ActionRefused` with a stable code: ``forbidden`` (403), ``not_found`` (404),
``validation_error`` (422, field messages: a score above the criterion's maximum is
``scores.<code>``), ``council_concluded``, ``already_concluded``, ``wrong_project_state``,
``scoring_started``, ``in_use``, ``projects_open``, ``no_sheets``, ``below_threshold`` (409),
``comment_required`` (422) and whatever the project's step refuses with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.appraisal.models import (
    DEFAULT_CRITERIA,
    Council,
    CouncilMember,
    CouncilProject,
    CouncilTransition,
    Criterion,
    Score,
    ScoreSheet,
)
from khuyencong.appraisal.services import conclusion_step, result_of
from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level

MANAGE_LOCAL, MANAGE_NATIONAL = "manage_local", "manage_national"
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_THRESHOLD = Decimal(1000)
COUNCIL_FIELDS = frozenset(
    {"level", "year", "province", "convening_unit", "name", "decision_number", "decision_date", "pass_threshold",
     "minutes"}
)  # fmt: skip


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def manage_action(level: str) -> str:
    return MANAGE_NATIONAL if level == Level.NATIONAL else MANAGE_LOCAL


def may_manage_any(user) -> bool:
    return can(user, MANAGE_LOCAL, Council) or can(user, MANAGE_NATIONAL, Council)


def may_manage(user, council: Council) -> bool:
    permission = manage_action(council.level)
    if not can(user, permission, Council):
        return False
    return restrict(Council._base_manager.filter(pk=council.pk), user, permission).exists()


def require_manage(user, council: Council) -> None:
    """403 without the right to manage councils of this level here, 404 when not even seen."""
    if may_manage(user, council):
        return
    if restrict(Council._base_manager.filter(pk=council.pk), user, Action.VIEW).exists():
        raise _forbidden()
    raise _not_found()


def _require_open(council: Council) -> None:
    if not council.is_open:
        raise ActionRefused("council_concluded", _("The council has concluded; nothing can change any more."))


# --- the council ----------------------------------------------------------------------------


def council_errors(council: Council) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (council.name or "").strip():
        errors["name"] = _("Give the name.")
    if council.level not in Level.values:
        errors["level"] = _("Choose national or local.")
    if not isinstance(council.year, int) or not (MIN_YEAR <= council.year <= MAX_YEAR):
        errors["year"] = _("Give a year between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
    if council.level == Level.LOCAL:
        if council.province_id is None:
            errors["province"] = _("A Department's council sits for a province.")
        elif council.province is not None and council.province.valid_to is not None:
            errors["province"] = _("Choose a province in force since 1/7/2025.")
    elif council.level == Level.NATIONAL and council.province_id is not None:
        errors["province"] = _("The Agency's council sits for the whole country: leave the province empty.")
    threshold = council.pass_threshold
    if not isinstance(threshold, (int, Decimal)) or not (0 <= threshold <= MAX_THRESHOLD):
        errors["pass_threshold"] = _("Give a threshold between 0 and %(max)s.") % {"max": MAX_THRESHOLD}
    if council.decision_date and council.decision_date > timezone.localdate():
        errors["decision_date"] = _("The date cannot be in the future.")
    return errors


def _default_unit(council: Council) -> OrgUnit | None:
    if council.level == Level.NATIONAL:
        return OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY).order_by("pk").first()
    if council.province_id is None:
        return None
    return (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT, province=council.province_id, is_active=True)
        .order_by("pk")
        .first()
    )


def save_council(*, user, values: dict[str, Any], instance: Council | None = None) -> Council:
    """Create a council (with the default criteria) or change the given fields of one."""
    unknown = set(values) - COUNCIL_FIELDS
    if unknown:
        raise ValueError(f"not council fields: {sorted(unknown)}")
    if instance is not None:
        require_manage(user, instance)
        _require_open(instance)
        obj = instance
    else:
        level = values.get("level")
        if not can(user, manage_action(level or Level.LOCAL), Council):
            raise _forbidden()
        obj = Council(created_by=user if user.is_authenticated else None)
    for name, value in values.items():
        setattr(obj, name, value)
    if isinstance(obj.pass_threshold, (int, float, str)) and not isinstance(obj.pass_threshold, bool):
        try:
            obj.pass_threshold = Decimal(str(obj.pass_threshold))
        except InvalidOperation:
            raise Invalid({"pass_threshold": _("Give the threshold as a number.")}) from None
    if obj.level == Level.NATIONAL and "province" not in values:
        obj.province = None
    if obj.convening_unit_id is None:
        unit = _default_unit(obj)
        if unit is not None:
            obj.convening_unit = unit
    errors = council_errors(obj)
    if obj.convening_unit_id is None and "convening_unit" not in errors:
        errors["convening_unit"] = _("Choose the unit that establishes the council.")
    if errors:
        raise Invalid(errors)
    permission = manage_action(obj.level)
    if not can(user, permission, Council):
        raise _forbidden()
    with transaction.atomic():
        if instance is not None:
            obj.version += 1
        obj.save()
        if instance is None:
            Criterion.objects.bulk_create(
                Criterion(council=obj, code=code, name=str(name), max_score=max_score, order=order)
                for order, (code, name, max_score) in enumerate(DEFAULT_CRITERIA, 1)
            )
        try:
            ensure_in_scope(user, permission, obj)
        except PermissionDenied:
            raise Invalid({"province": _("This is outside the provinces you manage.")}) from None
    return obj


def delete_council(*, user, council: Council) -> None:
    """Delete a council that has concluded on no project yet."""
    require_manage(user, council)
    if council.reviews.exclude(conclusion="").exists() or not council.is_open:
        raise ActionRefused("in_use", _("A council that has concluded on a project keeps its record."))
    with transaction.atomic():
        Score.objects.filter(sheet__review__council=council).delete()
        ScoreSheet.objects.filter(review__council=council).delete()
        council.delete()


# --- members and criteria -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    full_name: str
    position: str = ""
    role: str = CouncilMember.Role.MEMBER
    user: Any = None
    id: int | None = None


def set_members(*, user, council: Council, members: Sequence[MemberInput]) -> list[CouncilMember]:
    """Replace the council's members (rows with an ``id`` are kept and changed). One chair at
    most and one secretary at most; a member who has a score sheet cannot be removed."""
    require_manage(user, council)
    _require_open(council)
    errors: dict[str, str] = {}
    existing = {m.pk: m for m in council.members.all()}
    for index, member in enumerate(members):
        if not (member.full_name or "").strip():
            errors[f"members.{index}.full_name"] = _("Give the member's full name.")
        if member.role not in CouncilMember.Role.values:
            errors[f"members.{index}.role"] = _("Choose chair, secretary or member.")
        if member.id is not None and member.id not in existing:
            errors[f"members.{index}.id"] = _("This member is not on the council.")
    roles = [m.role for m in members]
    if roles.count(CouncilMember.Role.CHAIR) > 1:
        errors["members"] = _("A council has one chair.")
    elif roles.count(CouncilMember.Role.SECRETARY) > 1:
        errors["members"] = _("A council has one secretary.")
    accounts = [m.user.pk for m in members if m.user is not None]
    if len(accounts) != len(set(accounts)):
        errors["members"] = _("An account sits on the council twice.")
    kept = {m.id for m in members if m.id is not None}
    removed = set(existing) - kept
    if removed and ScoreSheet.objects.filter(member__in=removed).exists():
        errors["members"] = _("A member who has scored cannot be removed.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        CouncilMember.objects.filter(pk__in=removed).delete()
        result = []
        for order, item in enumerate(members, 1):
            obj = existing.get(item.id) if item.id is not None else None
            obj = obj or CouncilMember(council=council)
            obj.full_name = item.full_name.strip()
            obj.position = (item.position or "").strip()
            obj.role = item.role
            obj.user = item.user
            obj.order = order
            obj.save()
            result.append(obj)
    return result


@dataclass(frozen=True)
class CriterionInput:
    code: str
    name: str
    max_score: int


def set_criteria(*, user, council: Council, criteria: Sequence[CriterionInput]) -> list[Criterion]:
    """Replace the council's criteria; refused once any score has been given."""
    require_manage(user, council)
    _require_open(council)
    if Score.objects.filter(sheet__review__council=council).exists():
        raise ActionRefused("scoring_started", _("Scoring has started: the criteria can no longer change."))
    errors: dict[str, str] = {}
    if not criteria:
        errors["criteria"] = _("Give at least one criterion.")
    codes = [(c.code or "").strip() for c in criteria]
    for index, item in enumerate(criteria):
        if not codes[index]:
            errors[f"criteria.{index}.code"] = _("Give the code.")
        if not (item.name or "").strip():
            errors[f"criteria.{index}.name"] = _("Give the criterion.")
        if not isinstance(item.max_score, int) or isinstance(item.max_score, bool) or not 1 <= item.max_score <= 1000:
            errors[f"criteria.{index}.max_score"] = _("Give a maximum score between 1 and 1000.")
    if len(set(codes)) != len(codes):
        errors["criteria"] = _("Two criteria share a code.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        council.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(council=council, code=code, name=item.name.strip(), max_score=item.max_score, order=order)
            for order, (code, item) in enumerate(zip(codes, criteria, strict=True), 1)
        )
    return list(council.criteria.order_by("order"))


# --- the projects reviewed ----------------------------------------------------------------------


def reviewable_projects(council: Council) -> QuerySet:
    """The projects the council may take up: for a Department's council those submitted in its
    province, for the Agency's the national projects sent to the Agency (of the council's year)."""
    if council.level == Level.NATIONAL:
        rows = Project.objects.filter(level=Level.NATIONAL, state=ProjectState.AT_AGENCY)
    else:
        rows = Project.objects.filter(province=council.province, state=ProjectState.SUBMITTED)
    return rows.filter(year=council.year).exclude(council_reviews__council=council)


def add_projects(*, user, council: Council, projects: Sequence[Project]) -> list[CouncilProject]:
    require_manage(user, council)
    _require_open(council)
    ids = [p.pk for p in projects]
    allowed = set(reviewable_projects(council).filter(pk__in=ids).values_list("pk", flat=True))
    wrong = [p for p in projects if p.pk not in allowed]
    if wrong or not projects:
        if not projects:
            raise Invalid({"projects": _("Choose the projects to review.")})
        if council.level == Level.NATIONAL:
            message = _("Only national projects of the council's year sent to the Agency can be reviewed here.")
        else:
            message = _("Only projects of the council's province and year submitted to the Department can be reviewed.")
        raise ActionRefused("wrong_project_state", message + " " + ", ".join(p.code for p in wrong), field="projects")
    with transaction.atomic():
        start = council.reviews.count()
        created = [
            CouncilProject.objects.create(council=council, project=project, order=start + index)
            for index, project in enumerate(projects, 1)
        ]
    return created


def _review(council: Council, project: Project) -> CouncilProject:
    review = council.reviews.filter(project=project).first()
    if review is None:
        raise ActionRefused("not_under_review", _("The council does not review this project."), status=404)
    return review


def remove_project(*, user, council: Council, project: Project) -> None:
    require_manage(user, council)
    _require_open(council)
    review = _review(council, project)
    if review.conclusion:
        raise ActionRefused("already_concluded", _("The council has concluded on this project."))
    with transaction.atomic():
        Score.objects.filter(sheet__review=review).delete()
        review.sheets.all().delete()
        review.delete()


# --- score sheets -------------------------------------------------------------------------------


def may_score_for(user, council: Council, member: CouncilMember) -> bool:
    """A member fills their own sheet; the secretary and the council's managers any member's."""
    if not getattr(user, "is_authenticated", False):
        return False
    if member.user_id == user.pk:
        return True
    if council.members.filter(user=user, role=CouncilMember.Role.SECRETARY).exists():
        return True
    return may_manage(user, council)


def _score_value(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def save_sheet(
    *,
    user,
    council: Council,
    project: Project,
    member: CouncilMember,
    scores: Mapping[str, Any],
    comment: str = "",
    submit: bool = False,
) -> ScoreSheet:
    """Save ``member``'s scores on ``project`` (criterion code → score). Every score is checked
    against its criterion's maximum before anything is written; a submitted sheet needs every
    criterion scored and counts in the average."""
    if member.council_id != council.pk:
        raise ActionRefused("not_a_member", _("This person does not sit on the council."), status=404)
    if not may_score_for(user, council, member):
        if restrict(Council._base_manager.filter(pk=council.pk), user, Action.VIEW).exists():
            raise _forbidden()
        raise _not_found()
    _require_open(council)
    review = _review(council, project)
    if review.conclusion:
        raise ActionRefused("already_concluded", _("The council has concluded on this project."))
    criteria = {c.code: c for c in council.criteria.all()}
    errors: dict[str, str] = {}
    parsed: dict[str, Decimal] = {}
    for code, raw in scores.items():
        criterion = criteria.get(code)
        if criterion is None:
            errors[f"scores.{code}"] = _("The council has no such criterion.")
            continue
        try:
            value = _score_value(raw)
        except ValueError:
            errors[f"scores.{code}"] = _("Give the score as a number.")
            continue
        if value is None:
            continue
        if value < 0:
            errors[f"scores.{code}"] = _("A score cannot be negative.")
        elif value > criterion.max_score:
            errors[f"scores.{code}"] = _("At most %(max)s points for “%(name)s”.") % {
                "max": criterion.max_score,
                "name": criterion.name,
            }
        elif value != value.quantize(Decimal("0.1")):
            errors[f"scores.{code}"] = _("Give the score to one decimal place at most.")
        else:
            parsed[code] = value
    if submit and not errors:
        missing = [c for c in criteria.values() if c.code not in parsed]
        for criterion in missing:
            errors[f"scores.{criterion.code}"] = _("Score every criterion before submitting the sheet.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(review=review, member=member)
        sheet.comment = (comment or "").strip()
        sheet.submitted = bool(submit)
        sheet.submitted_at = timezone.now() if submit else None
        sheet.save()
        existing = {s.criterion_id: s for s in sheet.scores.all()}
        for code, criterion in criteria.items():
            current = existing.get(criterion.pk)
            if code not in parsed:
                if current is not None and code in scores:
                    current.delete()
                continue
            if current is None:
                Score.objects.create(sheet=sheet, criterion=criterion, value=parsed[code])
            elif current.value != parsed[code]:
                current.value = parsed[code]
                current.save()
    return sheet


# --- conclusions ------------------------------------------------------------------------------


def conclude_project(
    *, user, council: Council, project: Project, conclusion: str, comment: str = "", on: dt.date | None = None
) -> CouncilProject:
    """Record the council's conclusion on ``project`` and take the project's appraisal step."""
    require_manage(user, council)
    _require_open(council)
    if conclusion not in (CouncilProject.Conclusion.PASS, CouncilProject.Conclusion.FAIL,
                          CouncilProject.Conclusion.NEEDS_DOCUMENTS):  # fmt: skip
        raise Invalid({"conclusion": _("Choose passes, does not pass or needs documents.")})
    review = _review(council, project)
    if review.conclusion:
        raise ActionRefused("already_concluded", _("The council has concluded on this project."))
    comment = (comment or "").strip()
    if conclusion != CouncilProject.Conclusion.PASS and not comment:
        raise ActionRefused("comment_required", _("Give a reason in the comment."), field="comment", status=422)
    result = result_of(council, review)
    average = result.average
    if conclusion == CouncilProject.Conclusion.PASS:
        if average is None:
            raise ActionRefused("no_sheets", _("No member has submitted a score sheet for this project yet."))
        if average < council.pass_threshold:
            raise ActionRefused(
                "below_threshold",
                _("The average %(average)s is below the council's threshold %(threshold)s.")
                % {"average": floatformat(average, "-2"), "threshold": floatformat(council.pass_threshold, "-1")},
            )
    data = {
        "council": council.pk,
        "council_name": council.name,
        "average": str(average) if average is not None else None,
        "threshold": str(council.pass_threshold),
        "sheets": len(result.submitted),
        "conclusion": conclusion,
    }
    with transaction.atomic():
        project_actions.take_step(
            user=user,
            project=project,
            action=conclusion_step(council, conclusion),
            comment=comment,
            on=on,
            data=data,
        )
        review.conclusion = conclusion
        review.conclusion_comment = comment
        review.average = average
        review.concluded_at = timezone.now()
        review.concluded_by = user
        review.save()
    return review


def _manager(council: Council, user) -> ActionRefused | None:
    return None if may_manage(user, council) else _forbidden()


def _all_concluded(council: Council, user) -> ActionRefused | None:
    if council.reviews.filter(conclusion="").exists():
        return ActionRefused("projects_open", _("Conclude on every project first (or remove it from the council)."))
    return None


COUNCIL_LIFECYCLE = Lifecycle(
    Council,
    record=CouncilTransition,
    subject_field="council",
    field="state",
    steps=[
        Step("conclude", {Council.State.OPEN}, Council.State.CONCLUDED, checks=(_manager, _all_concluded),
             permission=Action.VIEW),
    ],
)  # fmt: skip


def conclude_council(*, user, council: Council, minutes: str | None = None) -> Council:
    """Close the session: every project concluded, the minutes kept."""
    require_manage(user, council)
    changes: dict[str, Any] = {"concluded_on": timezone.localdate()}
    if minutes is not None:
        changes["minutes"] = minutes.strip()
    return COUNCIL_LIFECYCLE.perform(council, user, "conclude", changes=changes)
