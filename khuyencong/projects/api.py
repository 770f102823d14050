"""/api/v1/projects: scoped like the pages; writes call ``projects.actions``.

- ``GET /projects``: the list page's filters under the same names, keyset-paged, never counted.
- ``GET /projects/{id}``: the project with its beneficiaries, its transitions, the actions the
  caller may take now (``available_actions``) and its ``version``, also sent as the ``ETag``.
- ``POST /projects``: a draft proposal. ``PATCH /projects/{id}``: change a proposal;
  ``PUT /projects/{id}/beneficiaries``: replace its beneficiary lines.
- ``POST /projects/{id}/actions/{action}``: one lifecycle step, the same rules as the page's
  buttons (``actions.take_step``).

Optimistic locking: send the ``version`` you read as ``If-Match`` (``"7"``, ``W/"7"`` or ``7``) on
PATCH and PUT, or as ``version`` in an action's body; a project changed since is a 409 ``stale``
(``state_changed`` for a step), nothing written. Without ``If-Match`` the write applies to the
current version (the house choice: like the forms, a client that does not lock is not refused).
Refusals share the API's one error shape {code, message, details}: 403 forbidden, 404 not_found,
409 wrong_state / stale / state_changed / not_in_plan…, 422 validation_error (one {field, message}
per bad value), over_norm / not_eligible (the rule and its legal document cited), comment_required,
decision_required, date_in_future, dates_out_of_order.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.errors import ApiError
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, Disruption, PlanLine
from khuyencong.projects import actions
from khuyencong.projects.filters import ProjectFilters
from khuyencong.projects.models import Project
from khuyencong.projects.selectors import project_history, project_list, projects
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Commune, Province

router = Router(tags=["projects"])

MAX_ID = 2**62
Amount = Annotated[int, Field(ge=-actions.MAX_AMOUNT, le=actions.MAX_AMOUNT, description="Whole đồng.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
_API_NAMES = {"province": "province_code", "implementing_unit": "implementing_unit_code",
              "proposing_unit": "proposing_unit_code", "content": "content_code", "commune": "commune_code",
              "plan": "plan_id", "plan_line": "plan_line_id", "establishment": "establishment_id"}  # fmt: skip
ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def _renamed(exc: Invalid) -> Invalid:
    def name(field: str) -> str:
        head, _dot, tail = field.rpartition(".")
        return f"{head}.{_API_NAMES.get(tail, tail)}" if head else _API_NAMES.get(tail, tail)

    return Invalid({name(field): message for field, message in exc.errors.items()})


# --- reading ---------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str
    year: int
    state: str
    content_code: str
    norm_code: str
    province_code: str | None
    legacy_province_code: str | None
    implementing_unit_code: str
    plan_id: int | None
    plan_line_id: int | None
    total_cost: int
    support_amount: int
    counterpart_amount: int
    approved_support: int | None
    disruption: str
    version: int

    @staticmethod
    def resolve_content_code(obj):
        return obj["content_code"] if isinstance(obj, dict) else obj.content.code

    @staticmethod
    def resolve_province_code(obj):
        if isinstance(obj, dict):
            return obj["province_code"]
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_legacy_province_code(obj):
        if isinstance(obj, dict):
            return obj["legacy_province_code"]
        return obj.legacy_province.code if obj.legacy_province_id else None

    @staticmethod
    def resolve_implementing_unit_code(obj):
        return obj["implementing_unit_code"] if isinstance(obj, dict) else obj.implementing_unit.code


class BeneficiaryOut(Schema):
    id: int
    position: int
    establishment_id: int
    establishment_name: str
    eligible_cost: int
    support: int
    counterpart: int
    outputs: str
    full_line: bool
    accepted: bool | None
    added_after_approval: bool


class ProjectTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    user: str
    at: dt.datetime
    comment: str
    decision_number: str
    decision_date: dt.date | None


class AvailableAction(Schema):
    action: str
    label: str
    needs_comment: bool
    needs_decision: bool


class ProjectDetail(ProjectOut):
    proposing_unit_code: str | None
    commune_code: str | None
    location: str
    start_date: dt.date | None
    end_date: dt.date | None
    objectives: str
    target_outputs: str
    disruption_event: str
    disruption_note: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    decision_number: str
    contracted_on: dt.date | None
    accepted_on: dt.date | None
    settled_on: dt.date | None
    beneficiaries: list[BeneficiaryOut]
    transitions: list[ProjectTransitionOut]
    available_actions: list[AvailableAction] = Field(description="The steps you may take now, with what they need.")


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


ProjectQuery = query_schema(ProjectFilters, "ProjectQuery")


def _listed(rows):
    return rows.select_related("legacy_province")


@router.get("/projects", response=ProjectPage, summary="Projects you may see (the list page's filters)")
def list_projects(request, query: Query[ProjectQuery]):
    """Keyset-paged by id; never counted. ``q`` searches code and name (3 characters at least)."""
    return list_page(request, query, spec_class=ProjectFilters, selector=project_list, model=Project,
                     order_field="id", prepare=_listed)  # fmt: skip


def _project(request, pk: int, needs: str | None = None) -> Project:
    """A project the user can see (404 otherwise); ``needs``: 403 first for a role that never may."""
    if needs is not None and not can(request.auth, needs, Project):
        raise ApiError(403, "forbidden", "You are not allowed to do this.")
    rows = projects().select_related("legacy_province", "proposing_unit", "commune")
    return restrict(rows, request.auth, Action.VIEW).get(pk=pk)


def _detail(project: Project, user, response: HttpResponse | None = None) -> dict:
    computed = ("beneficiaries", "transitions", "available_actions")
    out = {
        field: getattr(project, field)
        for field in ProjectDetail.model_fields
        if field not in computed and hasattr(project, field)
    }
    out |= {
        "content_code": project.content.code,
        "province_code": project.province.code if project.province_id else None,
        "legacy_province_code": project.legacy_province.code if project.legacy_province_id else None,
        "implementing_unit_code": project.implementing_unit.code,
        "proposing_unit_code": project.proposing_unit.code if project.proposing_unit_id else None,
        "commune_code": project.commune.code if project.commune_id else None,
    }
    out["beneficiaries"] = [
        {"id": line.pk, "position": line.position, "establishment_id": line.establishment_id,
         "establishment_name": line.establishment.name, "eligible_cost": line.eligible_cost, "support": line.support,
         "counterpart": line.counterpart, "outputs": line.outputs, "full_line": line.full_line,
         "accepted": line.accepted, "added_after_approval": line.added_after_approval}
        for line in project.beneficiaries.select_related("establishment").order_by("position", "pk")
    ]  # fmt: skip
    out["transitions"] = [
        {"action": t.action, "from_state": t.from_state, "to_state": t.to_state,
         "user": t.user_name or (t.user.get_username() if t.user_id else ""), "at": t.at, "comment": t.comment,
         "decision_number": t.decision_number, "decision_date": t.decision_date}
        for t in project_history(project)
    ]  # fmt: skip
    out["available_actions"] = [
        {"action": s.action, "label": str(s.label), "needs_comment": s.needs_comment,
         "needs_decision": s.needs_decision}
        for s in actions.available_steps(project, user)
    ]  # fmt: skip
    if response is not None:
        response["ETag"] = f'"{project.version}"'
    return out


@router.get("/projects/{int:pk}", response=ProjectDetail,
            summary="One project: beneficiaries, transitions, the actions you may take, its version")  # fmt: skip
def get_project(request, pk: int, response: HttpResponse):
    return _detail(_project(request, pk), request.auth, response)


# --- writing ---------------------------------------------------------------------------------


class ProjectIn(Schema):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=500)]
    level: Level
    kind: ProjectKind = ProjectKind.ORDINARY
    content_code: Annotated[str, Field(max_length=20)]
    norm_code: Annotated[str, Field(max_length=60)] = ""
    year: Annotated[int, Field(ge=2000, le=2100)]
    province_code: str | None = Field(None, max_length=3)
    commune_code: str | None = Field(None, max_length=10)
    implementing_unit_code: Annotated[str, Field(max_length=40)]
    proposing_unit_code: str | None = Field(None, max_length=40)
    location: Annotated[str, Field(max_length=500)] = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    objectives: Annotated[str, Field(max_length=5000)] = ""
    target_outputs: Annotated[str, Field(max_length=5000)] = ""
    total_cost: Amount = 0
    support_amount: Amount = 0
    counterpart_amount: Amount = 0
    disruption: Disruption = Disruption.NONE
    disruption_event: Annotated[str, Field(max_length=200)] = ""
    disruption_note: Annotated[str, Field(max_length=2000)] = ""


class ProjectPatch(Schema):
    name: Annotated[str | None, Field(min_length=1, max_length=500)] = None
    kind: ProjectKind | None = None
    content_code: Annotated[str | None, Field(max_length=20)] = None
    norm_code: Annotated[str | None, Field(max_length=60)] = None
    year: Annotated[int | None, Field(ge=2000, le=2100)] = None
    province_code: str | None = Field(None, max_length=3)
    commune_code: str | None = Field(None, max_length=10)
    implementing_unit_code: Annotated[str | None, Field(max_length=40)] = None
    location: Annotated[str | None, Field(max_length=500)] = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    objectives: Annotated[str | None, Field(max_length=5000)] = None
    target_outputs: Annotated[str | None, Field(max_length=5000)] = None
    total_cost: Amount | None = None
    support_amount: Amount | None = None
    counterpart_amount: Amount | None = None
    disruption: Disruption | None = None
    disruption_event: Annotated[str | None, Field(max_length=200)] = None
    disruption_note: Annotated[str | None, Field(max_length=2000)] = None


PLAIN = ("name", "norm_code", "year", "location", "start_date", "end_date", "objectives", "target_outputs",
         "total_cost", "support_amount", "counterpart_amount", "disruption_event", "disruption_note")  # fmt: skip


def _values(request, sent: dict) -> dict:
    """The action's values from the API's fields (codes looked up, each unknown one a field error)."""
    values = {name: sent[name] for name in PLAIN if name in sent and sent[name] is not None}
    for name in ("level", "kind", "disruption"):
        if sent.get(name) is not None:
            values[name] = getattr(sent[name], "value", sent[name])
    errors: dict[str, str] = {}
    if sent.get("content_code"):
        values["content"] = ActivityContent.objects.filter(code=sent["content_code"].strip()).first()
        if values["content"] is None:
            errors["content_code"] = "No activity content has this code."
    if "province_code" in sent:
        code = sent["province_code"]
        values["province"] = (
            Province.objects.current().filter(code=str(code).strip().zfill(2)).first() if code else None
        )
        if code and values["province"] is None:
            errors["province_code"] = "No province in force has this code."
    if sent.get("commune_code"):
        values["commune"] = Commune.objects.current().filter(code=sent["commune_code"].strip()).first()
        if values["commune"] is None:
            errors["commune_code"] = "No commune in force has this code."
    for field in ("implementing_unit", "proposing_unit"):
        code = sent.get(f"{field}_code")
        if code:
            found = restrict(OrgUnit.objects.active(), request.auth, Action.VIEW).filter(code=code.strip()).first()
            if found is None:
                errors[f"{field}_code"] = "No org unit you can see has this code."
            values[field] = found
    if errors:
        raise Invalid(errors)
    return values


def if_match(request) -> int | None:
    """The version named by ``If-Match`` (None without the header; 400 when it is not a version)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    found = ETAG.match(raw)
    if found is None:
        raise ApiError(400, "bad_request", 'If-Match must be the project\'s version as its ETag gives it, e.g. "7".')
    return int(found.group(1))


