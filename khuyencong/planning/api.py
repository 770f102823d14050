"""/api/v1/programmes and /api/v1/plans: scoped like the pages; writes call ``planning.actions``.

National programmes and plans are read by every planning reader; local ones only in their
province. Refusals share the API's one error shape: 403 forbidden, 404 not_found, 409 with the
action's code (already_approved, total_mismatch, plan_closed, draft_exists, not_draft…), 422
validation_error with one {field, message} per bad value (or negative_amount).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning import actions, services
from khuyencong.planning.filters import PlanFilters, ProgrammeFilters
from khuyencong.planning.models import AnnualPlan, Disruption, FundingSource, PlanVersion, Programme
from khuyencong.planning.selectors import plan_list, plans, programme_list, programmes
from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level
from khuyencong.territory.models import Province

router = Router(tags=["planning"])

MAX_ID = 2**62
Amount = Annotated[int, Field(ge=0, le=actions.MAX_AMOUNT, description="Whole đồng.")]
# Amounts as sent: a negative one reaches the action, which refuses it with its own code.
SignedAmount = Annotated[int, Field(ge=-actions.MAX_AMOUNT, le=actions.MAX_AMOUNT, description="Whole đồng.")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Text = Annotated[str, Field(max_length=500)]
_API_NAMES = {"province": "province_code", "owner": "owner_code", "programme": "programme_id",
              "content": "content_code", "legal_document": "legal_document_number",
              "decision": "decision_number"}  # fmt: skip


def _renamed(exc: Invalid) -> Invalid:
    def name(field: str) -> str:
        head, _dot, tail = field.rpartition(".")
        return f"{head}.{_API_NAMES.get(tail, tail)}" if head else _API_NAMES.get(tail, tail)

    return Invalid({name(field): message for field, message in exc.errors.items()})


# --- programmes --------------------------------------------------------------------------------


class TargetOut(Schema):
    name: str
    unit: str
    target_value: int | None
    content_code: str | None

    @staticmethod
    def resolve_content_code(obj):
        return obj.content.code if obj.content_id else None


class ProgrammeOut(Schema):
    id: int
    level: str
    name: str
    start_year: int
    end_year: int
    decision_number: str | None
    owner_code: str
    province_code: str | None
    summary: str

    @staticmethod
    def resolve_decision_number(obj):
        return obj.decision.number if obj.decision_id else None

    @staticmethod
    def resolve_owner_code(obj):
        return obj.owner.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None


class ProgrammeDetail(ProgrammeOut):
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.select_related("content"))


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    next_cursor: str | None


ProgrammeQuery = query_schema(ProgrammeFilters, "ProgrammeQuery")


@router.get("/programmes", response=ProgrammePage, summary="Programmes you may see")
def list_programmes(request, query: Query[ProgrammeQuery]):
    return list_page(request, query, spec_class=ProgrammeFilters, selector=programme_list, model=Programme,
                     order_field="id")  # fmt: skip


@router.get("/programmes/{int:pk}", response=ProgrammeDetail, summary="One programme with its targets")
def get_programme(request, pk: int):
    return restrict(programmes(), request.auth, Action.VIEW).get(pk=pk)


class TargetIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=300)]
    unit: Annotated[str, Field(min_length=1, max_length=60)]
    target_value: Annotated[int | None, Field(ge=0, le=actions.MAX_AMOUNT)] = None
    content_code: Annotated[str | None, Field(max_length=20)] = None


class ProgrammeIn(Schema):
    level: Level
    name: Annotated[str, Field(min_length=1, max_length=300)]
    start_year: Year
    end_year: Year
    province_code: str | None = Field(None, max_length=3, description="For a local programme.")
    owner_code: str | None = Field(None, max_length=40, description="Default: the Agency, or the province's DOIT.")
    decision_number: Annotated[str | None, Field(max_length=80)] = None
    summary: Text = ""
    targets: Annotated[list[TargetIn], Field(max_length=200)] = []


class ProgrammePatch(Schema):
    name: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    summary: Text | None = None
    decision_number: Annotated[str | None, Field(max_length=80)] = None
    targets: Annotated[list[TargetIn] | None, Field(max_length=200, description="Replaces every target.")] = None


def _targets(items: list[TargetIn]) -> list[actions.TargetInput]:
    contents = {c.code: c for c in ActivityContent.objects.all()}
    errors = {f"targets.{i}.content_code": "No activity content has this code."
              for i, t in enumerate(items) if t.content_code and t.content_code not in contents}  # fmt: skip
    if errors:
        raise Invalid(errors)
    return [actions.TargetInput(name=t.name, unit=t.unit, target_value=t.target_value,
                                content=contents.get(t.content_code or "")) for t in items]  # fmt: skip


def _decision(number: str | None) -> LegalDocument | None:
    if not number:
        return None
    found = LegalDocument.objects.filter(number=number.strip()).first()
    if found is None:
        raise Invalid({"decision_number": "No legal document has this number."})
    return found


@router.post("/programmes", response={201: ProgrammeDetail}, summary="Create a programme with its targets")
@idempotent
def create_programme(request, payload: ProgrammeIn):
    if not can(request.auth, Action.ADD, Programme):
        raise HttpError(403, "You are not allowed to add programmes.")
    province = _province(payload.province_code)
    values = {
        "level": payload.level.value, "name": payload.name, "start_year": payload.start_year,
        "end_year": payload.end_year, "province": province, "summary": payload.summary,
        "owner": _owner(request, payload.owner_code, f"SCT-{province.code}" if province else "CUC-DMST"),
        "decision": _decision(payload.decision_number),
    }  # fmt: skip
    try:
        programme = actions.save_programme(user=request.auth, values=values, targets=_targets(payload.targets))
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, programmes().get(pk=programme.pk))


@router.patch("/programmes/{int:pk}", response=ProgrammeDetail, summary="Change a programme or replace its targets")
def update_programme(request, pk: int, payload: ProgrammePatch):
    if not can(request.auth, Action.CHANGE, Programme):
        raise HttpError(403, "You are not allowed to change programmes.")
    programme = restrict(programmes(), request.auth, Action.VIEW).get(pk=pk)
    sent = payload.dict(exclude_unset=True)
    values = {name: sent[name] for name in ("name", "summary") if sent.get(name) is not None}
    if "decision_number" in sent:
        values["decision"] = _decision(sent["decision_number"])
    targets = _targets(payload.targets) if payload.targets is not None else None
    try:
        actions.save_programme(user=request.auth, values=values, targets=targets, instance=programme)
    except Invalid as exc:
        raise _renamed(exc) from None
    return programmes().get(pk=programme.pk)


# --- plans -----------------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    parent_id: int | None
    number: str
    name: str
    content_code: str | None
    funding_source: str
    amount: int = Field(description="For a group row: the sum of its rows.")
    leaf: bool
    target_quantity: float | None
    target_unit: str
    disruption: str
    disruption_event: str
    disruption_note: str
    province_code: str | None
    implementing_unit_code: str | None


class ChangeOut(Schema):
    number: str
    name: str
    fields: list[str]
    amount_before: int
    amount_after: int


class DiffLine(Schema):
    number: str
    name: str
    amount: int


class DiffOut(Schema):
    added: list[DiffLine]
    removed: list[DiffLine]
    changed: list[ChangeOut]
    total_before: int
    total_after: int


class VersionSummary(Schema):
    id: int
    sequence: int
    kind: str
    status: str
    declared_total: int
    reason: str
    decision_number: str
    decision_date: dt.date | None
    signer: str
    legal_document_number: str | None
    version: int


class VersionOut(VersionSummary):
    lines: list[LineOut]
    line_total: int
    diff: DiffOut | None = Field(description="Against the previous version; null for the first.")


class PlanOut(Schema):
    id: int
    level: str
    year: int
    name: str
    province_code: str | None
    owner_code: str
    programme_id: int | None
    declared_total: int
    state: str
    version: int

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_owner_code(obj):
        return obj.owner.code


class PlanDetail(PlanOut):
    versions: list[VersionSummary]

    @staticmethod
    def resolve_versions(obj):
        return [_summary(v) for v in obj.versions.select_related("legal_document").order_by("sequence")]


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: str | None


PlanQuery = query_schema(PlanFilters, "PlanQuery")


def _summary(version: PlanVersion) -> dict:
    out: dict = {
        name: getattr(version, name)
        for name in ("id", "sequence", "kind", "status", "declared_total", "reason", "decision_number",
                     "decision_date", "signer", "version")
    }  # fmt: skip
    out["legal_document_number"] = version.legal_document.number if version.legal_document_id else None
    return out


def _version_out(version: PlanVersion) -> dict:
    lines = services.plan_lines(version)
    rows = services.line_rows(lines)
    diff = services.version_diff(version)
    out = _summary(version)
    out["lines"] = [
        {
            "id": row.line.pk, "parent_id": row.line.parent_id, "number": row.line.number, "name": row.line.name,
            "content_code": row.line.content.code if row.line.content_id else None,
            "funding_source": row.line.funding_source, "amount": row.amount, "leaf": row.leaf,
            "target_quantity": float(row.line.target_quantity) if row.line.target_quantity is not None else None,
            "target_unit": row.line.target_unit, "disruption": row.line.disruption,
            "disruption_event": row.line.disruption_event, "disruption_note": row.line.disruption_note,
            "province_code": row.line.province.code if row.line.province_id else None,
            "implementing_unit_code": row.line.implementing_unit.code if row.line.implementing_unit_id else None,
        }
        for row in rows
    ]  # fmt: skip
    out["line_total"] = services.line_total(lines)
    out["diff"] = None
    if diff is not None:
        out["diff"] = {
            "added": [{"number": x.number, "name": x.name, "amount": x.amount} for x in diff.added],
            "removed": [{"number": x.number, "name": x.name, "amount": x.amount} for x in diff.removed],
            "changed": [{"number": c.after.number, "name": c.after.name, "fields": list(c.fields),
                         "amount_before": c.before.amount, "amount_after": c.after.amount} for c in diff.changed],
            "total_before": diff.total_before,
            "total_after": diff.total_after,
        }  # fmt: skip
    return out


def _plan(request, pk: int, needs: tuple[type, str] | None = None) -> AnnualPlan:
    """A plan the user can see; ``needs`` (model, action): a 403 first for a role that never may."""
    if needs is not None and not can(request.auth, needs[1], needs[0]):
        raise HttpError(403, "You are not allowed to do this.")
    return restrict(plans(), request.auth, Action.VIEW).get(pk=pk)


def _version(plan: AnnualPlan, sequence: int) -> PlanVersion:
    return plan.versions.select_related("plan", "legal_document").get(sequence=sequence)


@router.get("/plans", response=PlanPage, summary="Annual plans you may see")
def list_plans(request, query: Query[PlanQuery]):
    """National plans for every planning reader; local plans in the provinces you reach."""
    return list_page(request, query, spec_class=PlanFilters, selector=plan_list, model=AnnualPlan, order_field="id")


@router.get("/plans/{int:pk}", response=PlanDetail, summary="One plan with its versions")
def get_plan(request, pk: int):
    return _plan(request, pk)


@router.get("/plans/{int:pk}/versions/{int:sequence}", response=VersionOut,
            summary="One version of a plan: its lines (as a tree) and its diff against the version before")  # fmt: skip
def get_plan_version(request, pk: int, sequence: int):
    return _version_out(_version(_plan(request, pk), sequence))


class PlanIn(Schema):
    level: Level
    year: Year
    name: Annotated[str, Field(min_length=1, max_length=300)]
    province_code: str | None = Field(None, max_length=3, description="For a local plan: the province's code.")
    owner_code: str | None = Field(None, max_length=40, description="Default: the Agency, or the province's DOIT.")
    programme_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    declared_total: Amount
    reason: Text = ""


class PlanPatch(Schema):
    name: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    owner_code: str | None = Field(None, max_length=40)
    programme_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None


def _province(code: str | None) -> Province | None:
    if not code:
        return None
    found = Province.objects.current().filter(code=str(code).strip().zfill(2)).first()
    if found is None:
        raise Invalid({"province_code": f"No province in force has the code {code}."})
    return found


def _owner(request, code: str | None, default: str) -> OrgUnit:
    """The unit named (one the user can see), or the usual managing unit of the plan's place."""
    units = restrict(OrgUnit.objects.active(), request.auth, Action.VIEW) if code else OrgUnit.objects.active()
    found = units.filter(code=code or default).first()
    if found is None:
        raise Invalid({"owner_code": "No org unit you can see has this code."})
    return found


