"""/api/v1/establishments and /api/v1/craft-villages: scoped like the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from khuyencong.api.errors import ApiError
from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.forms import EstablishmentForm
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine, LegalForm
from khuyencong.registry.selectors import craft_village_list, craft_villages, establishment_list, establishments
from khuyencong.registry.services import queue_duplicates

router = Router(tags=["registry"])
MAX_ID = 2**63 - 1


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


class EstablishmentIn(Schema):
    name: str
    legal_form: LegalForm
    commune_code: str
    tax_code: str | None = None
    registration_number: str = ""
    owner_name: str = ""
    owner_gender: str = ""
    address: str = ""
    craft_village_id: int | None = Field(None, ge=1, le=MAX_ID)
    industry_line_codes: list[str] | None = Field(
        None, description="Codes of the industry-line catalogue; omit to keep the current lines."
    )
    main_products: str = ""
    workers_total: int | None = None
    workers_women: int | None = None
    workers_ethnic_minority: int | None = None
    annual_revenue: int | None = None
    founding_year: int | None = None
    phone: str = ""
    email: str = ""
    latitude: float | None = None
    longitude: float | None = None
    status: Establishment.Status = Establishment.Status.ACTIVE
    women_owned: bool = False
    ethnic_minority_workers: bool = False
    disadvantaged_area: bool = False


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


def _save(request, payload: EstablishmentIn, instance=None):
    data = payload.dict()
    data["commune"] = data.pop("commune_code")
    data["craft_village"] = data.pop("craft_village_id")
    codes = data.pop("industry_line_codes")
    if codes is None:
        data["industry_lines"] = [line.pk for line in instance.industry_lines.all()] if instance else []
    else:
        lines = {line.code: line.pk for line in IndustryLine.objects.filter(code__in=codes, valid_to__isnull=True)}
        unknown = [code for code in codes if code not in lines]
        if unknown:
            raise ApiError(422, "validation_error", "Unknown industry line codes.",
                           [{"field": "industry_line_codes", "message": ", ".join(unknown)}])  # fmt: skip
        data["industry_lines"] = [lines[code] for code in codes]
    form = EstablishmentForm(
        data={k: v for k, v in data.items() if v is not None}, instance=instance, user=request.auth
    )
    if not form.is_valid():
        details = [
            {"field": field if field != "__all__" else None, "message": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        raise ApiError(422, "validation_error", "The establishment is not valid.", details)
    action = Action.CHANGE if instance else Action.ADD
    try:
        with transaction.atomic():
            obj = form.save()
            ensure_in_scope(request.auth, action, obj)
            queue_duplicates(obj)
    except PermissionDenied:
        raise ApiError(403, "out_of_scope", "You cannot save an establishment outside your provinces.") from None
    except (IntegrityError, ValidationError) as exc:
        raise ApiError(409, "conflict", f"The establishment conflicts with an existing record: {exc}") from None
    return _queryset(request.auth, Action.VIEW).get(pk=obj.pk)


@router.post("/establishments", response={201: EstablishmentOut}, summary="Create an establishment")
def create_establishment(request, payload: EstablishmentIn):
    if not can(request.auth, Action.ADD, Establishment):
        raise HttpError(403, "You are not allowed to add establishments.")
    return Status(201, _save(request, payload))


@router.put("/establishments/{int:pk}", response=EstablishmentOut, summary="Update an establishment")
def update_establishment(request, pk: int, payload: EstablishmentIn):
    if not can(request.auth, Action.CHANGE, Establishment):
        raise HttpError(403, "You are not allowed to change establishments.")
    instance = _queryset(request.auth, Action.CHANGE).get(pk=pk)
    return _save(request, payload, instance)


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