@router.post("/projects", response={201: ProjectDetail}, summary="Create a draft proposal")
@idempotent
def create_project(request, payload: ProjectIn, response: HttpResponse):
    if not can(request.auth, Action.ADD, Project):
        raise ApiError(403, "forbidden", "You are not allowed to add projects.")
    try:
        values = _values(request, payload.dict())
        values["code"] = payload.code
        project = actions.save_project(user=request.auth, values=values)
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, _detail(_project(request, project.pk), request.auth, response))


@router.patch("/projects/{int:pk}", response=ProjectDetail,
              summary="Change a proposal (If-Match: the version you read; a newer one is a 409 stale)")  # fmt: skip
def update_project(request, pk: int, payload: ProjectPatch, response: HttpResponse):
    project = _project(request, pk, Action.CHANGE)
    version = if_match(request)
    try:
        values = _values(request, payload.dict(exclude_unset=True))
        actions.save_project(user=request.auth, values=values, instance=project, version=version)
    except Invalid as exc:
        raise _renamed(exc) from None
    return _detail(_project(request, pk), request.auth, response)


class BeneficiaryIn(Schema):
    establishment_id: Id
    eligible_cost: Amount = 0
    support: Amount = 0
    counterpart: Amount = 0
    outputs: Annotated[str, Field(max_length=2000)] = ""
    full_line: bool = False


