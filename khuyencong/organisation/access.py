"""The access policy the kernel's scoping mechanism runs on: the role matrix plus the reach of
the org unit each role assignment is bound to. Installed once from ``OrganisationConfig.ready``."""

from __future__ import annotations

from typing import Any

from khuyencong.kernel.scoping import NOWHERE, Scope
from khuyencong.organisation.permissions import ORG_UNIT_ONLY, ORG_UNIT_REACH, allowed_actions
from khuyencong.organisation.services import active_grants

_CACHE_ATTRIBUTE = "_kc_grants"


class RoleMatrixPolicy:
    """A user's reach for an action is the union of the reach of every active role allowing it."""

    def grants(self, user: Any) -> list[tuple[str, Scope]]:
        """(role, reach) for each active assignment, cached on the user object for the request."""
        cached = getattr(user, _CACHE_ATTRIBUTE, None)
        if cached is None:
            cached = active_grants(user)
            setattr(user, _CACHE_ATTRIBUTE, cached)
        return cached

    def forget(self, user: Any) -> None:
        if hasattr(user, _CACHE_ATTRIBUTE):
            delattr(user, _CACHE_ATTRIBUTE)

    def scope(self, user: Any, action: str, resource: str) -> Scope:
        scope = NOWHERE
        through_units = ORG_UNIT_REACH.get(resource)
        units_only = ORG_UNIT_ONLY.get(resource, frozenset())
        for role, reach in self.grants(user):
            if action in allowed_actions(role, resource):
                if through_units is not None and role not in through_units:
                    reach = Scope(everywhere=reach.everywhere, province_ids=reach.province_ids)
                if role in units_only and not reach.everywhere:
                    reach = Scope(org_unit_ids=reach.org_unit_ids)
                scope = scope | reach
        return scope

    def __repr__(self) -> str:
        return "RoleMatrixPolicy()"
