"""What the project page shows of its contracts: ``contracts_context(project, user)`` for the
``contracts/_project_section.html`` partial (the project page includes both; it imports this
module, never the contract views)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from khuyencong.contracts import actions, selectors
from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.contracts.selectors import contracts_of_project
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can


def vnd(value: int | None) -> str:
    return format_vnd(value) if value is not None else "—"


@dataclass(frozen=True)
class Money:
    """A contract's value against what caps it, and for a main contract what its support
    contracts take of it."""

    cap: int | None  # the approved support (main) or the beneficiary's support (support)
    value: int
    supports: int | None  # main only: the live support contracts together

    @property
    def left(self) -> int | None:
        return None if self.supports is None else self.value - self.supports

    @property
    def percent(self) -> int | None:
        if not self.cap:
            return None
        return min(100, round(self.value * 100 / self.cap))


def money_of(contract: Contract) -> Money:
    if contract.kind == ContractKind.MAIN:
        supports = (
            Contract.objects.filter(project_id=contract.project_id, kind=ContractKind.SUPPORT)
            .exclude(state=ContractState.TERMINATED)
            .values_list("value", flat=True)
        )
        return Money(cap=contract.project.approved_support, value=contract.value, supports=sum(supports))
    cap = contract.beneficiary.support if contract.beneficiary_id else None
    return Money(cap=cap, value=contract.value, supports=None)


def contracts_context(project, user) -> dict:
    """The context of ``contracts/_project_section.html`` for ``project`` as ``user`` sees it:
    its contracts (main first), the money against the approved support, and the links to draft
    the next contract the user may draft now."""
    rows = contracts_of_project(project, user=user)
    main = next((c for c in rows if c.kind == ContractKind.MAIN and c.state != ContractState.TERMINATED), None)
    supports = [c for c in rows if c.kind == ContractKind.SUPPORT and c.state != ContractState.TERMINATED]
    add = reverse("contracts:contract_add")
    links = []
    may_add = can(user, Action.ADD, Contract)
    if (
        may_add
        and main is None
        and project.state in actions.MAIN_DRAFT_STATES
        and actions.may_draft(user, project, ContractKind.MAIN)
    ):
        links.append((f"{add}?project={project.pk}&kind=main", ContractKind.MAIN.label))
    if (
        may_add
        and main is not None
        and main.state in (ContractState.SIGNED, ContractState.AMENDED)
        and project.state in actions.RUNNING
        and actions.may_draft(user, project, ContractKind.SUPPORT)
    ):
        links.append((f"{add}?project={project.pk}&kind=support", ContractKind.SUPPORT.label))
    overrun = selectors.plan_line_overrun(project) if main is not None else None
    return {
        "contracts_line_overrun": overrun,
        "contracts": rows,
        "contracts_main": main,
        "contracts_support_total": sum(c.value for c in supports),
        "contracts_approved_support": project.approved_support,
        "contracts_add_links": links,
        "contracts_list_url": reverse("contracts:contract_list") + f"?project={project.code}",
    }
