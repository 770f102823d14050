"""/api/v1/allocations and /api/v1/ledger-entries: scoped like the pages; writes call
``finance.actions``.

Amounts are JSON integers of đồng: a string such as "2.080.000.000" answers 422 with a message
saying so. ``POST /ledger-entries`` takes an ``Idempotency-Key`` header: the first request answers
201, a replay of the same request 200 with the same entry, the same key with other content 409
``idempotency_conflict``. Refusals share the API's one error shape ({code, message, details}) with
the action's code (over_contract, over_allocation, over_plan…) and the field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from khuyencong.api.errors import ApiError
from khuyencong.api.lists import list_page, query_schema
from khuyencong.finance import actions, selectors
from khuyencong.finance.filters import AllocationFilters, LedgerFilters
from khuyencong.finance.models import Allocation, EntryKind, LedgerEntry
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, FundingSource, PlanLine
from khuyencong.projects.models import BeneficiaryLine, Project

router = Router(tags=["finance"])

MAX_ID = 2**62
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
AMOUNT_MESSAGE = "Give the amount as a JSON integer of đồng (e.g. 2080000000), not as text."


def _whole_amount(value: Any) -> Any:
    """Only a JSON integer is an amount: "2.080.000.000" or 2.5 are refused, with a clear message."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(AMOUNT_MESSAGE)
    return value


# --- allocations --------------------------------------------------------------------------------


class AllocationOut(Schema):
    id: int
    year: int
    level: str
    plan_id: int
    plan_line_id: int | None
    unit_id: int
    unit_code: str
    unit_name: str
    province_code: str | None
    funding_source: str
    amount: int = Field(description="Whole đồng; negative: a reduction.")
    decision_number: str
    decision_date: dt.date
    reason: str
    corrects_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None


class AllocationPage(Schema):
    items: list[AllocationOut]
    next_cursor: str | None


AllocationQuery = query_schema(AllocationFilters, "AllocationQuery")


@router.get("/allocations", response=AllocationPage, summary="Budget allocations you may see")
def list_allocations(request, query: Query[AllocationQuery]):
    """Filters as on the page (year, level, province, unit code, funding_source); keyset paging."""
    return list_page(request, query, spec_class=AllocationFilters, selector=selectors.allocation_list,
                     model=Allocation, order_field="id")  # fmt: skip


@router.get("/allocations/{int:pk}", response=AllocationOut, summary="One budget allocation")
def get_allocation(request, pk: int):
    return restrict(selectors.allocations(), request.auth, Action.VIEW).get(pk=pk)


class AllocationIn(Schema):
    plan_id: Id
    unit_id: Id
    amount: int = Field(description="Whole đồng as a JSON integer; negative: a reduction (give a reason).")
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    decision_date: dt.date
    funding_source: FundingSource | None = None
    plan_line_id: Id | None = None
    reason: Annotated[str, Field(max_length=2000)] = ""
    corrects_id: Id | None = None

    _amount = field_validator("amount", mode="before")(_whole_amount)


@router.post("/allocations", response={200: AllocationOut, 201: AllocationOut}, summary="Allocate a budget")
def create_allocation(request, payload: AllocationIn):
    user = request.auth
    if not (can(user, actions.ALLOCATE, Allocation) or can(user, actions.ALLOCATE_LOCAL, Allocation)):
        raise ApiError(403, "forbidden", "You are not allowed to allocate budgets.")
    plan = AnnualPlan.objects.filter(pk=payload.plan_id).first()
    if plan is None:
        raise Invalid({"plan_id": "No annual plan has this id."})
    unit = OrgUnit.objects.filter(pk=payload.unit_id, is_active=True).select_related("province").first()
    if unit is None:
        raise Invalid({"unit_id": "No active org unit has this id."})
    line = None
    if payload.plan_line_id is not None:
        line = PlanLine.objects.filter(pk=payload.plan_line_id).select_related("plan_version").first()
        if line is None:
            raise Invalid({"plan_line_id": "No plan line has this id."})
    corrects = None
    if payload.corrects_id is not None:
        corrects = restrict(Allocation.objects.all(), user, Action.VIEW).filter(pk=payload.corrects_id).first()
        if corrects is None:
            raise Invalid({"corrects_id": "No allocation you can see has this id."})
    source = payload.funding_source.value if payload.funding_source else ""
    allocation = actions.allocate(
        user=user, plan=plan, unit=unit, amount=payload.amount, decision_number=payload.decision_number,
        decision_date=payload.decision_date, funding_source=source,
        plan_line=line, reason=payload.reason, corrects=corrects, idempotency_key=_idempotency_key(request),
    )  # fmt: skip
    status = 200 if getattr(allocation, "replayed", False) else 201
    return Status(status, selectors.allocations().get(pk=allocation.pk))


# --- the ledger ---------------------------------------------------------------------------------


class LedgerEntryOut(Schema):
    id: int
    project_id: int
    project_code: str
    contract_id: int | None
    beneficiary_id: int | None
    kind: str
    status: str
    amount: int = Field(description="Whole đồng.")
    entry_date: dt.date
    document_number: str
    note: str
    recovers_id: int | None
    year: int
    level: str
    province_code: str | None
    unit_id: int
    funding_source: str
    version: int = Field(description="Send it back with a decision (optimistic lock).")
    requested_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None


class LedgerTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    user_name: str
    at: dt.datetime
    comment: str


class LedgerEntryDetail(LedgerEntryOut):
    available_actions: list[str] = Field(description="What you may do now: approve, reject.")
    transitions: list[LedgerTransitionOut]

    @staticmethod
    def resolve_available_actions(obj, context):
        names = {step.action for step in actions.available_steps(obj, context["request"].auth)}
        found = []
        if names & {"approve_payment", "approve_payment_local"}:
            found.append("approve")
        if names & {"reject_payment", "reject_payment_local"}:
            found.append("reject")
        return found

    @staticmethod
    def resolve_transitions(obj):
        return list(obj.transitions.select_related("user").order_by("at", "pk"))


class LedgerPage(Schema):
    items: list[LedgerEntryOut]
    next_cursor: str | None


LedgerQuery = query_schema(LedgerFilters, "LedgerQuery")


@router.get("/ledger-entries", response=LedgerPage, summary="Ledger entries you may see")
def list_ledger_entries(request, query: Query[LedgerQuery]):
    """Filters as on the page (year, province, unit, kind, status, project code, date_from, date_to)."""
    return list_page(request, query, spec_class=LedgerFilters, selector=selectors.ledger_list, model=LedgerEntry,
                     order_field="id")  # fmt: skip


def _entry(request, pk: int) -> LedgerEntry:
    return restrict(selectors.ledger_entries(), request.auth, Action.VIEW).get(pk=pk)


@router.get("/ledger-entries/{int:pk}", response=LedgerEntryDetail, summary="One ledger entry with its history")
def get_ledger_entry(request, pk: int):
    return _entry(request, pk)


class LedgerEntryIn(Schema):
    project_id: Id
    kind: Literal["advance", "payment"] = Field(description="advance or payment (awaiting approval).")
    amount: int = Field(description="Whole đồng as a JSON integer, more than zero.")
    entry_date: dt.date
    beneficiary_id: Id | None = None
    document_number: Annotated[str, Field(max_length=60)] = ""
    note: Annotated[str, Field(max_length=2000)] = ""

    _amount = field_validator("amount", mode="before")(_whole_amount)


def _idempotency_key(request) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise ApiError(422, "validation_error", "The Idempotency-Key header is too long (at most 100 characters).",
                       [{"field": "Idempotency-Key", "message": "At most 100 characters."}])  # fmt: skip
    return key or None


@router.post("/ledger-entries", response={200: LedgerEntryDetail, 201: LedgerEntryDetail},
             summary="Request an advance or a payment (send an Idempotency-Key header)")  # fmt: skip
def create_ledger_entry(request, payload: LedgerEntryIn):
    user = request.auth
    if not can(user, actions.REQUEST_PAYMENT, LedgerEntry):
        raise ApiError(403, "forbidden", "You are not allowed to request payments.")
    project = restrict(Project.objects.all(), user, Action.VIEW).filter(pk=payload.project_id).first()
    if project is None:
        raise Invalid({"project_id": "No project you can see has this id."})
    beneficiary = None
    if payload.beneficiary_id is not None:
        beneficiary = BeneficiaryLine.objects.filter(pk=payload.beneficiary_id, project=project).first()
        if beneficiary is None:
            raise Invalid({"beneficiary_id": "No beneficiary line of this project has this id."})
    entry = actions.request_payment(
        user=user, project=project, kind=EntryKind(payload.kind), amount=payload.amount,
        entry_date=payload.entry_date, beneficiary=beneficiary, document_number=payload.document_number,
        note=payload.note, idempotency_key=_idempotency_key(request),
    )  # fmt: skip
    status = 200 if getattr(entry, "replayed", False) else 201
    return Status(status, selectors.ledger_entries().get(pk=entry.pk))


class DecisionIn(Schema):
    comment: Annotated[str, Field(max_length=2000)] = ""
    version: int | None = Field(None, description="The version you read; a changed entry answers 409.")


@router.post("/ledger-entries/{int:pk}/actions/{action}", response=LedgerEntryDetail,
             summary="Approve or reject a requested advance or payment (reject needs a comment)")  # fmt: skip
def decide_ledger_entry(request, pk: int, action: str, payload: DecisionIn | None = None):
    if action not in ("approve", "reject"):
        raise ApiError(404, "not_found", "The action is approve or reject.")
    if not can(request.auth, Action.VIEW, LedgerEntry):
        raise ApiError(403, "forbidden", "You are not allowed to decide payments.")
    entry = _entry(request, pk)
    payload = payload or DecisionIn()
    if action == "approve":
        actions.approve_payment(user=request.auth, entry=entry, comment=payload.comment, version=payload.version)
    else:
        if not payload.comment.strip():
            raise Invalid({"comment": "Give the reason for the rejection."})
        actions.reject_payment(user=request.auth, entry=entry, comment=payload.comment, version=payload.version)
    return selectors.ledger_entries().get(pk=pk)