class BeneficiariesIn(Schema):
    lines: Annotated[list[BeneficiaryIn], Field(max_length=1000)]


@router.put("/projects/{int:pk}/beneficiaries", response=ProjectDetail,
            summary="Replace the beneficiary lines (If-Match as for PATCH)")  # fmt: skip
def replace_beneficiaries(request, pk: int, payload: BeneficiariesIn, response: HttpResponse):
    project = _project(request, pk, Action.CHANGE)
    version = if_match(request)
    wanted = [line.establishment_id for line in payload.lines]
    found = {e.pk: e for e in restrict(Establishment.objects.filter(pk__in=wanted), request.auth, Action.VIEW)}
    errors = {f"lines.{i}.establishment_id": "No establishment you can see has this id."
              for i, key in enumerate(wanted) if key not in found}  # fmt: skip
    if errors:
        raise Invalid(errors)
    lines = [
        actions.BeneficiaryInput(establishment=found[line.establishment_id], eligible_cost=line.eligible_cost,
                                 support=line.support, counterpart=line.counterpart, outputs=line.outputs,
                                 full_line=line.full_line)
        for line in payload.lines
    ]  # fmt: skip
    try:
        actions.save_beneficiaries(user=request.auth, project=project, lines=lines, version=version)
    except Invalid as exc:
        raise _renamed(exc) from None
    return _detail(_project(request, pk), request.auth, response)


