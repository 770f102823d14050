"""Reading org units: the page, the API and exports share scope, search, filters and sort."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.organisation.filters import OrgUnitFilters
from khuyencong.organisation.models import OrgUnit


def org_units() -> QuerySet:
    return OrgUnit.objects.select_related("province", "parent", "region", "commune")


def org_unit_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(OrgUnitFilters, filters, user=user)
    return spec.apply(restrict(org_units(), user, action))
