"""Reading acceptances and settlements: the list page, its export, the API, the project page's
section and the home page come through here, so scope, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.finance.models import AcceptanceRecord, Settlement
from khuyencong.finance.settlement_filters import AcceptanceFilters, SettlementFilters
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict


def settlements() -> QuerySet:
    return Settlement.objects.select_related("project", "province", "unit", "checked_by", "approved_by")


def settlement_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The settlements ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(SettlementFilters, filters, user=user)
    return spec.apply(restrict(settlements(), user, action))


def settlement_history(settlement: Settlement) -> QuerySet:
    return settlement.transitions.order_by("at", "pk")


def acceptances() -> QuerySet:
    return AcceptanceRecord.objects.select_related("project", "project__province", "beneficiary__establishment")


def acceptance_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The acceptance records ``user`` may ``action``, newest first."""
    spec = bind(AcceptanceFilters, filters, user=user)
    return spec.apply(restrict(acceptances(), user, action))
