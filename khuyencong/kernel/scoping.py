"""The one scoping layer: what a user may do, and on which rows.

This module is the *mechanism*. Every page, form choice list, export and API endpoint gets its
rows through :func:`restrict`. The *policy* (which role may do which named action on which
resource, and how far the org unit a role is bound to reaches) is installed at start-up by the
organisation app through :func:`install_policy`; the kernel imports no app.

Actions are names: the five generic ones in :class:`Action` and any domain action a resource
declares in the policy (``submit``, ``appraise``, ``approve``, ``pay``, ``merge``, ``dismiss``…).

Models say how their rows map onto a reach with two attributes:

``scope_province_field``  path to a current ``territory.Province`` (or None)
``scope_org_unit_field``  path to an ``organisation.OrgUnit`` (or None)
``scope_shared_rows``     optional ``Q``: rows every user reaches for ``scope_shared_actions``
                          (default view and export) once their role allows the action somewhere
                          (e.g. national plans, which every planning reader may read)

After a write, :func:`ensure_in_scope` re-checks the row inside the same transaction so a form
or API payload cannot move a record outside the writer's reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q


class Action(StrEnum):
    """The generic actions every resource knows; domain actions are plain strings."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"


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

    def covers(self, *, province_id: int | None = None, org_unit_id: int | None = None) -> bool:
        """Whether a row in ``province_id`` or bound to ``org_unit_id`` lies inside this scope.

        A row is covered when any of the given places is reached (the same "or" as :meth:`q`);
        a row with neither place is covered only by a nationwide scope.
        """
        if self.everywhere:
            return True
        if province_id is not None and province_id in self.province_ids:
            return True
        return org_unit_id is not None and org_unit_id in self.org_unit_ids

    def limit_provinces(self, queryset: Any, province_field: str = "pk") -> Any:
        """``queryset`` kept to the provinces of this scope through ``province_field`` (choice lists)."""
        if self.everywhere:
            return queryset
        return queryset.filter(**{f"{province_field}__in": sorted(self.province_ids)})

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


NOWHERE = Scope()
SHARED_ACTIONS = frozenset({"view", "export"})
EVERYWHERE = Scope(everywhere=True)


class AccessPolicy(Protocol):
    """Decides a signed-in, active, non-superuser's reach for one action on one resource."""

    def scope(self, user: Any, action: str, resource: str) -> Scope: ...

    def forget(self, user: Any) -> None:
        """Drop whatever the policy cached on ``user`` (after role changes)."""


_policy: AccessPolicy | None = None


def install_policy(policy: AccessPolicy) -> None:
    """Install the access policy once, at start-up (an app's ``ready``)."""
    global _policy
    if _policy is not None:
        raise ImproperlyConfigured(f"An access policy is already installed ({_policy!r}); it can be installed once.")
    _policy = policy


def uninstall_policy() -> AccessPolicy | None:
    """Remove the installed policy and return it (tests of the installation itself only)."""
    global _policy
    previous, _policy = _policy, None
    return previous


def installed_policy() -> AccessPolicy:
    if _policy is None:
        raise ImproperlyConfigured(
            "No access policy is installed: the organisation app installs it in its AppConfig.ready()."
        )
    return _policy


def resource_of(model_or_label: type[models.Model] | str) -> str:
    if isinstance(model_or_label, str):
        return model_or_label
    return model_or_label._meta.label_lower


# The answers of the policy for one user object, by (action, resource): a page asks the same
# question many times (the menu alone asks ~30), and a user object lives for one request.
_SCOPES_ATTRIBUTE = "_kc_scopes"


def clear_cache(user: Any) -> None:
    """Forget the cached grants of ``user`` (call after changing their role assignments)."""
    if hasattr(user, _SCOPES_ATTRIBUTE):
        delattr(user, _SCOPES_ATTRIBUTE)
    installed_policy().forget(user)


def user_scope(user: Any, action: str, model_or_label: type[models.Model] | str) -> Scope:
    """The union of the reach of every role that allows ``action`` on the resource."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOWHERE
    if user.is_superuser:
        return EVERYWHERE
    policy = installed_policy()
    key = (policy, str(action), resource_of(model_or_label))
    scopes = getattr(user, _SCOPES_ATTRIBUTE, None)
    if scopes is None:
        scopes = {}
        try:
            setattr(user, _SCOPES_ATTRIBUTE, scopes)
        except AttributeError:  # an object that takes no attributes: ask the policy each time
            return policy.scope(user, key[1], key[2])
    scope = scopes.get(key)
    if scope is None:
        scope = scopes[key] = policy.scope(user, key[1], key[2])
    return scope


def can(user: Any, action: str, model_or_label: type[models.Model] | str) -> bool:
    """Whether the user may do ``action`` on the resource somewhere (menus, buttons, 403 vs 404)."""
    return not user_scope(user, action, model_or_label).is_empty


def restrict(queryset: Any, user: Any, action: str = Action.VIEW) -> Any:
    """Only the rows of ``queryset`` (or of a model's default manager) that ``user`` may ``action``."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    scope = user_scope(user, action, queryset.model)
    if scope.is_empty:
        return queryset.none()
    if scope.everywhere:
        return queryset
    condition = scope.q(queryset.model)
    shared = getattr(queryset.model, "scope_shared_rows", None)
    if shared is not None and action in getattr(queryset.model, "scope_shared_actions", SHARED_ACTIONS):
        condition |= shared
    return queryset.filter(condition)


def ensure_in_scope(user: Any, action: str, instance: models.Model) -> None:
    """Raise PermissionDenied unless the saved ``instance`` is inside the user's reach.

    Call inside the transaction that wrote it, so a denial rolls the write back.
    """
    model = type(instance)
    if not restrict(model._base_manager.filter(pk=instance.pk), user, action).exists():
        raise PermissionDenied("outside your scope")


class ScopedQuerySetMixin:
    def restrict(self, user: Any, action: str = Action.VIEW) -> Any:
        return restrict(self, user, action)