class ProjectStepIn(Schema):
    comment: Annotated[str, Field(max_length=2000)] = ""
    decision_number: Annotated[str, Field(max_length=60)] = ""
    decision_date: dt.date | None = None
    on: dt.date | None = Field(None, description="The day it happened; default: the decision's date, or today.")
    approved_support: Amount | None = Field(None, description="Approval only; default: the support requested.")
    plan_line: Id | None = Field(None, description="Approval: the id of the plan line the project is approved into.")
    version: int | None = Field(None, ge=0, description="The version you read; a newer one is a 409 state_changed.")


@router.post("/projects/{int:pk}/actions/{action}", response=ProjectDetail,
             summary="Take one step of the project's lifecycle (the actions listed in available_actions)")  # fmt: skip
def take_step(request, pk: int, action: Annotated[str, Field(max_length=40)], payload: ProjectStepIn,
              response: HttpResponse):  # fmt: skip
    step = actions.PROJECT_LIFECYCLE.step(action)  # 404 unknown_action
    project = _project(request, pk, step.permission)
    line = None
    if payload.plan_line is not None:
        visible = restrict(AnnualPlan.objects.all(), request.auth, Action.VIEW).values("pk")
        line = PlanLine.objects.filter(pk=payload.plan_line, plan_version__plan__in=visible).first()
        if line is None:
            raise Invalid({"plan_line": "No plan line you can see has this id."})
    try:
        actions.take_step(
            user=request.auth, project=project, action=action, comment=payload.comment,
            decision_number=payload.decision_number, decision_date=payload.decision_date, on=payload.on,
            approved_support=payload.approved_support, plan_line=line,
            version=payload.version if payload.version is not None else if_match(request),
        )  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    return _detail(_project(request, pk), request.auth, response)
