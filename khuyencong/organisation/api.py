from __future__ import annotations

from ninja import Query, Router, Schema

from khuyencong.api.pagination import keyset_page
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.kernel.text import fold
from khuyencong.organisation.models import OrgUnit

router = Router(tags=["org-units"])


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_id: int | None
    province_code: str | None
    province_name: str | None
    region_id: int | None
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_province_name(obj):
        return obj.province.name if obj.province_id else None


class OrgUnitPage(Schema):
    items: list[OrgUnitOut]
    next_cursor: str | None


class OrgUnitFilters(Schema):
    q: str | None = None
    kind: OrgUnit.Kind | None = None
    province: str | None = None
    cursor: str | None = None
    limit: int = 100


@router.get("", response=OrgUnitPage, summary="Org units you may see")
def list_org_units(request, filters: Query[OrgUnitFilters]):
    units = restrict(OrgUnit.objects.select_related("province"), request.auth, Action.VIEW)
    if filters.q:
        units = units.filter(folded_name__contains=fold(filters.q))
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.province:
        units = units.filter(province__code=filters.province)
    items, next_cursor = keyset_page(units, order_field="code", cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{int:unit_id}", response=OrgUnitOut, summary="One org unit")
def get_org_unit(request, unit_id: int):
    return restrict(OrgUnit.objects.select_related("province"), request.auth, Action.VIEW).get(pk=unit_id)
