"""Reading the registry: every list of establishments or craft villages (page, API, export job,
later dashboards and reports) comes from here, so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict
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


def craft_villages() -> QuerySet:
    return CraftVillage.objects.select_related("commune", "province")


def craft_village_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(CraftVillageFilters, filters, user=user)
    return spec.apply(restrict(craft_villages(), user, action))
