"""The one scoping layer: what a user may do, and on which rows.

Every page, form choice list, export and API endpoint gets its rows through :func:`restrict`.
A user's reach comes from their active role assignments: the role says which actions are
allowed on which resource (see ``khuyencong.organisation.permissions``), and the org unit
the role is bound to says where (nationwide, a region's provinces, one province, or a unit
and its sub-units). Models say how their rows map onto that reach with two attributes:

``scope_province_field``  path to a current ``territory.Province`` (or None)
``scope_org_unit_field``  path to an ``organisation.OrgUnit`` (or None)

After a write, :func:`ensure_in_scope` re-checks the row inside the same transaction so a form
or API payload cannot move a record outside the writer's reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"


ACTION_LETTERS = {"v": Action.VIEW, "a": Action.ADD, "c": Action.CHANGE, "d": Action.DELETE, "e": Action.EXPORT}


@dataclass(frozen=True)
class Scope:
    everywhere: bool = False
    province_ids: frozenset[int] = field(default_factory=frozenset)
    org_unit_ids: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            everywhere=self.everywhere or other.everywhere,
            province_ids=self.province_ids | other.province_ids,
            org_unit_ids=self.org_unit_ids | other.org_unit_ids,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.everywhere or self.province_ids or self.org_unit_ids)

    def q(self, model: type[models.Model]) -> Q:
        """The filter that keeps the rows of ``model`` inside this scope."""
        if self.everywhere:
            return Q()
        condition = Q(pk__in=[])
        province_field = getattr(model, "scope_province_field", None)
        org_unit_field = getattr(model, "scope_org_unit_field", None)
        if province_field and self.province_ids:
            condition |= Q(**{f"{province_field}__in": sorted(self.province_ids)})
        if org_unit_field and self.org_unit_ids:
            condition |= Q(**{f"{org_unit_field}__in": sorted(self.org_unit_ids)})
        return condition


def resource_of(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label
    return model_or_label._meta.label_lower


def _grants(user) -> list[tuple[str, Scope]]:
    """(role, reach) for each active assignment, cached on the user object for the request."""
    cached = getattr(user, "_kc_grants", None)
    if cached is None:
        from khuyencong.organisation.services import active_grants

        cached = active_grants(user)
        user._kc_grants = cached
    return cached


def clear_cache(user) -> None:
    if hasattr(user, "_kc_grants"):
        del user._kc_grants


def user_scope(user, action: str, model_or_label) -> Scope:
    """The union of the reach of every role that allows ``action`` on the resource."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everywhere=True)
    from khuyencong.organisation.permissions import allowed_actions

    resource = resource_of(model_or_label)
    scope = Scope()
    for role, reach in _grants(user):
        if action in allowed_actions(role, resource):
            scope = scope | reach
    return scope


def can(user, action: str, model_or_label) -> bool:
    """Whether the user may do ``action`` on the resource somewhere (menus, buttons, 403 vs 404)."""
    return not user_scope(user, action, model_or_label).is_empty


def restrict(queryset, user, action: str = Action.VIEW):
    """Only the rows of ``queryset`` that ``user`` may ``action``."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    scope = user_scope(user, action, queryset.model)
    if scope.is_empty:
        return queryset.none()
    if scope.everywhere:
        return queryset
    return queryset.filter(scope.q(queryset.model))


def ensure_in_scope(user, action: str, instance: models.Model) -> None:
    """Raise PermissionDenied unless the saved ``instance`` is inside the user's reach.

    Call inside the transaction that wrote it, so a denial rolls the write back.
    """
    model = type(instance)
    if not restrict(model._base_manager.filter(pk=instance.pk), user, action).exists():
        raise PermissionDenied("outside your scope")


class ScopedQuerySetMixin:
    def restrict(self, user, action: str = Action.VIEW):
        return restrict(self, user, action)
