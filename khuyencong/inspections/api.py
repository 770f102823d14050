"""/api/v1/inspections: inspection missions, scoped like the pages; writes call
``inspections.actions``. Refusals share the API's one error shape ``{code, message, details}``:
403 forbidden, 404 not_found, 409 with the action's code (mission_closed, wrong_state, stale…),
422 validation_error with one ``{field, message}`` per bad value."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.errors import ApiError
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.inspections import actions
from khuyencong.inspections.filters import FollowUpFilters, MissionFilters
from khuyencong.inspections.models import (
    FollowUp,
    InspectionMission,
    InspectionPlan,
    MemberRole,
    Severity,
    Visit,
)
from khuyencong.inspections.selectors import (
    findings_of,
    follow_up_list,
    follow_ups,
    mission_list,
    missions_reached,
    visits_of,
)
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project
from khuyencong.territory.models import Province

router = Router(tags=["inspections"])

MAX_ID = 2**62
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=actions.MAX_TEXT)]
_API_NAMES = {"plan": "plan_id", "lead_unit": "lead_unit_code", "provinces": "province_codes",
              "project": "project_id", "visit": "visit_id", "province": "province_code",
              "responsible_unit": "responsible_unit_code"}  # fmt: skip


def _renamed(exc: Invalid) -> Invalid:
    return Invalid({_API_NAMES.get(field, field): message for field, message in exc.errors.items()})


class MissionMemberOut(Schema):
    name: str
    role: str
    unit: str
    user_id: int | None


class FollowUpOut(Schema):
    id: int
    finding_id: int
    action: str
    responsible_unit_code: str
    responsible_unit_name: str
    due_date: dt.date
    status: str
    overdue: bool
    closed_on: dt.date | None
    closing_note: str
    version: int

    @staticmethod
    def resolve_responsible_unit_code(obj):
        return obj.responsible_unit.code

    @staticmethod
    def resolve_responsible_unit_name(obj):
        return obj.responsible_unit.name


class FindingOut(Schema):
    id: int
    visit_id: int | None
    province_code: str
    severity: str
    text: str
    recorded_on: dt.date
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code

    @staticmethod
    def resolve_follow_ups(obj):
        return getattr(obj, "follow_up_rows", [])


class VisitOut(Schema):
    id: int
    project_id: int
    project_code: str
    province_code: str | None
    visited_on: dt.date
    notes: str

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.project.province.code if obj.project.province_id else None


class MissionOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    year: int
    level: str
    name: str
    lead_unit_code: str
    start_date: dt.date
    end_date: dt.date
    province_codes: list[str]
    state: str
    version: int

    @staticmethod
    def resolve_plan_name(obj):
        return obj.plan.name

    @staticmethod
    def resolve_lead_unit_code(obj):
        return obj.lead_unit.code

    @staticmethod
    def resolve_province_codes(obj):
        return sorted(p.code for p in obj.provinces.all())


class MissionDetail(MissionOut):
    purpose: str
    members: list[MissionMemberOut]
    visits: list[VisitOut]
    findings: list[FindingOut]
    actions: list[str] = Field(description="The steps you may take now: start, report, close.")

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.order_by("position"))

    @staticmethod
    def resolve_visits(obj, context):
        return visits_of(obj, user=context["request"].auth)

    @staticmethod
    def resolve_findings(obj, context):
        return findings_of(obj, user=context["request"].auth)

    @staticmethod
    def resolve_actions(obj, context):
        return [step.action for step in actions.available_steps(obj, context["request"].auth)]


class MissionPage(Schema):
    items: list[MissionOut]
    next_cursor: str | None


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None


MissionQuery = query_schema(MissionFilters, "InspectionMissionQuery")
FollowUpQuery = query_schema(FollowUpFilters, "FollowUpQuery")


def _mission(request, pk: int, *, write: bool = True) -> InspectionMission:
    """The mission in reach; a write by someone who reads no missions at all is a 403 (a read a 404)."""
    if write and not can(request.auth, Action.VIEW, InspectionMission):
        raise ApiError(403, "forbidden", "You are not allowed to see inspection missions.")
    return missions_reached(request.auth).get(pk=pk)


@router.get("/inspections", response=MissionPage, summary="Inspection missions you may see")
def list_missions(request, query: Query[MissionQuery]):
    """Filters as on the page (year, level, province, state, q); keyset paging by id."""
    return list_page(request, query, spec_class=MissionFilters, selector=mission_list, model=InspectionMission,
                     order_field="id")  # fmt: skip


@router.get("/inspections/follow-ups", response=FollowUpPage, summary="Follow-ups you may see")
def list_follow_ups(request, query: Query[FollowUpQuery]):
    """Filters as on the page (status open, done or overdue; year; province; mission)."""
    return list_page(request, query, spec_class=FollowUpFilters, selector=follow_up_list, model=FollowUp,
                     order_field="id")  # fmt: skip


@router.get("/inspections/{int:pk}", response=MissionDetail,
            summary="One mission with its members, visits, findings and follow-ups")  # fmt: skip
def get_mission(request, pk: int):
    return _mission(request, pk, write=False)


class MemberIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: MemberRole = MemberRole.MEMBER
    unit: Annotated[str, Field(max_length=200)] = ""
    user_id: Id | None = None


class MissionIn(Schema):
    plan_id: Id
    name: Annotated[str, Field(min_length=1, max_length=300)]
    lead_unit_code: Annotated[str, Field(min_length=1, max_length=40)]
    start_date: dt.date
    end_date: dt.date
    province_codes: Annotated[list[Annotated[str, Field(max_length=10)]], Field(min_length=1, max_length=40)]
    purpose: Text = ""
    members: Annotated[list[MemberIn], Field(max_length=50)] = []


@router.post("/inspections", response={201: MissionDetail}, summary="Create an inspection mission (a draft)")
@idempotent
def create_mission(request, payload: MissionIn):
    user = request.auth
    if not can(user, Action.ADD, InspectionMission):
        raise ApiError(403, "forbidden", "You are not allowed to create inspection missions.")
    plan = restrict(InspectionPlan.objects.all(), user, Action.VIEW).filter(pk=payload.plan_id).first()
    if plan is None:
        raise Invalid({"plan_id": "No inspection plan you can see has this id."})
    lead = OrgUnit.objects.active().filter(code=payload.lead_unit_code).first()
    if lead is None:
        raise Invalid({"lead_unit_code": "No active org unit has this code."})
    provinces = list(Province.objects.current().filter(code__in=payload.province_codes))
    unknown = sorted(set(payload.province_codes) - {p.code for p in provinces})
    if unknown:
        raise Invalid({"province_codes": f"Unknown province codes: {', '.join(unknown)}."})
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[m.user_id for m in payload.members if m.user_id])}
    if any(m.user_id and m.user_id not in users for m in payload.members):
        raise Invalid({"members": "A member's user_id names no account."})
    members = [actions.Member(name=m.name, role=m.role.value, unit=m.unit, user=users.get(m.user_id))
               for m in payload.members]  # fmt: skip
    values = {"name": payload.name, "lead_unit": lead, "start_date": payload.start_date,
              "end_date": payload.end_date, "purpose": payload.purpose}  # fmt: skip
    try:
        mission = actions.save_mission(user=user, plan=plan, values=values, provinces=provinces, members=members)
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, missions_reached(user).get(pk=mission.pk))


class VisitIn(Schema):
    project_id: Id
    visited_on: dt.date
    notes: Text = ""


@router.post("/inspections/{int:pk}/visits", response={201: MissionDetail}, summary="Record a visit to a project")
@idempotent
def create_visit(request, pk: int, payload: VisitIn):
    mission = _mission(request, pk)
    project = Project.objects.filter(pk=payload.project_id).first()
    try:
        actions.record_visit(user=request.auth, mission=mission, project=project, visited_on=payload.visited_on,
                             notes=payload.notes)  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, _mission(request, pk, write=False))


class FindingIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=actions.MAX_TEXT)]
    severity: Severity = Severity.MINOR
    visit_id: Id | None = None
    province_code: Annotated[str | None, Field(max_length=10)] = None
    recorded_on: dt.date | None = None


@router.post("/inspections/{int:pk}/findings", response={201: FindingOut}, summary="Record a finding")
@idempotent
def create_finding(request, pk: int, payload: FindingIn):
    mission = _mission(request, pk)
    visit = None
    if payload.visit_id is not None:
        visit = restrict(Visit.objects.filter(mission=mission), request.auth, Action.VIEW).filter(
            pk=payload.visit_id).select_related("project__province").first()  # fmt: skip
        if visit is None:
            raise Invalid({"visit_id": "No visit of this mission you can see has this id."})
    province = None
    if payload.province_code:
        province = Province.objects.current().filter(code=payload.province_code).first()
        if province is None:
            raise Invalid({"province_code": "No province has this code."})
    try:
        finding = actions.add_finding(user=request.auth, mission=mission, visit=visit, province=province,
                                      severity=payload.severity.value, text=payload.text,
                                      recorded_on=payload.recorded_on)  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    finding.follow_up_rows = []  # type: ignore[attr-defined]
    return Status(201, finding)


class FollowUpIn(Schema):
    action: Annotated[str, Field(min_length=1, max_length=actions.MAX_TEXT)]
    responsible_unit_code: Annotated[str, Field(min_length=1, max_length=40)]
    due_date: dt.date


@router.post("/inspections/{int:pk}/findings/{int:finding_id}/follow-ups", response={201: FollowUpOut},
             summary="Add a follow-up to a finding")  # fmt: skip
@idempotent
def create_follow_up(request, pk: int, finding_id: int, payload: FollowUpIn):
    mission = _mission(request, pk)
    finding = restrict(mission.findings.all(), request.auth, Action.VIEW).filter(pk=finding_id).first()
    if finding is None:
        raise ApiError(404, "not_found", "Not found.")
    unit = OrgUnit.objects.filter(code=payload.responsible_unit_code).first()
    try:
        follow_up = actions.add_follow_up(user=request.auth, finding=finding, action=payload.action,
                                          responsible_unit=unit, due_date=payload.due_date)  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, follow_ups().get(pk=follow_up.pk))


class InspectionStepIn(Schema):
    comment: Text = ""
    decision_number: Annotated[str, Field(max_length=60)] = ""
    decision_date: dt.date | None = None
    version: int | None = None


@router.post("/inspections/{int:pk}/actions/{action}", response=MissionDetail,
             summary="Start, report or close a mission")  # fmt: skip
def mission_step(request, pk: int, action: str, payload: InspectionStepIn):
    mission = _mission(request, pk)
    actions.take_mission_step(user=request.auth, mission=mission, action=action, comment=payload.comment,
                              decision_number=payload.decision_number, decision_date=payload.decision_date,
                              version=payload.version)  # fmt: skip
    return _mission(request, pk, write=False)


class MissionCloseIn(Schema):
    note: Annotated[str, Field(max_length=actions.MAX_TEXT, description="What was done (required).")]
    closed_on: dt.date | None = None
    version: int | None = None


def _follow_up(request, pk: int) -> FollowUp:
    if not can(request.auth, Action.VIEW, FollowUp):
        raise ApiError(403, "forbidden", "You are not allowed to see follow-ups.")
    return restrict(follow_ups(), request.auth, Action.VIEW).get(pk=pk)


@router.post("/inspections/follow-ups/{int:pk}/close", response=FollowUpOut,
             summary="Report a follow-up done")  # fmt: skip
def close_follow_up(request, pk: int, payload: MissionCloseIn):
    follow_up = _follow_up(request, pk)
    actions.close_follow_up(user=request.auth, follow_up=follow_up, note=payload.note, closed_on=payload.closed_on,
                            version=payload.version)  # fmt: skip
    return follow_ups().get(pk=pk)


class ReopenIn(Schema):
    comment: Annotated[str, Field(max_length=actions.MAX_TEXT, description="Why (required).")]
    version: int | None = None


@router.post("/inspections/follow-ups/{int:pk}/reopen", response=FollowUpOut, summary="Reopen a follow-up")
def reopen_follow_up(request, pk: int, payload: ReopenIn):
    follow_up = _follow_up(request, pk)
    actions.reopen_follow_up(user=request.auth, follow_up=follow_up, comment=payload.comment,
                             version=payload.version)  # fmt: skip
    return follow_ups().get(pk=pk)
