"""Reading contracts: the list page, its export, the API and the project page's section come
through here, so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.contracts.filters import ContractFilters
from khuyencong.contracts.models import Contract
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict


def contracts() -> QuerySet:
    return Contract.objects.select_related(
        "project",
        "project__province",
        "party_a",
        "party_b_unit",
        "party_b_establishment",
        "beneficiary",
    )


def contract_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The contracts ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(ContractFilters, filters, user=user)
    return spec.apply(restrict(contracts(), user, action))


def contracts_of_project(project, *, user) -> list[Contract]:
    """The project's contracts ``user`` may see: the main one first, then support contracts."""
    rows = restrict(contracts().filter(project=project), user, Action.VIEW)
    return sorted(rows, key=lambda c: (c.kind != "main", c.state == "terminated", c.pk))


def contract_history(contract: Contract) -> QuerySet:
    return contract.transitions.select_related("user").order_by("at", "pk")


def amendments_of(contract: Contract) -> QuerySet:
    return contract.amendments.select_related("created_by").order_by("sequence")
