"""Reading reports: the list page, its export, the API, the home page card and the reminders."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.reporting.filters import ReportFilters, status_q
from khuyencong.reporting.models import Report, ReportForm, ReportValue


def reports() -> QuerySet:
    return Report.objects.select_related("form", "org_unit", "province")


def report_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(ReportFilters, filters, user=user)
    return spec.apply(restrict(reports(), user, action))


def report_values(report: Report) -> list[ReportValue]:
    return list(report.values.select_related("indicator").order_by("indicator__position", "indicator__pk"))


def report_history(report: Report) -> QuerySet:
    return report.transitions.select_related("user").order_by("at", "pk")


def own_reports(user) -> QuerySet:
    """The reports of the units ``user`` sends reports for: the units their roles holding
    ``submit`` are bound to (``actions.acts_for_unit``); every report for a nationwide sender."""
    from khuyencong.organisation.models import RoleAssignment

    scope = user_scope(user, "submit", Report)
    if scope.is_empty:
        return Report.objects.none()
    rows = reports()
    if scope.everywhere and user.is_superuser:
        return rows
    units = RoleAssignment.objects.active().filter(user=user, org_unit__isnull=False).values("org_unit_id")
    return rows.filter(org_unit_id__in=units)


def to_review(user) -> QuerySet:
    """Submitted reports ``user`` may approve or return (by the form's level)."""
    national = restrict(reports(), user, "approve").filter(form__level="national")
    local = restrict(reports(), user, "approve_local").filter(form__level="local")
    return (national | local).filter(state="submitted")


def worklist(user, *, limit: int = 8) -> dict:
    """The home page's reports: the user's units' reports due soon, missing and returned, and those
    awaiting their review; a fixed number of queries (four lists, two counts)."""
    own = own_reports(user)
    data = {
        "due": list(own.filter(status_q("due")).order_by("due_on", "pk")[:limit]),
        "missing": list(own.filter(status_q("missing")).order_by("due_on", "pk")[:limit]),
        "returned": list(own.filter(status_q("returned")).order_by("-returned_on", "pk")[:limit]),
        "review": list(to_review(user).order_by("submitted_on", "pk")[:limit]),
    }
    data["missing_count"] = (
        own.filter(status_q("missing")).count() if len(data["missing"]) >= limit else len(data["missing"])
    )
    data["review_count"] = to_review(user).count() if len(data["review"]) >= limit else len(data["review"])
    data["empty"] = not any(data[k] for k in ("due", "missing", "returned", "review"))
    return data


def active_forms() -> QuerySet:
    return ReportForm.objects.filter(is_active=True).order_by("code")


def due_reports(*, on, within_days: int = 7) -> QuerySet:
    """Reports still to send whose period is over and whose due date is past or within the window."""
    import datetime as dt

    from khuyencong.reporting.models import OPEN_STATES

    return (
        reports()
        .filter(state__in=OPEN_STATES, period_end__lt=on, due_on__lte=on + dt.timedelta(days=within_days))
        .order_by("due_on", "pk")
    )


def senders(report: Report) -> list:
    """Who sends ``report``: active users holding ``submit`` through an assignment bound to its unit
    (a province's officers are not reminded of their centre's report)."""
    from khuyencong.organisation.models import RoleAssignment
    from khuyencong.organisation.permissions import allowed_actions

    roles = [role for role, _label in RoleAssignment._meta.get_field("role").choices
             if "submit" in allowed_actions(role, "reporting.report")]  # fmt: skip
    rows = (
        RoleAssignment.objects.active(on=None)
        .filter(role__in=roles, org_unit_id=report.org_unit_id)
        .select_related("user")
    )
    users: dict[int, Any] = {}
    for assignment in rows:
        users.setdefault(assignment.user_id, assignment.user)
    return list(users.values())