def _programme(request, pk: int | None) -> Programme | None:
    if pk is None:
        return None
    found = restrict(Programme.objects.all(), request.auth, Action.VIEW).filter(pk=pk).first()
    if found is None:
        raise Invalid({"programme_id": "No programme you can see has this id."})
    return found


@router.post("/plans", response={201: PlanOut}, summary="Create an annual plan (with its original draft version)")
@idempotent
def create_plan(request, payload: PlanIn):
    if not can(request.auth, Action.ADD, AnnualPlan):
        raise HttpError(403, "You are not allowed to add plans.")
    province = _province(payload.province_code)
    default_owner = f"SCT-{province.code}" if province else "CUC-DMST"
    try:
        plan = actions.create_plan(
            user=request.auth, level=payload.level.value, year=payload.year, name=payload.name, province=province,
            owner=_owner(request, payload.owner_code, default_owner),
            programme=_programme(request, payload.programme_id),
            declared_total=payload.declared_total, reason=payload.reason,
        )  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, plans().get(pk=plan.pk))


@router.patch("/plans/{int:pk}", response=PlanOut, summary="Rename a plan, change its managing unit or programme")
def update_plan(request, pk: int, payload: PlanPatch):
    plan = _plan(request, pk, (AnnualPlan, Action.CHANGE))
    sent = payload.dict(exclude_unset=True)
    values: dict = {}
    if "name" in sent:
        values["name"] = sent["name"]
    if "owner_code" in sent:
        values["owner"] = _owner(request, sent["owner_code"], plan.owner.code)
    if "programme_id" in sent:
        values["programme"] = _programme(request, sent["programme_id"])
    try:
        actions.update_plan(user=request.auth, plan=plan, values=values)
    except Invalid as exc:
        raise _renamed(exc) from None
    return plans().get(pk=plan.pk)


