"""Reading the registry: every list of establishments or craft villages (page, API, export job,
later dashboards and reports) comes from here, so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.models import CraftVillage, Establishment


def establishments() -> QuerySet:
    """Live establishments (not merged away) with what a list row shows."""
    return Establishment.objects.live().select_related("commune", "province", "craft_village")


def establishment_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The establishments ``user`` may ``action``, searched, filtered and sorted by ``filters``
    (an :class:`EstablishmentFilters` or a mapping of query parameters)."""
    spec = bind(EstablishmentFilters, filters, user=user)
    return spec.apply(restrict(establishments(), user, action))


# Named actions of an establishment's own account on the record linked to its org unit.
VIEW_OWN, UPDATE_OWN = "view_own", "update_own"


def own_establishments(user, action: str = VIEW_OWN) -> QuerySet:
    """The records linked to the org units ``user`` acts for with ``action`` (an establishment's
    own account: usually one). Only a unit's own link counts: a nationwide reach (a superuser, a
    role bound to no unit) names no unit, so it owns nothing, and a province owns nothing either."""
    scope = user_scope(user, action, Establishment)
    if scope.everywhere or not scope.org_unit_ids:
        return Establishment.objects.none()
    return establishments().filter(org_unit__in=sorted(scope.org_unit_ids)).order_by("name", "pk")


def craft_villages() -> QuerySet:
    return CraftVillage.objects.select_related("commune", "province")


def craft_village_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(CraftVillageFilters, filters, user=user)
    return spec.apply(restrict(craft_villages(), user, action))
