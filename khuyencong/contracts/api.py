"""/api/v1/contracts: scoped like the pages; writes call ``contracts.actions``.

A write takes the version the client read, in the body (``version``) or as ``If-Match`` (the
``version`` of the contract, as returned by every read, quoted or not); a contract changed since
answers 409 ``stale`` (or ``state_changed``) and nothing is written. Refusals share the API's one
error shape: 403 forbidden, 404 not_found, 409 with the action's code (main_exists, project_state,
no_main_contract…), 422 validation_error or the cap's code (over_approved_support,
over_main_contract, over_beneficiary_support) with the field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.errors import ApiError
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.contracts import actions
from khuyencong.contracts.filters import ContractFilters
from khuyencong.contracts.models import Contract, ContractKind
from khuyencong.contracts.selectors import amendments_of, contract_history, contract_list, contracts
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import BeneficiaryLine, Project

router = Router(tags=["contracts"])

MAX_ID = 2**62
Amount = Annotated[int, Field(ge=0, le=actions.MAX_AMOUNT, description="Whole đồng.")]
Number = Annotated[str, Field(min_length=1, max_length=60)]
Text = Annotated[str, Field(max_length=2000)]
_API_NAMES = {"project": "project_id", "beneficiary": "beneficiary_id"}


def _renamed(exc: Invalid) -> Invalid:
    return Invalid({_API_NAMES.get(field, field): message for field, message in exc.errors.items()})


class AmendmentOut(Schema):
    sequence: int
    number: str
    signed_on: dt.date
    value_before: int
    new_value: int | None
    end_date_before: dt.date | None
    new_end_date: dt.date | None
    reason: str


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    user_name: str
    at: dt.datetime
    comment: str
    decision_number: str
    decision_date: dt.date | None


class ContractOut(Schema):
    id: int
    project_id: int
    project_code: str
    province_code: str | None
    kind: str
    beneficiary_id: int | None
    number: str
    party_a_code: str
    party_b_unit_code: str | None
    party_b_establishment_id: int | None
    party_b_name: str
    value: int
    signed_on: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    deadline: dt.date | None
    subject: str
    state: str
    version: int = Field(description="Send it back as If-Match (or version) with a write.")
    liquidation_number: str
    liquidated_on: dt.date | None
    terminated_on: dt.date | None

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.project.province.code if obj.project.province_id else None

    @staticmethod
    def resolve_party_a_code(obj):
        return obj.party_a.code

    @staticmethod
    def resolve_party_b_unit_code(obj):
        return obj.party_b_unit.code if obj.party_b_unit_id else None

    @staticmethod
    def resolve_party_b_name(obj):
        return str(obj.party_b or "")


class ContractDetail(ContractOut):
    amendments: list[AmendmentOut]
    transitions: list[TransitionOut]
    actions: list[str] = Field(description="The steps you may take now: sign, amend, liquidate, terminate.")

    @staticmethod
    def resolve_amendments(obj):
        return list(amendments_of(obj))

    @staticmethod
    def resolve_transitions(obj):
        return list(contract_history(obj))

    @staticmethod
    def resolve_actions(obj, context):
        return [step.action for step in actions.available_steps(obj, context["request"].auth)]


class ContractPage(Schema):
    items: list[ContractOut]
    next_cursor: str | None


ContractQuery = query_schema(ContractFilters, "ContractQuery")


def _contract(request, pk: int) -> Contract:
    return restrict(contracts(), request.auth, Action.VIEW).get(pk=pk)


def _version(request, sent: int | None) -> int | None:
    """The version the client read: ``If-Match`` (``"3"``, ``W/"3"`` or ``3``) or the body's."""
    header = request.headers.get("If-Match")
    if header is None:
        return sent
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 12:
        raise ApiError(422, "validation_error", "If-Match must be the contract's version.",
                       [{"field": "If-Match", "message": "Give the version number the contract had."}])  # fmt: skip
    if sent is not None and sent != int(text):
        raise ApiError(422, "validation_error", "If-Match and version disagree.",
                       [{"field": "version", "message": "Send one version."}])  # fmt: skip
    return int(text)


@router.get("/contracts", response=ContractPage, summary="Contracts you may see")
def list_contracts(request, query: Query[ContractQuery]):
    """Filters as on the page (year, level, province, state, kind, project code, q); keyset paging."""
    return list_page(request, query, spec_class=ContractFilters, selector=contract_list, model=Contract,
                     order_field="id")  # fmt: skip