@router.delete("/plans/{int:pk}", response={204: None}, summary="Delete a plan none of whose versions was approved")
def delete_plan(request, pk: int):
    actions.delete_plan(user=request.auth, plan=_plan(request, pk, (AnnualPlan, Action.DELETE)))
    return Status(204, None)


class ChangeIn(Schema):
    kind: PlanVersion.Kind = Field(description="adjusted or supplementary")
    reason: Text = ""
    declared_total: Amount | None = Field(None, description="The new total; default: the current one.")


@router.post("/plans/{int:pk}/versions", response={201: VersionOut},
             summary="Start an adjustment or a supplement: a draft copying the approved lines")  # fmt: skip
@idempotent
def start_change(request, pk: int, payload: ChangeIn):
    plan = _plan(request, pk, (AnnualPlan, Action.CHANGE))
    draft = actions.start_change(user=request.auth, plan=plan, kind=payload.kind.value, reason=payload.reason,
                                 declared_total=payload.declared_total)  # fmt: skip
    return Status(201, _version_out(_version(draft.plan, draft.sequence)))


class DraftPatch(Schema):
    declared_total: Amount | None = None
    reason: Text | None = None


@router.patch("/plans/{int:pk}/versions/{int:sequence}", response=VersionOut,
              summary="Set a draft's declared total or reason")  # fmt: skip
