"""Public functions of the organisation domain."""

from __future__ import annotations

import datetime as dt

from khuyencong.kernel.scoping import Scope
from khuyencong.organisation.models import OrgUnit, RoleAssignment


def reach_of(unit: OrgUnit | None) -> Scope:
    """Where someone acting for ``unit`` may act.

    Nationwide for a global assignment and for the Ministry and Agency; the provinces of its
    region for a regional centre; its province for a provincial unit (and any other unit that
    sits in a province); always the unit itself and its sub-units.
    """
    if unit is None or unit.kind in OrgUnit.NATIONAL_KINDS:
        return Scope(everywhere=True)
    province_ids: set[int] = set()
    region = unit.region if unit.region_id else None
    if unit.kind == OrgUnit.Kind.REGIONAL_CENTRE and region is not None:
        province_ids |= set(region.provinces.filter(valid_to__isnull=True).values_list("pk", flat=True))
    elif unit.province_id and unit.kind != OrgUnit.Kind.ESTABLISHMENT:
        province_ids.add(unit.province_id)
    org_unit_ids = set(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return Scope(province_ids=frozenset(province_ids), org_unit_ids=frozenset(org_unit_ids))


def active_assignments(user, on: dt.date | None = None):
    return RoleAssignment.objects.active(on).filter(user=user).select_related("org_unit", "org_unit__region")


def active_grants(user, on: dt.date | None = None) -> list[tuple[str, Scope]]:
    return [(a.role, reach_of(a.org_unit)) for a in active_assignments(user, on)]


def assign_role(*, user, role: str, org_unit: OrgUnit | None, valid_from=None, valid_to=None) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, org_unit=org_unit, defaults={"valid_from": valid_from, "valid_to": valid_to}
    )
    return assignment


def home_context(user) -> dict:
    """What the home page shows about the signed-in user: their roles in force and where."""
    return {"assignments": list(active_assignments(user).select_related("org_unit__province"))}
