"""The home page's settlement card (kernel.sections slot "web.home"): dossiers waiting for the
user's check (the provincial finance department) or approval (the Agency, the province), and the
overdue contract liquidations in the user's reach. Nothing for a user who holds none of these."""

from __future__ import annotations

from django.urls import reverse

from khuyencong.finance import settlement
from khuyencong.finance.models import Settlement
from khuyencong.finance.settlement_filters import TO_APPROVE, TO_CHECK, awaiting_q
from khuyencong.finance.settlement_selectors import settlements
from khuyencong.kernel.scoping import Action, can, restrict

LIMIT = 5


def home_settlements(request, user):
    if user is None or not getattr(user, "is_authenticated", False) or not can(user, Action.VIEW, Settlement):
        return None
    checks = can(user, settlement.CHECK, Settlement)
    approves = can(user, settlement.APPROVE, Settlement) or can(user, settlement.APPROVE_LOCAL, Settlement)
    watches = approves or can(user, settlement.SUBMIT, Settlement)
    if not (checks or approves or watches):
        return None
    rows = restrict(settlements(), user, Action.VIEW)
    to_check = list(rows.filter(awaiting_q(user, TO_CHECK)).order_by("submitted_on", "pk")[:LIMIT]) if checks else []
    to_approve = (
        list(rows.filter(awaiting_q(user, TO_APPROVE)).order_by("submitted_on", "pk")[:LIMIT]) if approves else []
    )
    overdue, overdue_count = settlement.overdue_liquidations(user, limit=LIMIT)
    list_url = reverse("settlements:settlement_list")
    return "finance/_home_settlements.html", {
        "to_check": to_check,
        "to_approve": to_approve,
        "checks": checks,
        "approves": approves,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "check_url": f"{list_url}?todo={TO_CHECK}",
        "approve_url": f"{list_url}?todo={TO_APPROVE}",
        "list_url": list_url,
    }
