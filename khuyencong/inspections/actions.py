"""Every write on inspections, named for the business event (ADR 0004).

Plans and missions: ``save_plan``, ``save_mission`` (with its provinces and members),
``delete_mission`` (a draft with nothing recorded), and the mission's steps on
``MISSION_LIFECYCLE`` (draft → in progress → reported → closed) through ``take_mission_step``.
What a mission records while it is not closed: ``record_visit`` / ``remove_visit``,
``add_finding``, ``add_follow_up``. A follow-up is reported done with ``close_follow_up`` and
reopened with ``reopen_follow_up`` (``FOLLOW_UP_LIFECYCLE``, each with a transition record).

Who: a national plan's missions need ``inspect_national``, a local plan's ``inspect_local``
(``organisation/permissions.py``), within the writer's reach for every province the mission goes
to. Refusals write nothing: ``forbidden`` (403), ``not_found`` (404), ``mission_closed``,
``in_use``, ``stale`` (409), and ``validation_error`` (422) with a message per field: the end
before the start, a follow-up due before the mission started, a project outside the mission's
provinces, a province outside the writer's reach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.inspections.models import (
    OPEN_STATES,
    Finding,
    FollowUp,
    FollowUpStatus,
    FollowUpTransition,
    InspectionMission,
    InspectionPlan,
    MemberRole,
    MissionMember,
    MissionState,
    MissionTransition,
    Severity,
    Visit,
)
from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, Scope, can, ensure_in_scope, restrict, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

INSPECT_NATIONAL, INSPECT_LOCAL = "inspect_national", "inspect_local"
CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP = "close_follow_up", "reopen_follow_up"
MISSION_FIELDS = ("name", "lead_unit", "start_date", "end_date", "purpose")
MAX_TEXT = 4000


def level_permission(level: str) -> str:
    """The named action that writes the missions of a plan of ``level``."""
    return INSPECT_NATIONAL if level == Level.NATIONAL else INSPECT_LOCAL


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def _today() -> dt.date:
    return timezone.localdate()


def _vndate(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- reach ---------------------------------------------------------------------------------------


def writer_scope(user, level: str, action: str = Action.CHANGE) -> Scope:
    """Where ``user`` may write missions of ``level``: the generic action and the level's named one."""
    generic = user_scope(user, action, InspectionMission)
    named = user_scope(user, level_permission(level), InspectionMission)
    if generic.is_empty or named.is_empty:
        return Scope()
    if generic.everywhere and named.everywhere:
        return generic
    if generic.everywhere:
        return named
    if named.everywhere:
        return generic
    return Scope(province_ids=generic.province_ids & named.province_ids)


def may_write_level(user, level: str, action: str = Action.CHANGE) -> bool:
    return not writer_scope(user, level, action).is_empty


def _mission_rows(mission: InspectionMission) -> QuerySet:
    return InspectionMission._base_manager.filter(pk=mission.pk)


def require_mission(user, mission: InspectionMission, action: str = Action.CHANGE) -> None:
    """403 when the user may see the mission but not write it (or not at all, without the
    permission anywhere); 404 when the mission is out of their reach."""
    rows = _mission_rows(mission)
    needed = [action, level_permission(mission.plan.level)]
    visible = None
    for name in needed:
        if not can(user, name, InspectionMission):
            raise _forbidden()
        if not restrict(rows, user, name).exists():
            if visible is None:
                visible = restrict(rows, user, Action.VIEW).exists()
            raise _forbidden() if visible else _not_found()


def may_manage(user, mission: InspectionMission, action: str = Action.CHANGE) -> bool:
    try:
        require_mission(user, mission, action)
    except ActionRefused:
        return False
    return True


def _require_open(mission: InspectionMission) -> None:
    if mission.state not in OPEN_STATES:
        raise ActionRefused("mission_closed", _("The mission is closed: nothing more can be recorded on it."))


# --- plans ---------------------------------------------------------------------------------------


