"""Read-only territory endpoints: provinces and communes before and after the 2025 reform."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from khuyencong.api.errors import ApiError
from khuyencong.api.pagination import keyset_page
from khuyencong.api.params import IsoDate
from khuyencong.kernel.text import fold
from khuyencong.territory.models import Commune, Province

router = Router(tags=["geo"])


class ProvinceRef(Schema):
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class ProvinceOut(ProvinceRef):
    short_name: str
    unit_type: str
    latitude: float | None
    longitude: float | None


class ProvinceDetail(ProvinceOut):
    is_legacy: bool = Field(
        description="True when the province no longer exists (merged in the 2025 reform); see ``successor``."
    )
    successor: ProvinceRef | None = Field(description="The province that took over a legacy province.")
    predecessors: list[ProvinceRef]


class CommuneOut(Schema):
    code: str
    name: str
    unit_type: str
    province_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_code: str | None

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code

    @staticmethod
    def resolve_successor_code(obj):
        return obj.successor.code if obj.successor_id else None


class CommunePage(Schema):
    items: list[CommuneOut]
    next_cursor: str | None


def _units_at(queryset, at: dt.date | None):
    return queryset.in_force(at) if at else queryset.current()


@router.get("/provinces", response=list[ProvinceOut], summary="Provinces in force on a date (today by default)")
def list_provinces(request, at: IsoDate | None = None):
    return list(_units_at(Province.objects.all(), at).order_by("code"))


@router.get(
    "/provinces/{code}",
    response=ProvinceDetail,
    summary="One province with its successor or predecessors",
    description=(
        "Without ``at``, a code in force today answers the current province; a code that exists only before "
        "the reform answers the legacy province, marked ``is_legacy`` with its ``successor``."
    ),
)
def get_province(request, code: str, at: IsoDate | None = None):
    provinces = Province.objects.filter(code=code).select_related("successor")
    if at:
        province = provinces.in_force(at).first()
    else:
        province = provinces.current().first() or provinces.order_by("-valid_to").first()
    if province is None:
        raise ApiError(404, "not_found", f"No province with code {code!r}" + (f" on {at:%d/%m/%Y}." if at else "."))
    return {
        **{f: getattr(province, f) for f in ProvinceOut.model_fields},
        "is_legacy": province.is_legacy,
        "successor": province.successor,
        "predecessors": list(province.predecessors.order_by("code")),
    }


class CommuneFilters(Schema):
    province: str | None = None
    q: str | None = None
    at: IsoDate | None = None
    cursor: str | None = None
    limit: int = 100


@router.get("/communes", response=CommunePage, summary="Communes in force on a date, by province or name")
def list_communes(request, filters: Query[CommuneFilters]):
    communes = _units_at(Commune.objects.select_related("province", "successor"), filters.at)
    if filters.province:
        communes = communes.filter(province__code=filters.province)
    if filters.q:
        communes = communes.filter(folded_name__contains=fold(filters.q))
    items, next_cursor = keyset_page(communes, order_field="code", cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}
