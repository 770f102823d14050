"""Public functions of the organisation domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from khuyencong.kernel.scoping import SHARED_ACTIONS, Scope, resource_of
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
from khuyencong.organisation.permissions import ORG_UNIT_ONLY, ORG_UNIT_REACH, allowed_actions
from khuyencong.territory.models import Province


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


def users_holding(
    action: str, resource_model: type[models.Model], obj: models.Model, on: dt.date | None = None
) -> list:
    """The active users whose role assignments in force allow ``action`` on the row ``obj``: who must
    act on it (a reminder's recipients). The same answer as ``kernel.scoping.restrict`` for each of
    them, without asking per user: one query reads the row's places, one the candidate assignments,
    then each distinct (role, unit) is checked against the row as ``reach_of`` would reach it.

    A superuser without a role assignment is not included: reminders go to the people whose job it is.
    """
    resource = resource_of(resource_model)
    roles = [role for role in Role.values if action in allowed_actions(role, resource)]
    if not roles:
        return []
    province_id, unit_path, shared = _row_places(resource_model, obj, action)
    assignments = (
        RoleAssignment.objects.active(on)
        .filter(role__in=roles)
        .select_related("user", "org_unit")
        .order_by("user_id", "pk")
    )
    through_units = ORG_UNIT_REACH.get(resource)
    units_only = ORG_UNIT_ONLY.get(resource, frozenset())
    regions: dict[int, frozenset[int]] = {}
    decided: dict[tuple[str, int | None], bool] = {}
    users: dict[int, Any] = {}
    for assignment in assignments:
        key = (assignment.role, assignment.org_unit_id)
        if key not in decided:
            by_unit = through_units is None or assignment.role in through_units
            by_place = assignment.role not in units_only
            decided[key] = shared or _reaches(
                assignment.org_unit, province_id if by_place else None, unit_path if by_unit else None, regions
            )
        if decided[key]:
            users.setdefault(assignment.user_id, assignment.user)
    return list(users.values())


def _row_places(model: type[models.Model], obj: models.Model, action: str) -> tuple[int | None, str | None, bool]:
    """(province id, org unit path, shared with every holder of the action) of the row, in one query."""
    province_field = getattr(model, "scope_province_field", None)
    unit_field = getattr(model, "scope_org_unit_field", None)
    columns: dict[str, Any] = {}
    if province_field:
        columns["kc_province"] = models.F(province_field)
    if unit_field:
        columns["kc_unit_path"] = models.F("path" if unit_field == "pk" else f"{unit_field}__path")
    shared_rows = getattr(model, "scope_shared_rows", None)
    if shared_rows is not None and action in getattr(model, "scope_shared_actions", SHARED_ACTIONS):
        columns["kc_shared"] = models.Case(
            models.When(shared_rows, then=models.Value(True)), default=models.Value(False)
        )
    if not columns:
        return None, None, False
    row = model._base_manager.filter(pk=obj.pk).values(**columns).first() or {}
    return row.get("kc_province"), row.get("kc_unit_path"), bool(row.get("kc_shared"))


def _reaches(unit: OrgUnit | None, province_id: int | None, unit_path: str | None, regions: dict) -> bool:
    """Whether ``reach_of(unit)`` covers a row in ``province_id`` bound to the unit at ``unit_path``
    (``reach_of`` as a predicate: no query but one per regional centre's region)."""
    if unit is None or unit.kind in OrgUnit.NATIONAL_KINDS:
        return True
    if unit_path and unit.path and unit_path.startswith(unit.path):
        return True
    if province_id is None:
        return False
    if unit.kind == OrgUnit.Kind.REGIONAL_CENTRE and unit.region_id is not None:
        if unit.region_id not in regions:
            regions[unit.region_id] = frozenset(
                Province.objects.filter(regions__pk=unit.region_id, valid_to__isnull=True).values_list("pk", flat=True)
            )
        return province_id in regions[unit.region_id]
    return bool(unit.province_id) and unit.kind != OrgUnit.Kind.ESTABLISHMENT and unit.province_id == province_id


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
