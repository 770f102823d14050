"""/api/v1/establishments and /api/v1/craft-villages: scoped like the pages."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import create_model

from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.api.pagination import keyset_page
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.registry import actions
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, Establishment, IndustryLine, LegalForm
from khuyencong.registry.selectors import (
    UPDATE_OWN,
    VIEW_OWN,
    craft_village_list,
    craft_villages,
    establishment_list,
    establishments,
    own_establishments,
)
from khuyencong.registry.validation import MAX_ID
from khuyencong.territory.models import Commune

router = Router(tags=["registry"])


class EstablishmentOut(Schema):
    id: int
    name: str
    legal_form: str
    tax_code: str | None
    registration_number: str
    external_id: str | None
    owner_name: str
    owner_gender: str
    address: str
    commune_code: str
    commune_name: str
    province_code: str
    legacy_commune_code: str | None
    craft_village_id: int | None
    industry_line_codes: list[str]
    main_products: str
    workers_total: int | None
    workers_women: int | None
    workers_ethnic_minority: int | None
    annual_revenue: int | None
    founding_year: int | None
    phone: str
    email: str
    latitude: float | None
    longitude: float | None
    status: str
    women_owned: bool
    ethnic_minority_workers: bool
    disadvantaged_area: bool

    @staticmethod
    def resolve_commune_code(obj):
        return obj.commune.code

    @staticmethod
    def resolve_commune_name(obj):
        return obj.commune.name

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code

    @staticmethod
    def resolve_legacy_commune_code(obj):
        return obj.legacy_commune.code if obj.legacy_commune_id else None

    @staticmethod
    def resolve_industry_line_codes(obj):
        return [line.code for line in obj.industry_lines.all()]


# name -> (type, default when creating; ... = required). PUT requires every field (a full
# replace: nothing is cleared because it was left out); PATCH changes only the fields sent.
_INPUT_FIELDS: dict[str, tuple[Any, Any]] = {
    "name": (str, ...),
    "legal_form": (LegalForm, ...),
    "commune_code": (str, ...),
    "tax_code": (str | None, None),
    "registration_number": (str, ""),
    "owner_name": (str, ""),
    "owner_gender": (str, ""),
    "address": (str, ""),
    "craft_village_id": (Annotated[int | None, Field(ge=1, le=MAX_ID)], None),
    "industry_line_codes": (
        Annotated[list[str], Field(description="Codes of the industry-line catalogue in force.")],
        [],
    ),
    "main_products": (str, ""),
    "workers_total": (int | None, None),
    "workers_women": (int | None, None),
    "workers_ethnic_minority": (int | None, None),
    "annual_revenue": (int | None, None),
    "founding_year": (int | None, None),
    "phone": (str, ""),
    "email": (str, ""),
    "latitude": (float | None, None),
    "longitude": (float | None, None),
    "status": (Establishment.Status, Establishment.Status.ACTIVE),
    "women_owned": (bool, False),
    "ethnic_minority_workers": (bool, False),
    "disadvantaged_area": (bool, False),
}

EstablishmentIn = create_model(
    "EstablishmentIn",
    __base__=Schema,
    __doc__="A new establishment: name, legal form and commune are required; the rest default to empty.",
    **{name: (kind, default) for name, (kind, default) in _INPUT_FIELDS.items()},
)
EstablishmentReplace = create_model(
    "EstablishmentReplace",
    __base__=Schema,
    __doc__='A full replacement: every field is required (send null or "" to clear one).',
    **{name: (kind, ...) for name, (kind, _default) in _INPUT_FIELDS.items()},
)
EstablishmentPatch = create_model(
    "EstablishmentPatch",
    __base__=Schema,
    __doc__="Only the fields sent are changed; industry_line_codes, when sent, replaces the lines.",
    **{name: (kind, None) for name, (kind, _default) in _INPUT_FIELDS.items()},
)


class EstablishmentPage(Schema):
    items: list[EstablishmentOut]
    next_cursor: str | None


EstablishmentQuery = query_schema(EstablishmentFilters, "EstablishmentQuery")


def _queryset(user, action):
    return restrict(_with_details(establishments()), user, action)


def _with_details(rows):
    return rows.select_related("legacy_commune").prefetch_related("industry_lines")


@router.get("/establishments", response=EstablishmentPage, summary="Establishments you may see")
def list_establishments(request, query: Query[EstablishmentQuery]):
    """The filters of the establishments page, with the same names and values (province by code).
    Past the first page of 100 rows this is an export: it needs the export permission and is logged."""
    return list_page(request, query, spec_class=EstablishmentFilters, selector=establishment_list,
                     model=Establishment, order_field="id", prepare=_with_details)  # fmt: skip


@router.get("/establishments/{int:pk}", response=EstablishmentOut, summary="One establishment")
def get_establishment(request, pk: int):
    return _queryset(request.auth, Action.VIEW).get(pk=pk)


# Model field -> API field, to name the API's own fields in error details.
_API_NAMES = {"commune": "commune_code", "craft_village": "craft_village_id", "industry_lines": "industry_line_codes"}


def _values(user, sent: dict) -> tuple[dict, list[int] | None]:
    """The payload as model values for registry.actions; unknown references are 422s."""
    values, errors, line_ids = {}, {}, None
    for name, value in sent.items():
        if name == "commune_code":
            commune = Commune.objects.current().filter(code=str(value).strip().zfill(5)).first()
            if commune is None:
                errors["commune"] = _("No commune in force has the code %(code)s.") % {"code": value}
            values["commune"] = commune
        elif name == "craft_village_id":
            village = None
            if value is not None:
                village = restrict(CraftVillage.objects.all(), user, Action.VIEW).filter(pk=value).first()
                if village is None:
                    errors["craft_village"] = _("No craft village you can see has this id.")
            values["craft_village"] = village
        elif name == "industry_line_codes":
            codes = list(dict.fromkeys(value or []))
            lines = dict(IndustryLine.objects.filter(code__in=codes, valid_to__isnull=True).values_list("code", "pk"))
            unknown = [code for code in codes if code not in lines]
            if unknown:
                errors["industry_lines"] = _("Unknown industry line codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            line_ids = [lines[code] for code in codes if code in lines]
        else:
            values[name] = value.value if isinstance(value, Enum) else value
    if errors:
        raise Invalid(errors)
    return values, line_ids


def _save(request, sent: dict, instance=None):
    # The answer is read back inside the write's transaction: if the database goes away between
    # the two, nothing is stored and the client's retry is safe (it used to get a 500 for a record
    # that had been stored, and a retry made a second one).
    try:
        with transaction.atomic():
            values, line_ids = _values(request.auth, sent)
            obj = actions.save_establishment(
                user=request.auth, values=values, industry_line_ids=line_ids, instance=instance
            )
            return _queryset(request.auth, Action.VIEW).get(pk=obj.pk)
    except Invalid as exc:
        raise Invalid({_API_NAMES.get(field, field): message for field, message in exc.errors.items()}) from None


def _changeable(request, pk: int):
    if not can(request.auth, Action.CHANGE, Establishment):
        raise HttpError(403, "You are not allowed to change establishments.")
    return _queryset(request.auth, Action.CHANGE).get(pk=pk)


@router.post("/establishments", response={201: EstablishmentOut}, summary="Create an establishment")
@idempotent
def create_establishment(request, payload: EstablishmentIn):
    if not can(request.auth, Action.ADD, Establishment):
        raise HttpError(403, "You are not allowed to add establishments.")
    return Status(201, _save(request, payload.dict()))


@router.put(
    "/establishments/{int:pk}",
    response=EstablishmentOut,
    summary="Replace an establishment",
    description="Every field is required: a field left out is a 422 and nothing is written. "
    "Use PATCH to change some fields only.",
)
def replace_establishment(request, pk: int, payload: EstablishmentReplace):
    return _save(request, payload.dict(), _changeable(request, pk))


@router.patch(
    "/establishments/{int:pk}",
    response=EstablishmentOut,
    summary="Change some fields of an establishment",
    description="Only the fields in the body change; the others keep their value.",
)
def update_establishment(request, pk: int, payload: EstablishmentPatch):
    return _save(request, payload.dict(exclude_unset=True), _changeable(request, pk))


OwnEstablishmentPatch = create_model(
    "OwnEstablishmentPatch",
    __base__=Schema,
    __doc__="What an establishment keeps up to date itself; only the fields sent are changed.",
    **{name: (_INPUT_FIELDS[name][0], None) for name in sorted(actions.OWN_RECORD_FIELDS)},
)


@router.get(
    "/my-establishments",
    response=list[EstablishmentOut],
    summary="Your own establishment",
    description="For an establishment's own account: the records linked to the org unit it acts for.",
)
def list_own_establishments(request):
    if not can(request.auth, VIEW_OWN, Establishment):
        raise HttpError(403, "You are not allowed to see an own establishment record.")
    return list(_with_details(own_establishments(request.auth)))


@router.patch(
    "/my-establishments/{int:pk}",
    response=EstablishmentOut,
    summary="Update your own establishment",
    description="Contacts, products and workers only; any other record is a 404.",
)
def update_own_establishment(request, pk: int, payload: OwnEstablishmentPatch):
    if not can(request.auth, UPDATE_OWN, Establishment):
        raise HttpError(403, "You are not allowed to update an own establishment record.")
    record = own_establishments(request.auth, UPDATE_OWN).get(pk=pk)
    values = {name: ("" if value is None and name in {"phone", "email", "main_products"} else value)
              for name, value in payload.dict(exclude_unset=True).items()}  # fmt: skip
    actions.update_own_establishment(user=request.auth, establishment=record, values=values)
    return _with_details(own_establishments(request.auth)).get(pk=pk)


class DuplicateOut(Schema):
    id: int
    first_id: int
    second_id: int
    reason: str
    score: float
    status: str
    version: int


class DuplicateDecided(DuplicateOut):
    actions: list[str] = Field(description="What you may still do with this pair.")

    @staticmethod
    def resolve_actions(obj, context):
        return [step.action for step in actions.DUPLICATE_REVIEW.available(obj, context["request"].auth)]


class DuplicatePage(Schema):
    items: list[DuplicateOut]
    next_cursor: str | None


class DuplicateActionIn(Schema):
    comment: str = ""
    keep: Literal["first", "second"] | None = Field(None, description="For merge: which record stays.")
    version: int | None = Field(None, description="The version you saw; a newer one is a 409 state_changed.")


@router.get("/duplicates", response=DuplicatePage, summary="Possible duplicates waiting for review")
def list_duplicates(request, cursor: str | None = None, limit: int = 100):
    rows = actions.pairs_in_reach(request.auth).filter(status=DuplicateCandidate.Status.OPEN)
    items, next_cursor = keyset_page(rows, order_field="id", cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/duplicates/{int:pk}/actions/{action}",
    response=DuplicateDecided,
    summary="Decide a possible duplicate",
    description="action is merge (send keep: first or second) or dismiss. Refusals answer "
    "{code, message, details: {field}}: 403 forbidden, 404 not_found, 409 wrong_state or "
    "state_changed, 422 invalid_choice.",
)
def decide_duplicate(request, pk: int, action: str, payload: DuplicateActionIn):
    candidate = actions.pairs_in_reach(request.auth).get(pk=pk)
    if action == "dismiss":
        actions.dismiss_duplicate(
            candidate=candidate, user=request.auth, comment=payload.comment, version=payload.version
        )
    elif action == "merge":
        actions.merge_duplicate(
            candidate=candidate, keep=payload.keep, user=request.auth, comment=payload.comment, version=payload.version
        )
    else:
        raise ActionRefused("unknown_action", _("This action does not exist."), status=404)
    return DuplicateCandidate.objects.get(pk=pk)


class CraftVillageOut(Schema):
    id: int
    name: str
    commune_code: str
    province_code: str
    recognised: bool
    decision_number: str
    decision_date: str | None
    crafts: str

    @staticmethod
    def resolve_commune_code(obj):
        return obj.commune.code

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code

    @staticmethod
    def resolve_decision_date(obj):
        return obj.decision_date.isoformat() if obj.decision_date else None


class CraftVillagePage(Schema):
    items: list[CraftVillageOut]
    next_cursor: str | None


CraftVillageQuery = query_schema(CraftVillageFilters, "CraftVillageQuery")


@router.get("/craft-villages", response=CraftVillagePage, summary="Craft villages you may see")
def list_craft_villages(request, query: Query[CraftVillageQuery]):
    return list_page(request, query, spec_class=CraftVillageFilters, selector=craft_village_list,
                     model=CraftVillage, order_field="id")  # fmt: skip


@router.get("/craft-villages/{int:pk}", response=CraftVillageOut, summary="One craft village")
def get_craft_village(request, pk: int):
    return restrict(craft_villages(), request.auth, Action.VIEW).get(pk=pk)


@router.delete(
    "/craft-villages/{int:pk}",
    response={204: None},
    summary="Delete a craft village",
    description="Refused with 409 in_use while establishments are linked to the village; the message says how many.",
)
def delete_craft_village(request, pk: int):
    if not can(request.auth, Action.DELETE, CraftVillage):
        raise HttpError(403, "You are not allowed to delete craft villages.")
    village = restrict(CraftVillage.objects.all(), request.auth, Action.DELETE).get(pk=pk)
    actions.delete_craft_village(village=village, user=request.auth)
    return Status(204, None)
