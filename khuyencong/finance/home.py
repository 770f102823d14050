"""The home page's money card (kernel.sections slot ``web.home``): for approvers, the payments
awaiting their approval (count, total, the first ten, a link to the queue); for those who request
payments, their requests awaiting approval and those rejected in the last 30 days."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from khuyencong.finance import actions, selectors
from khuyencong.finance.models import EntryStatus, LedgerEntry
from khuyencong.kernel.scoping import can

RECENT_DAYS = 30


def home_money(request, user):
    approver = bool(selectors.approver_levels(user))
    requester = can(user, actions.REQUEST_PAYMENT, LedgerEntry)
    if not (approver or requester):
        return None
    context: dict = {"approver": approver, "requester": requester and not approver}
    if approver:
        queue = selectors.awaiting_approval(user)
        context["awaiting"] = list(queue[:10])
        context["awaiting_totals"] = selectors.ledger_totals(queue)
        context["queue_url"] = reverse("finance:ledger_queue")
    if context["requester"]:
        mine = selectors.requests_of(user)
        since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
        context["mine_waiting"] = list(mine.filter(status=EntryStatus.REQUESTED).order_by("-requested_at")[:10])
        context["mine_rejected"] = list(
            mine.filter(status=EntryStatus.REJECTED, decided_at__gte=since).order_by("-decided_at")[:10]
        )
        context["ledger_url"] = reverse("finance:ledger_list")
    return "finance/_home_money.html", context