def update_draft(request, pk: int, sequence: int, payload: DraftPatch):
    version = _version(_plan(request, pk, (AnnualPlan, Action.CHANGE)), sequence)
    actions.update_draft(user=request.auth, version=version, declared_total=payload.declared_total,
                         reason=payload.reason)  # fmt: skip
    return _version_out(_version(version.plan, sequence))


class LineIn(Schema):
    number: Annotated[str, Field(max_length=20)] = ""
    parent_number: Annotated[str | None, Field(max_length=20, description="The number of an earlier line.")] = None
    name: Annotated[str, Field(min_length=1, max_length=500)]
    content_code: Annotated[str | None, Field(max_length=20)] = None
    funding_source: FundingSource = FundingSource.CENTRAL
    amount: SignedAmount = 0
    target_quantity: Annotated[float | None, Field(ge=0, le=10**11)] = None
    target_unit: Annotated[str, Field(max_length=60)] = ""
    disruption: Disruption = Disruption.NONE
    disruption_event: Annotated[str, Field(max_length=200)] = ""
    disruption_note: Text = ""
    province_code: str | None = Field(None, max_length=3)


class LinesIn(Schema):
    lines: Annotated[list[LineIn], Field(max_length=2000)]


@router.put("/plans/{int:pk}/versions/{int:sequence}/lines", response=VersionOut,
            summary="Replace every line of a draft (parents before their rows)")  # fmt: skip
