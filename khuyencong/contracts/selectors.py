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


def plan_line_overrun(project) -> dict | None:
    """Budget control of contracts (issue 11): when the live main contracts of the projects funded
    from ``project``'s plan line add up to more than the line in the plan version in force, what
    is over — a warning the pages show (the line is an estimate the Minister's or the province's
    decision approves project by project, so the contract is not refused). None when within it."""
    from django.db.models import Sum

    from khuyencong.contracts.models import ContractKind, ContractState
    from khuyencong.projects.actions import find_plan_line

    if not project.plan_line_key or project.plan_id is None:
        return None
    line = find_plan_line(project)
    if line is None:
        return None
    total = (
        Contract.objects.filter(
            kind=ContractKind.MAIN, project__plan_id=project.plan_id, project__plan_line_key=project.plan_line_key
        )
        .exclude(state=ContractState.TERMINATED)
        .aggregate(total=Sum("value"))["total"]
        or 0
    )
    if total <= line.amount:
        return None
    return {"line": line, "amount": line.amount, "total": total, "over": total - line.amount}
