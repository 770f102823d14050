"""Reading reports: the list page, its export, the API, the home page card and the reminders."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
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


def own_units(user) -> list[int]:
    """The units ``user`` sends reports for (roles holding ``submit`` bound to a unit)."""
    from khuyencong.organisation.models import Role, RoleAssignment
    from khuyencong.organisation.permissions import allowed_actions

    roles = [role for role in Role.values if "submit" in allowed_actions(role, "reporting.report")]
    rows = RoleAssignment.objects.active().filter(user=user, role__in=roles, org_unit__isnull=False)
    return sorted(set(rows.values_list("org_unit_id", flat=True)))


def missing_below(user) -> QuerySet:
    """Reports past due and not sent by the units ``user`` reviews (by the form's level), not their own."""
    national = restrict(reports(), user, "approve").filter(form__level="national")
    local = restrict(reports(), user, "approve_local").filter(form__level="local")
    from khuyencong.organisation.models import RoleAssignment

    mine = RoleAssignment.objects.active().filter(user=user, org_unit__isnull=False).values("org_unit_id")
    return (national | local).filter(status_q("missing")).exclude(org_unit_id__in=mine)


def worklist(user, *, limit: int = 8) -> dict:
    """The home page's reports: the user's units' reports due soon, missing (laid out or not) and
    returned, those awaiting their review, and how many the units they review have not sent; a
    fixed number of queries."""
    from khuyencong.reporting import services

    own = own_reports(user)
    data: dict[str, Any] = {
        "due": list(own.filter(status_q("due")).order_by("due_on", "pk")[:limit]),
        "missing": list(own.filter(status_q("missing")).order_by("due_on", "pk")[:limit]),
        "returned": list(own.filter(status_q("returned")).order_by("-returned_on", "pk")[:limit]),
        "review": list(to_review(user).order_by("submitted_on", "pk")[:limit]),
    }
    data["missing_count"] = (
        own.filter(status_q("missing")).count() if len(data["missing"]) >= limit else len(data["missing"])
    )
    units = own_units(user)
    not_laid_out = services.missing_not_laid_out(active_forms(), units)
    data["not_laid_out"] = not_laid_out[: max(limit - len(data["missing"]), 0)]
    data["missing_count"] += len(not_laid_out)
    data["review_count"] = to_review(user).count() if len(data["review"]) >= limit else len(data["review"])
    below = missing_below(user) if can(user, "approve", Report) or can(user, "approve_local", Report) else None
    data["missing_below"] = below.count() if below is not None else 0
    data["empty"] = not any(data[k] for k in ("due", "missing", "returned", "review", "not_laid_out", "missing_below"))
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
