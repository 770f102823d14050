"""Reading councils: the list page, its export, the API and the consolidated lists come through
here, so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.appraisal.filters import CouncilFilters
from khuyencong.appraisal.models import Council, CouncilProject
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.rulebook.models import Level


def councils() -> QuerySet:
    return Council.objects.select_related("province", "convening_unit")


def council_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The councils ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(CouncilFilters, filters, user=user)
    return spec.apply(restrict(councils(), user, action))


def council_for(user, pk, action: str = Action.VIEW) -> Council | None:
    try:
        return restrict(councils(), user, action).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def passing_reviews(*, user, year: int, province=None, national: bool = False) -> QuerySet:
    """The projects a Department's council passed in ``year``: one province's (its Form 2) or,
    ``national``, the national projects of every province in reach (the Agency's list)."""
    reached = restrict(Council.objects.filter(level=Level.LOCAL, year=year), user, Action.EXPORT)
    rows = CouncilProject.objects.filter(council__in=reached, conclusion=CouncilProject.Conclusion.PASS)
    if province is not None:
        rows = rows.filter(council__province=province)
    if national:
        rows = rows.filter(project__level=Level.NATIONAL)
    return rows.select_related(
        "council", "council__province", "project", "project__province", "project__implementing_unit",
        "project__content", "project__commune",
    ).order_by("council__province__code", "council__pk", "order", "pk")  # fmt: skip