def save_plan(*, user, values: dict[str, Any], instance: InspectionPlan | None = None) -> InspectionPlan:
    """Create or change an inspection plan. ``values``: year, level, owner, province (a local
    plan's), name, decision_number, decision_date."""
    level = values.get("level") or Level.NATIONAL
    action = Action.ADD if instance is None else Action.CHANGE
    if level not in Level.values:
        raise Invalid({"level": _("Choose national or local.")})
    if not may_write_level(user, level, action):
        raise _forbidden()
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the plan a name.")
    year = values.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Give a year between 2000 and 2100.")
    province = values.get("province")
    if level == Level.LOCAL and province is None:
        errors["province"] = _("A local plan belongs to one province.")
    if level == Level.NATIONAL:
        province = None
    decision_date = values.get("decision_date")
    if decision_date and decision_date > _today():
        errors["decision_date"] = _("The date cannot be in the future.")
    owner = values.get("owner")
    if owner is None:
        errors["owner"] = _("Choose the unit that owns the plan.")
    if province is not None and not writer_scope(user, level, action).covers(province_id=province.pk):
        errors["province"] = _("This province is outside your reach.")
    if errors or not isinstance(year, int) or owner is None:
        raise Invalid(errors)
    with transaction.atomic():
        plan = instance or InspectionPlan()
        plan.year, plan.level, plan.owner, plan.province, plan.name = year, level, owner, province, name
        plan.decision_number = (values.get("decision_number") or "").strip()
        plan.decision_date = decision_date
        plan.save()
        _in_scope(user, action, plan)
    return plan


def _in_scope(user, action: str, obj) -> None:
    from django.core.exceptions import PermissionDenied

    try:
        ensure_in_scope(user, action, obj)
    except PermissionDenied:
        raise ActionRefused("out_of_scope", _("This would move the record outside your reach."), status=403) from None


def plans_for_missions(user) -> QuerySet:
    """The plans ``user`` may add missions to: national ones with ``inspect_national``, local ones
    of the provinces they write in."""
    plans = InspectionPlan.objects.select_related("province", "owner")
    national = writer_scope(user, Level.NATIONAL, Action.ADD)
    local = writer_scope(user, Level.LOCAL, Action.ADD)
    condition = plans.none()
    if not national.is_empty:
        condition = condition | plans.filter(level=Level.NATIONAL)
    if local.everywhere:
        condition = condition | plans.filter(level=Level.LOCAL)
    elif local.province_ids:
        condition = condition | plans.filter(level=Level.LOCAL, province_id__in=sorted(local.province_ids))
    return condition.order_by("-year", "name")


# --- missions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    role: str = MemberRole.MEMBER
    unit: str = ""
    user: Any = None


def _member_errors(members: Sequence[Member]) -> str | None:
    if sum(1 for m in members if m.role == MemberRole.HEAD) > 1:
        return _("A mission has one head.")
    for member in members:
        if not member.name.strip():
            return _("Give every member's full name.")
        if member.role not in MemberRole.values:
            return _("Choose a role for every member.")
    return None


