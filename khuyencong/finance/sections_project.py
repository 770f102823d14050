"""The project page's "Money" section (kernel.sections slot ``projects.project``): the contracted
support, the advance the rule in force allows (with its legal document), what was requested,
advanced, paid, disbursed, recovered and settled, what remains, the entries with their status, the
approve / reject buttons for who may, and the request form for who may. A fixed number of queries
whatever the number of entries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from khuyencong.finance import actions, selectors
from khuyencong.finance.forms import RequestPaymentForm
from khuyencong.finance.models import LedgerEntry
from khuyencong.kernel.scoping import Action, can
from khuyencong.projects.models import ProjectState

# A project has money to show from its contract on.
MONEY_STATES = frozenset(
    {
        ProjectState.CONTRACTED, ProjectState.IN_PROGRESS, ProjectState.ACCEPTED, ProjectState.SETTLEMENT_SUBMITTED,
        ProjectState.SETTLED, ProjectState.CLOSED, ProjectState.STOPPED, ProjectState.CANCELLED,
    }
)  # fmt: skip


def money_context(project, user, *, form=None) -> dict:
    contract = actions.live_main_contract(project)
    contracted = contract.value if contract is not None else None
    today = timezone.localdate()
    advance_allowed, rule = (None, None)
    if contract is not None:
        advance_allowed, rule = actions.advance_ceiling(project, contract.value, today)
    sums = selectors.entry_sums(project)
    money = selectors.ProjectMoney(
        contracted=contracted, advance_allowed=advance_allowed, rule=rule, requested=sums["requested"],
        advanced=sums["advanced"], paid=sums["paid"], recovered=sums["recovered"], settled=sums["settled"],
    )  # fmt: skip
    entries = list(selectors.entries_of_project(project, user=user)[:100])
    approver_levels = selectors.approver_levels(user)
    may_decide = project.level in approver_levels and _reaches(user, project)
    for entry in entries:
        entry.can_decide = may_decide and entry.status == "requested" and entry.kind in ("advance", "payment")
    may_request = (
        can(user, actions.REQUEST_PAYMENT, LedgerEntry)
        and project.state in actions.PAYMENT_STATES
        and contract is not None
        and _reaches(user, project, actions.REQUEST_PAYMENT)
    )
    if may_request and form is None:
        form = RequestPaymentForm(project=project)
    return {
        "project": project,
        "money": money,
        "entries": entries,
        "may_request": may_request,
        "request_form": form if may_request else None,
        "request_url": reverse("finance:request_payment", args=[project.pk]),
        "ledger_url": reverse("finance:ledger_list") + f"?project={project.code}",
        "project_url": reverse("projects:detail", args=[project.pk]),
    }


def _reaches(user, project, permission: str | None = None) -> bool:
    from khuyencong.kernel.scoping import user_scope

    permission = permission or actions.approver_permission(project.level)
    if not can(user, permission, LedgerEntry):
        return False
    return user_scope(user, permission, LedgerEntry).covers(
        province_id=project.province_id, org_unit_id=project.implementing_unit_id
    )


def project_money(request, project):
    """The provider: nothing before the contract, nor for who may not see the ledger."""
    if request is None or project.state not in MONEY_STATES:
        return None
    if not can(request.user, Action.VIEW, LedgerEntry):
        return None
    return "finance/_project_money.html", money_context(project, request.user)