@router.get("/contracts/{int:pk}", response=ContractDetail, summary="One contract with its amendments and history")
def get_contract(request, pk: int):
    return _contract(request, pk)


class ContractIn(Schema):
    project_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    kind: ContractKind
    beneficiary_id: Annotated[int | None, Field(ge=1, le=MAX_ID, description="For a support contract.")] = None
    number: Number
    value: Amount
    signed_on: dt.date | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    deadline: dt.date | None = None
    subject: Text = ""


@router.post("/contracts", response={201: ContractDetail}, summary="Draft a contract")
@idempotent
def create_contract(request, payload: ContractIn):
    if not can(request.auth, Action.ADD, Contract):
        raise ApiError(403, "forbidden", "You are not allowed to draft contracts.")
    project = restrict(Project.objects.all(), request.auth, Action.VIEW).filter(pk=payload.project_id).first()
    if project is None:
        raise Invalid({"project_id": "No project you can see has this id."})
    beneficiary = None
    if payload.beneficiary_id is not None:
        beneficiary = BeneficiaryLine.objects.filter(pk=payload.beneficiary_id, project=project).first()
        if beneficiary is None:
            raise Invalid({"beneficiary_id": "No beneficiary line of this project has this id."})
    values = payload.dict(include={"number", "value", "signed_on", "start_date", "end_date", "deadline", "subject"})
    try:
        contract = actions.save_contract(user=request.auth, project=project, kind=payload.kind.value,
                                         beneficiary=beneficiary, values=values)  # fmt: skip
    except Invalid as exc:
        raise _renamed(exc) from None
    return Status(201, contracts().get(pk=contract.pk))


class SignIn(Schema):
    signed_on: dt.date | None = Field(None, description="Default: the draft's date, or today.")
    comment: Text = ""
    version: int | None = Field(None, description="The version you read (or send If-Match).")


@router.post("/contracts/{int:pk}/sign", response=ContractDetail,
             summary="Sign a draft (a main contract moves its approved project to contracted)")  # fmt: skip
def sign_contract(request, pk: int, payload: SignIn):
    contract = _contract(request, pk)
    actions.sign_contract(user=request.auth, contract=contract, signed_on=payload.signed_on, comment=payload.comment,
                          version=_version(request, payload.version))  # fmt: skip
    return contracts().get(pk=pk)


class AmendmentIn(Schema):
    number: Number
    signed_on: dt.date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    new_value: Amount | None = None
    new_end_date: dt.date | None = None
    version: int | None = None


@router.post("/contracts/{int:pk}/amendments", response={201: ContractDetail},
             summary="Record an amendment: a new value, a new end date or both")  # fmt: skip
@idempotent
def amend_contract(request, pk: int, payload: AmendmentIn):
    contract = _contract(request, pk)
    actions.amend_contract(
        user=request.auth, contract=contract, number=payload.number, signed_on=payload.signed_on,
        reason=payload.reason, new_value=payload.new_value, new_end_date=payload.new_end_date,
        version=_version(request, payload.version),
    )  # fmt: skip
    return Status(201, contracts().get(pk=pk))


class TerminateIn(Schema):
    comment: Annotated[str, Field(max_length=2000, description="The reason (required).")]
    on: dt.date | None = None
    version: int | None = None


@router.post("/contracts/{int:pk}/terminate", response=ContractDetail, summary="Terminate a contract")
def terminate_contract(request, pk: int, payload: TerminateIn):
    contract = _contract(request, pk)
    actions.terminate_contract(user=request.auth, contract=contract, comment=payload.comment, on=payload.on,
                               version=_version(request, payload.version))  # fmt: skip
    return contracts().get(pk=pk)


class LiquidateIn(Schema):
    liquidation_number: Number
    liquidated_on: dt.date
    comment: Text = ""
    version: int | None = None


@router.post("/contracts/{int:pk}/liquidate", response=ContractDetail,
             summary="Liquidate a contract after the project's acceptance")  # fmt: skip
def liquidate_contract(request, pk: int, payload: LiquidateIn):
    contract = _contract(request, pk)
    actions.liquidate_contract(
        user=request.auth, contract=contract, liquidation_number=payload.liquidation_number,
        liquidated_on=payload.liquidated_on, comment=payload.comment, version=_version(request, payload.version),
    )  # fmt: skip
    return contracts().get(pk=pk)
