"""/api/v1/acceptances and /api/v1/settlements: scoped like the pages; writes call
``finance.acceptance`` and ``finance.settlement``.

- ``GET /acceptances`` (project, year, passed; keyset by id), ``POST /acceptances`` (one
  beneficiary line's acceptance; the last passing line accepts the project).
- ``GET /settlements`` (the list's filters: state, year, province, level, todo), ``GET
  /settlements/{id}`` (with its steps and the actions you may take now), ``POST /settlements``
  (send the dossier of an accepted project), ``POST /settlements/{id}/actions/{action}`` with
  ``submit`` (again, after a return), ``check``, ``approve``, ``return``.

Refusals share the API's one error shape: 403 forbidden, 404 not_found, 409 with the action's
code (no_acceptance, wrong_state, settlement_exists, state_changed), 422 validation_error or the
code of the rule (over_disbursed, decision_required, comment_required, before_contract…).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.errors import ApiError
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.finance import acceptance, settlement
from khuyencong.finance.models import AcceptanceRecord, Settlement
from khuyencong.finance.settlement_filters import AcceptanceFilters, SettlementFilters
from khuyencong.finance.settlement_selectors import (
    acceptance_list,
    acceptances,
    settlement_history,
    settlement_list,
    settlements,
)
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import BeneficiaryLine, Project

router = Router(tags=["settlements"])

MAX_ID = 2**62
Amount = Annotated[int, Field(ge=0, le=settlement.MAX_AMOUNT, description="Whole đồng.")]
Text = Annotated[str, Field(max_length=4000)]
Number = Annotated[str, Field(max_length=60)]


class AcceptanceOut(Schema):
    id: int
    project_id: int
    project_code: str
    province_code: str | None
    beneficiary_id: int
    establishment_name: str
    accepted_on: dt.date
    passed: bool
    record_number: str
    target_outputs: str
    achieved_outputs: str
    achieved_quantity: Decimal | None
    note: str

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.project.province.code if obj.project.province_id else None

    @staticmethod
    def resolve_establishment_name(obj):
        return obj.beneficiary.establishment.name


class AcceptancePage(Schema):
    items: list[AcceptanceOut]
    next_cursor: str | None


AcceptanceQuery = query_schema(AcceptanceFilters, "AcceptanceQuery")


@router.get("/acceptances", response=AcceptancePage, summary="Acceptance records you may see")
def list_acceptances(request, query: Query[AcceptanceQuery]):
    return list_page(request, query, spec_class=AcceptanceFilters, selector=acceptance_list, model=AcceptanceRecord,
                     order_field="id")  # fmt: skip


class AcceptanceIn(Schema):
    beneficiary_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    passed: bool
    accepted_on: dt.date
    record_number: Number
    achieved_outputs: Text
    achieved_quantity: Annotated[Decimal | None, Field(ge=0, le=Decimal("999999999999"))] = None
    note: Text = ""


@router.post("/acceptances", response={201: AcceptanceOut}, summary="Record one beneficiary line's acceptance")
@idempotent
def create_acceptance(request, payload: AcceptanceIn):
    if not can(request.auth, acceptance.ACCEPT_LINE, AcceptanceRecord):
        raise ApiError(403, "forbidden", "You are not allowed to record acceptances.")
    visible = restrict(Project.objects.all(), request.auth, Action.VIEW)
    line = BeneficiaryLine.objects.filter(pk=payload.beneficiary_id, project__in=visible).first()
    if line is None:
        raise Invalid({"beneficiary_id": "No beneficiary line you can see has this id."})
    record = acceptance.record_acceptance(
        user=request.auth, line=line, passed=payload.passed, achieved=payload.achieved_outputs,
        accepted_on=payload.accepted_on, record_number=payload.record_number,
        achieved_quantity=payload.achieved_quantity, note=payload.note,
    )  # fmt: skip
    return Status(201, acceptances().get(pk=record.pk))


class SettlementTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    user_name: str
    at: dt.datetime
    comment: str
    decision_number: str
    decision_date: dt.date | None


class SettlementOut(Schema):
    id: int
    project_id: int
    project_code: str
    province_code: str | None
    year: int
    level: str
    state: str
    version: int
    submitted_on: dt.date
    proposed_amount: int
    disbursed_amount: int
    settled_amount: int | None
    recover_amount: int
    decision_number: str
    decision_date: dt.date | None
    checked_on: dt.date | None
    by_agency_from_acceptance: bool

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None


class SettlementDetail(SettlementOut):
    transitions: list[SettlementTransitionOut]
    actions: list[str] = Field(description="What you may do now: submit (again), check, approve, return.")

    @staticmethod
    def resolve_transitions(obj):
        return list(settlement_history(obj))

    @staticmethod
    def resolve_actions(obj, context):
        names = {"resubmit": "submit", "approve_local": "approve", "return_check": "return", "return_local": "return"}
        found = []
        for step in settlement.available_steps(obj, context["request"].auth):
            name = names.get(step.action, step.action)
            if name not in found and name != "settle_from_acceptance":
                found.append(name)
        return found


class SettlementPage(Schema):
    items: list[SettlementOut]
    next_cursor: str | None


SettlementQuery = query_schema(SettlementFilters, "SettlementQuery")


@router.get("/settlements", response=SettlementPage, summary="Settlements you may see")
def list_settlements(request, query: Query[SettlementQuery]):
    return list_page(request, query, spec_class=SettlementFilters, selector=settlement_list, model=Settlement,
                     order_field="id")  # fmt: skip


def _settlement(request, pk: int) -> Settlement:
    return restrict(settlements(), request.auth, Action.VIEW).get(pk=pk)


@router.get("/settlements/{int:pk}", response=SettlementDetail, summary="One settlement with its steps")
def get_settlement(request, pk: int):
    return _settlement(request, pk)


class SubmitIn(Schema):
    project_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    submitted_on: dt.date | None = None
    proposed_amount: Amount | None = Field(None, description="Default: everything disbursed.")
    note: Text = ""


@router.post("/settlements", response={201: SettlementDetail}, summary="Send a project's settlement dossier")
@idempotent
def create_settlement(request, payload: SubmitIn):
    if not can(request.auth, settlement.SUBMIT, Settlement):
        raise ApiError(403, "forbidden", "You are not allowed to send settlement dossiers.")
    project = restrict(Project.objects.all(), request.auth, Action.VIEW).filter(pk=payload.project_id).first()
    if project is None:
        raise Invalid({"project_id": "No project you can see has this id."})
    found = settlement.submit_settlement_dossier(
        user=request.auth, project=project, submitted_on=payload.submitted_on,
        proposed_amount=payload.proposed_amount, note=payload.note,
    )  # fmt: skip
    return Status(201, settlements().get(pk=found.pk))


class FromAcceptanceIn(Schema):
    project_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    decision_number: Number
    decision_date: dt.date
    comment: Text = ""


@router.post("/settlements/from-acceptance", response={201: SettlementDetail},
             summary="The Agency settles a late national project from its acceptance records")  # fmt: skip
@idempotent
def create_settlement_from_acceptance(request, payload: FromAcceptanceIn):
    if not can(request.auth, settlement.FROM_ACCEPTANCE, Settlement):
        raise ApiError(403, "forbidden", "You are not allowed to settle projects from their acceptance records.")
    project = restrict(Project.objects.all(), request.auth, Action.VIEW).filter(pk=payload.project_id).first()
    if project is None:
        raise Invalid({"project_id": "No project you can see has this id."})
    found = settlement.settle_from_acceptance(
        user=request.auth, project=project, decision_number=payload.decision_number,
        decision_date=payload.decision_date, comment=payload.comment,
    )  # fmt: skip
    return Status(201, settlements().get(pk=found.pk))


class SettlementStepIn(Schema):
    comment: Text = ""
    settled_amount: Amount | None = Field(None, description="approve: the amount settled.")
    decision_number: Number = ""
    decision_date: dt.date | None = None
    on: dt.date | None = Field(None, description="submit: the day the dossier was sent; check: the day it was checked.")
    proposed_amount: Amount | None = None
    version: int | None = Field(None, description="The version you read.")


ACTIONS = ("submit", "check", "approve", "return")


@router.post("/settlements/{int:pk}/actions/{action}", response=SettlementDetail,
             summary="Take a step: submit (again), check, approve, return")  # fmt: skip
def settlement_action(request, pk: int, action: str, payload: SettlementStepIn):
    found = _settlement(request, pk)
    user = request.auth
    if action not in ACTIONS:
        raise ApiError(404, "unknown_action", "This action does not exist.")
    if action == "submit":
        settlement.submit_settlement_dossier(user=user, project=found.project, submitted_on=payload.on,
                                             proposed_amount=payload.proposed_amount, note=payload.comment,
                                             version=payload.version)  # fmt: skip
    elif action == "check":
        settlement.check_settlement(user=user, settlement=found, comment=payload.comment, checked_on=payload.on,
                                    version=payload.version)  # fmt: skip
    elif action == "approve":
        if payload.settled_amount is None:
            raise Invalid({"settled_amount": "Give the amount settled."})
        settlement.approve_settlement(user=user, settlement=found, settled_amount=payload.settled_amount,
                                      decision_number=payload.decision_number, decision_date=payload.decision_date,
                                      comment=payload.comment, version=payload.version)  # fmt: skip
    else:
        settlement.return_settlement(user=user, settlement=found, comment=payload.comment, version=payload.version)
    return settlements().get(pk=pk)
