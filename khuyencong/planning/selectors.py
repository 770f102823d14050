"""Reading programmes and plans: pages, API lists, exports and the home page come through here,
so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.planning.filters import PlanFilters, ProgrammeFilters
from khuyencong.planning.models import AnnualPlan, PlanVersion, Programme
from khuyencong.rulebook.models import Level


def programmes() -> QuerySet:
    return Programme.objects.select_related("decision", "owner", "province")


def programme_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(ProgrammeFilters, filters, user=user)
    return spec.apply(restrict(programmes(), user, action))


def plans() -> QuerySet:
    return AnnualPlan.objects.select_related("owner", "province", "programme")


def plan_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The annual plans ``user`` may ``action`` (national plans for every planning reader)."""
    spec = bind(PlanFilters, filters, user=user)
    return spec.apply(restrict(plans(), user, action))


def versions_awaiting_approval(user) -> QuerySet:
    """Draft versions the user may approve, in reach, oldest first (the home page's worklist)."""
    if not can(user, "approve", PlanVersion):
        return PlanVersion.objects.none()
    drafts = PlanVersion.objects.filter(status=PlanVersion.Status.DRAFT, plan__state="open")
    mine = restrict(drafts.select_related("plan", "plan__province"), user, "approve")
    # Local drafts only for those who approve for their province (actions.APPROVE_LOCAL).
    local = restrict(drafts.filter(plan__level=Level.LOCAL), user, "approve_local").values("pk")
    return mine.filter(Q(plan__level=Level.NATIONAL) | Q(pk__in=local)).order_by("created_at", "pk")
