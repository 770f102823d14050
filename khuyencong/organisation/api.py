from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.organisation.filters import OrgUnitFilters
from khuyencong.organisation.models import OrgUnit
from khuyencong.organisation.selectors import org_unit_list
from khuyencong.organisation.services import active_assignments

router = Router(tags=["org-units"])
me_router = Router(tags=["me"])


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


OrgUnitQuery = query_schema(OrgUnitFilters, "OrgUnitQuery")


@router.get("", response=OrgUnitPage, summary="Org units you may see")
def list_org_units(request, query: Query[OrgUnitQuery]):
    """The filters of the org-units page (province by code). Past the first page of 100 rows this
    is an export: it needs the export permission and is logged."""
    return list_page(request, query, spec_class=OrgUnitFilters, selector=org_unit_list, model=OrgUnit,
                     order_field="code")  # fmt: skip


@router.get("/{int:unit_id}", response=OrgUnitOut, summary="One org unit")
def get_org_unit(request, unit_id: int):
    return restrict(OrgUnit.objects.select_related("province"), request.auth, Action.VIEW).get(pk=unit_id)


class AssignmentOut(Schema):
    role: str
    role_label: str
    org_unit_id: int | None
    org_unit_name: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_superuser: bool
    roles: list[AssignmentOut]


@me_router.get("/me", response=MeOut, summary="The signed-in user and their active roles")
def me(request):
    user = request.auth
    roles = [
        AssignmentOut(
            role=a.role,
            role_label=str(a.get_role_display()),
            org_unit_id=a.org_unit_id,
            org_unit_name=a.org_unit.name if a.org_unit else None,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
        )
        for a in active_assignments(user)
    ]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        full_name=user.get_full_name(),
        email=user.email,
        is_superuser=user.is_superuser,
        roles=roles,
    )
