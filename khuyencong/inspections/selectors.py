"""Reading inspections: the lists, their exports, the API, the mission page, the project page's
section and the home page's follow-ups come through here, so scope, filters and sort are one."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from khuyencong.inspections.filters import FollowUpFilters, MissionFilters
from khuyencong.inspections.models import Finding, FollowUp, FollowUpStatus, InspectionMission, Visit
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict, user_scope


def missions() -> QuerySet:
    return InspectionMission.objects.select_related("plan", "plan__province", "lead_unit").prefetch_related("provinces")


def missions_reached(user, action: str = Action.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The missions ``user`` may ``action``, each once (a mission reaches several provinces)."""
    queryset = missions() if queryset is None else queryset
    scope = user_scope(user, action, InspectionMission)
    if scope.is_empty:
        return queryset.none()
    if scope.everywhere:
        return queryset
    return queryset.filter(pk__in=restrict(InspectionMission.objects.all(), user, action).values("pk"))


def mission_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(MissionFilters, filters, user=user)
    return spec.apply(missions_reached(user, action))


def mission_history(mission: InspectionMission) -> QuerySet:
    return mission.transitions.select_related("user").order_by("at", "pk")


def visits_of(mission: InspectionMission, *, user) -> list[Visit]:
    rows = restrict(Visit.objects.filter(mission=mission), user, Action.VIEW)
    return list(rows.select_related("project", "project__province").order_by("visited_on", "pk"))


def follow_ups() -> QuerySet:
    return FollowUp.objects.select_related(
        "responsible_unit", "finding", "finding__province", "finding__mission", "finding__visit__project"
    )


def findings_of(mission: InspectionMission, *, user) -> list[Finding]:
    """The mission's findings in the user's reach, each with its follow-ups (in reach) as
    ``follow_up_rows``: two queries."""
    rows = list(
        restrict(Finding.objects.filter(mission=mission), user, Action.VIEW)
        .select_related("province", "visit__project")
        .order_by("pk")
    )
    by_finding: dict[int, list[FollowUp]] = {f.pk: [] for f in rows}
    if rows:
        ups = restrict(FollowUp.objects.filter(finding__in=[f.pk for f in rows]), user, Action.VIEW)
        for up in ups.select_related("responsible_unit").order_by("due_date", "pk"):
            by_finding[up.finding_id].append(up)
    for finding in rows:
        finding.follow_up_rows = by_finding[finding.pk]  # type: ignore[attr-defined]
    return rows


def follow_up_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(FollowUpFilters, filters, user=user)
    return spec.apply(restrict(follow_ups(), user, action))


def open_follow_ups(user, *, limit: int = 10) -> dict:
    """The open follow-ups ``user`` may report on, overdue first (three queries)."""
    rows = restrict(follow_ups().filter(status=FollowUpStatus.OPEN), user, "close_follow_up")
    today = timezone.localdate()
    counts = rows.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    return {"rows": list(rows.order_by("due_date", "pk")[:limit]), **counts}


def project_inspections(project, *, user) -> list[Visit]:
    """The inspection visits of ``project`` the user may see, each with its findings and their
    follow-ups (``finding_rows``, ``follow_up_rows``): three queries."""
    visits = list(
        restrict(Visit.objects.filter(project=project), user, Action.VIEW)
        .select_related("mission", "mission__plan")
        .order_by("-visited_on", "-pk")
    )
    if not visits:
        return []
    findings = list(
        restrict(Finding.objects.filter(visit__in=[v.pk for v in visits]), user, Action.VIEW).order_by("pk")
    )
    ups: dict[int, list[FollowUp]] = {f.pk: [] for f in findings}
    if findings:
        rows = restrict(FollowUp.objects.filter(finding__in=list(ups)), user, Action.VIEW)
        for up in rows.select_related("responsible_unit").order_by("due_date", "pk"):
            ups[up.finding_id].append(up)
    by_visit: dict[int, list[Finding]] = {v.pk: [] for v in visits}
    for finding in findings:
        finding.follow_up_rows = ups[finding.pk]  # type: ignore[attr-defined]
        by_visit[finding.visit_id].append(finding)
    for visit in visits:
        visit.finding_rows = by_visit[visit.pk]  # type: ignore[attr-defined]
    return visits