def replace_lines(request, pk: int, sequence: int, payload: LinesIn):
    from decimal import Decimal

    version = _version(_plan(request, pk, (AnnualPlan, Action.CHANGE)), sequence)
    contents = {c.code: c for c in actions.contents_for_year(version.plan.year)}
    numbers: dict[str, int] = {}
    items: list[actions.LineInput] = []
    errors: dict[str, str] = {}
    for index, line in enumerate(payload.lines):
        values = {
            "number": line.number, "name": line.name, "funding_source": line.funding_source.value,
            "amount": line.amount, "target_unit": line.target_unit, "disruption": line.disruption.value,
            "disruption_event": line.disruption_event, "disruption_note": line.disruption_note,
            "target_quantity": Decimal(str(line.target_quantity)) if line.target_quantity is not None else None,
        }  # fmt: skip
        if line.content_code:
            values["content"] = contents.get(line.content_code.strip())
            if values["content"] is None:
                errors[f"lines.{index}.content_code"] = "No activity content in force that year has this code."
        if line.province_code:
            values["province"] = Province.objects.filter(code=line.province_code.strip().zfill(2)).first()
            if values["province"] is None:
                errors[f"lines.{index}.province_code"] = "No province has this code."
        parent = None
        if line.parent_number:
            parent = numbers.get(line.parent_number.strip())
            if parent is None:
                errors[f"lines.{index}.parent_number"] = "No earlier line has this number."
        if line.number:
            numbers.setdefault(line.number.strip(), index)
        items.append(actions.LineInput(values, parent=parent))
    if errors:
        raise Invalid(errors)
    try:
        actions.replace_plan_lines(user=request.auth, version=version, lines=items)
    except Invalid as exc:
        raise _renamed(exc) from None
    return _version_out(_version(version.plan, sequence))


class ApproveIn(Schema):
    decision_number: Annotated[str, Field(max_length=60)]
    decision_date: dt.date | None
    signer: Annotated[str, Field(max_length=200)] = ""
    legal_document_number: Annotated[str | None, Field(max_length=80)] = None
    comment: Text = ""
    version: int | None = Field(None, description="The version you saw; a newer one is a 409 state_changed.")


@router.post("/plans/{int:pk}/versions/{int:sequence}/approve", response=VersionOut,
             summary="Approve a draft with its decision")  # fmt: skip
def approve_version(request, pk: int, sequence: int, payload: ApproveIn):
    version = _version(_plan(request, pk, (PlanVersion, "approve")), sequence)
    document = None
    if payload.legal_document_number:
        document = LegalDocument.objects.filter(number=payload.legal_document_number.strip()).first()
        if document is None:
            raise Invalid({"legal_document_number": "No legal document has this number."})
    actions.approve_version(
        user=request.auth, version=version, decision_number=payload.decision_number,
        decision_date=payload.decision_date, signer=payload.signer, legal_document=document,
        comment=payload.comment, seen=payload.version,
    )  # fmt: skip
    return _version_out(_version(version.plan, sequence))


class PlanCloseIn(Schema):
    comment: Text = ""
    version: int | None = None


@router.post("/plans/{int:pk}/close", response=PlanOut, summary="Close a plan: no more adjustments")
def close_plan(request, pk: int, payload: PlanCloseIn):
    plan = _plan(request, pk, (AnnualPlan, "close"))
    plan = actions.close_plan(user=request.auth, plan=plan, comment=payload.comment, seen=payload.version)
    return plans().get(pk=plan.pk)