def save_mission(
    *,
    user,
    values: dict[str, Any],
    provinces: Iterable[Province],
    plan: InspectionPlan | None = None,
    members: Sequence[Member] | None = None,
    instance: InspectionMission | None = None,
    version: int | None = None,
) -> InspectionMission:
    """Create a mission of ``plan`` (a draft) or change ``instance``: name, lead unit, dates,
    purpose, the provinces it goes to and (when given) its members."""
    provinces = list(dict.fromkeys(provinces))
    if instance is not None:
        require_mission(user, instance, Action.CHANGE)
        _require_open(instance)
        plan = instance.plan
        action = Action.CHANGE
    else:
        if plan is None:
            raise Invalid({"plan": _("Choose the inspection plan.")})
        action = Action.ADD
        if not can(user, Action.ADD, InspectionMission):
            raise _forbidden()
        if not plans_for_missions(user).filter(pk=plan.pk).exists():
            if restrict(InspectionPlan.objects.filter(pk=plan.pk), user, Action.VIEW).exists():
                raise _forbidden()
            raise Invalid({"plan": _("No plan you can add missions to has this id.")})
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the mission a name.")
    start, end = values.get("start_date"), values.get("end_date")
    if start is None:
        errors["start_date"] = _("Give the start date.")
    if end is None:
        errors["end_date"] = _("Give the end date.")
    if start and end and end < start:
        errors["end_date"] = _("The end date (%(end)s) is before the start date (%(start)s).") % {
            "end": _vndate(end), "start": _vndate(start)}  # fmt: skip
    if start and start.year not in (plan.year, plan.year + 1):
        errors["start_date"] = _("The mission of a %(year)s plan starts in %(year)s (or the year after).") % {
            "year": plan.year}  # fmt: skip
    if values.get("lead_unit") is None:
        errors["lead_unit"] = _("Choose the lead unit.")
    if not provinces:
        errors["provinces"] = _("Choose at least one province the mission goes to.")
    elif plan.level == Level.LOCAL and any(p.pk != plan.province_id for p in provinces):
        errors["provinces"] = _("A local plan's mission stays in its province (%(province)s).") % {
            "province": plan.province}  # fmt: skip
    else:
        reach = writer_scope(user, plan.level, action)
        outside = [p for p in provinces if not reach.covers(province_id=p.pk)]
        if outside:
            errors["provinces"] = _("Outside your reach: %(names)s. You can only send missions where you work.") % {
                "names": ", ".join(str(p) for p in outside)}  # fmt: skip
    if members is not None:
        problem = _member_errors(members)
        if problem:
            errors["members"] = problem
    if instance is not None and not errors:
        errors.update(_kept_records_errors(instance, provinces, start, end))
    if errors or start is None or end is None:
        raise Invalid(errors)
    with transaction.atomic():
        if instance is None:
            mission = InspectionMission(plan=plan, created_by=user if user.is_authenticated else None)
        else:
            seen = instance.version if version is None else version
            bumped = InspectionMission.objects.filter(pk=instance.pk, version=seen).update(version=F("version") + 1)
            if bumped != 1:
                raise ActionRefused(
                    "stale", _("Someone else changed this mission since you opened it; reload it and try again.")
                )
            mission = InspectionMission.objects.get(pk=instance.pk)
        mission.name = name
        mission.lead_unit = values["lead_unit"]
        mission.start_date, mission.end_date = start, end
        mission.purpose = (values.get("purpose") or "").strip()
        mission.save()
        mission.provinces.set(provinces)
        if members is not None:
            _set_members(mission, members)
        _in_scope(user, action, mission)
        _in_scope(user, level_permission(plan.level), mission)
    return mission


def _kept_records_errors(mission: InspectionMission, provinces, start, end) -> dict[str, str]:
    """What a change would leave inconsistent: a visit outside the new provinces or dates."""
    ids = {p.pk for p in provinces}
    visits = list(mission.visits.select_related("project", "project__province"))
    stranded = [v.project.code for v in visits if v.project.province_id not in ids]
    if stranded:
        return {"provinces": _("The mission already visited projects there: %(codes)s.") % {
            "codes": ", ".join(stranded)}}  # fmt: skip
    outside = [v for v in visits if not start <= v.visited_on <= end]
    if outside:
        return {"start_date": _("A visit on %(date)s would fall outside the mission's dates.") % {
            "date": _vndate(outside[0].visited_on)}}  # fmt: skip
    return {}


def _set_members(mission: InspectionMission, members: Sequence[Member]) -> None:
    mission.members.all().delete()
    rows = [
        MissionMember(mission=mission, position=n, name=m.name.strip()[:200], role=m.role,
                      unit=m.unit.strip()[:200], user=m.user)
        for n, m in enumerate(members, 1)
    ]  # fmt: skip
    MissionMember.objects.bulk_create(rows)


def delete_mission(*, user, mission: InspectionMission) -> None:
    """Delete a draft mission that recorded nothing."""
    require_mission(user, mission, Action.DELETE)
    if mission.state != MissionState.DRAFT or mission.visits.exists() or mission.findings.exists():
        raise ActionRefused("in_use", _("Only a draft mission with no visits or findings can be deleted."))
    with transaction.atomic():
        mission.members.all().delete()
        mission.delete()


def _manages(mission: InspectionMission, user) -> ActionRefused | None:
    if not restrict(_mission_rows(mission), user, level_permission(mission.plan.level)).exists():
        return _forbidden()
    return None


def _has_visits(mission: InspectionMission, user) -> ActionRefused | None:
    if not mission.visits.exists() and not mission.findings.exists():
        return ActionRefused("nothing_recorded", _("Record the visits and findings before the report."))
    return None


MISSION_LIFECYCLE = Lifecycle(
    InspectionMission,
    record=MissionTransition,
    subject_field="mission",
    field="state",
    steps=[
        Step("start", {MissionState.DRAFT}, MissionState.IN_PROGRESS, checks=(_manages,),
             label=gettext_lazy("Start the mission")),
        Step("report", {MissionState.IN_PROGRESS}, MissionState.REPORTED, checks=(_manages, _has_visits),
             label=gettext_lazy("Record the report")),
        Step("close", {MissionState.REPORTED}, MissionState.CLOSED, checks=(_manages,),
             label=gettext_lazy("Close the mission")),
    ],
)  # fmt: skip


