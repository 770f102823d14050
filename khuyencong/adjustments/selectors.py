"""Reading adjustments: the list page, the API, the project page's section, "awaiting you"."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from khuyencong.adjustments.filters import AdjustmentFilters
from khuyencong.adjustments.models import Adjustment, AdjustmentState
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.rulebook.models import Level


def adjustments() -> QuerySet:
    return Adjustment.objects.select_related("project__province", "project__implementing_unit")


def adjustment_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(AdjustmentFilters, filters, user=user)
    return spec.apply(restrict(adjustments(), user, action))


def adjustments_of(project, *, user) -> QuerySet:
    return restrict(adjustments().filter(project=project), user, Action.VIEW).order_by("-proposed_on", "-pk")


def awaiting(user) -> QuerySet:
    """Open adjustments the user may move on: to confirm (the Department) or to approve."""
    confirm = restrict(adjustments().filter(state=AdjustmentState.PROPOSED), user, "confirm_adjustment")
    national = restrict(
        adjustments().filter(state=AdjustmentState.CONFIRMED, project__level=Level.NATIONAL), user, "approve_adjustment"
    )
    local = restrict(
        adjustments().filter(state=AdjustmentState.CONFIRMED, project__level=Level.LOCAL),
        user,
        "approve_adjustment_local",
    )
    ids = Q(pk__in=confirm.values("pk")) | Q(pk__in=national.values("pk")) | Q(pk__in=local.values("pk"))
    return adjustments().filter(ids).order_by("proposed_on", "pk")