def take_mission_step(
    *,
    user,
    mission: InspectionMission,
    action: str,
    comment: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    version: int | None = None,
) -> InspectionMission:
    """Start, report (with the report's number and date when there is one) or close a mission."""
    if decision_date and decision_date > _today():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="decision_date", status=422)
    return MISSION_LIFECYCLE.perform(mission, user, action, comment=comment, decision_number=decision_number,
                                     decision_date=decision_date, version=version)  # fmt: skip


def available_steps(mission: InspectionMission, user) -> list[Step]:
    return MISSION_LIFECYCLE.available(mission, user)


# --- visits, findings, follow-ups ----------------------------------------------------------------


def record_visit(
    *, user, mission: InspectionMission, project: Project | None, visited_on: dt.date | None, notes: str = ""
) -> Visit:
    """The mission visited ``project`` on ``visited_on``."""
    require_mission(user, mission)
    _require_open(mission)
    errors: dict[str, str] = {}
    if project is None or not restrict(Project.objects.filter(pk__in=[project.pk]), user, Action.VIEW).exists():
        errors["project"] = _("Choose a project you can see.")
    elif not mission.provinces.filter(pk__in=[project.province_id]).exists():
        errors["project"] = _(
            "Project %(code)s is in %(province)s, which this mission does not go to. Add the province to "
            "the mission first."
        ) % {"code": project.code, "province": project.province or _("no province")}
    if visited_on is None:
        errors["visited_on"] = _("Give the visit date.")
    elif not mission.start_date <= visited_on <= mission.end_date:
        errors["visited_on"] = _("The visit must fall within the mission's dates (%(start)s – %(end)s).") % {
            "start": _vndate(mission.start_date), "end": _vndate(mission.end_date)}  # fmt: skip
    elif visited_on > _today():
        errors["visited_on"] = _("The date cannot be in the future.")
    if not errors and mission.visits.filter(project=project, visited_on__in=[visited_on]).exists():
        errors["project"] = _("This visit is already recorded.")
    if len((notes or "").strip()) > MAX_TEXT:
        errors["notes"] = _("The text is too long.")
    if errors or project is None or visited_on is None:
        raise Invalid(errors)
    with transaction.atomic():
        visit = Visit.objects.create(mission=mission, project=project, visited_on=visited_on,
                                     notes=(notes or "").strip())  # fmt: skip
        _in_scope(user, Action.VIEW, visit)
    return visit


def remove_visit(*, user, visit: Visit) -> None:
    """Remove a visit recorded by mistake (one without findings)."""
    mission = visit.mission
    require_mission(user, mission)
    _require_open(mission)
    if visit.findings.exists():
        raise ActionRefused("in_use", _("This visit has findings; it cannot be removed."))
    with transaction.atomic():
        visit.delete()


def add_finding(
    *,
    user,
    mission: InspectionMission,
    text: str,
    severity: str = Severity.MINOR,
    visit: Visit | None = None,
    province: Province | None = None,
    recorded_on: dt.date | None = None,
) -> Finding:
    """Record a finding at one of the mission's visits, or about one of its provinces."""
    require_mission(user, mission)
    _require_open(mission)
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write what the mission found.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("The text is too long.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose the severity.")
    provinces = list(mission.provinces.all())
    if visit is not None:
        if visit.mission_id != mission.pk:
            errors["visit"] = _("This visit belongs to another mission.")
        else:
            province = visit.project.province
    elif province is None and len(provinces) == 1:
        province = provinces[0]
    if visit is None and province is None:
        errors["province"] = _("Choose the visit, or the province the finding is about.")
    elif visit is None and province is not None and province.pk not in {p.pk for p in provinces}:
        errors["province"] = _("The mission does not go to %(province)s.") % {"province": province}
    recorded_on = recorded_on or min(_today(), mission.end_date)
    if recorded_on < mission.start_date:
        errors["recorded_on"] = _("A finding cannot be recorded before the mission started (%(date)s).") % {
            "date": _vndate(mission.start_date)}  # fmt: skip
    elif recorded_on > _today():
        errors["recorded_on"] = _("The date cannot be in the future.")
    if errors:
        raise Invalid(errors)
    assert province is not None
    with transaction.atomic():
        finding = Finding.objects.create(
            mission=mission, visit=visit, province=province, severity=severity, text=text, recorded_on=recorded_on,
            created_by=user if user.is_authenticated else None,
        )  # fmt: skip
        _in_scope(user, Action.VIEW, finding)
    return finding


def responsible_units() -> QuerySet:
    """Units a follow-up can be addressed to: any active unit but an establishment's own."""
    return OrgUnit.objects.active().exclude(kind=OrgUnit.Kind.ESTABLISHMENT)


def add_follow_up(
    *, user, finding: Finding, action: str, responsible_unit: OrgUnit | None, due_date: dt.date | None
) -> FollowUp:
    """Ask ``responsible_unit`` to do ``action`` by ``due_date`` about ``finding``."""
    mission = finding.mission
    require_mission(user, mission)
    _require_open(mission)
    errors: dict[str, str] = {}
    action = (action or "").strip()
    if not action:
        errors["action"] = _("Say what is to be done.")
    elif len(action) > MAX_TEXT:
        errors["action"] = _("The text is too long.")
    if responsible_unit is None or not responsible_units().filter(pk=responsible_unit.pk).exists():
        errors["responsible_unit"] = _("Choose the unit responsible.")
    if due_date is None:
        errors["due_date"] = _("Give the due date.")
    elif due_date < mission.start_date:
        errors["due_date"] = _("The due date is before the mission started (%(date)s).") % {
            "date": _vndate(mission.start_date)}  # fmt: skip
    elif due_date.year > mission.start_date.year + 5:
        errors["due_date"] = _("The due date is too far away.")
    if errors or responsible_unit is None or due_date is None:
        raise Invalid(errors)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(finding=finding, action=action, responsible_unit=responsible_unit,
                                            due_date=due_date)  # fmt: skip
        _in_scope(user, Action.VIEW, follow_up)
    return follow_up


FOLLOW_UP_LIFECYCLE = Lifecycle(
    FollowUp,
    record=FollowUpTransition,
    subject_field="follow_up",
    field="status",
    steps=[
        Step("close", {FollowUpStatus.OPEN}, FollowUpStatus.DONE, needs_comment=True, permission=CLOSE_FOLLOW_UP,
             label=gettext_lazy("Report as done")),
        Step("reopen", {FollowUpStatus.DONE}, FollowUpStatus.OPEN, needs_comment=True, permission=REOPEN_FOLLOW_UP,
             label=gettext_lazy("Reopen")),
    ],
)  # fmt: skip


def close_follow_up(
    *, user, follow_up: FollowUp, note: str, closed_on: dt.date | None = None, version: int | None = None
) -> FollowUp:
    """The responsible unit (or the inspectors) report the follow-up done on ``closed_on`` (today
    by default), saying what was done in ``note``."""
    closed_on = closed_on or _today()
    if closed_on > _today():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="closed_on", status=422)
    started = follow_up.finding.mission.start_date
    if closed_on < started:
        raise ActionRefused(
            "before_mission",
            _("A follow-up cannot be done before the mission started (%(date)s).") % {"date": _vndate(started)},
            field="closed_on",
            status=422,
        )
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise Invalid({"note": _("The text is too long.")})
    try:
        return FOLLOW_UP_LIFECYCLE.perform(follow_up, user, "close", comment=note, version=version,
                                           changes={"closed_on": closed_on, "closing_note": note},
                                           data={"closed_on": closed_on.isoformat()})  # fmt: skip
    except ActionRefused as exc:
        if exc.code == "comment_required":
            raise ActionRefused("note_required", _("Say what was done."), field="note", status=422) from None
        raise


def reopen_follow_up(*, user, follow_up: FollowUp, comment: str, version: int | None = None) -> FollowUp:
    """Reopen a follow-up reported done (the report did not convince): the reason is kept."""
    was = follow_up.closed_on.isoformat() if follow_up.closed_on else None
    return FOLLOW_UP_LIFECYCLE.perform(follow_up, user, "reopen", comment=comment, version=version,
                                       changes={"closed_on": None, "closing_note": ""},
                                       data={"closed_on": was})  # fmt: skip


def follow_up_steps(follow_up: FollowUp, user) -> list[Step]:
    return FOLLOW_UP_LIFECYCLE.available(follow_up, user)
