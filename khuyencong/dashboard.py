"""The home page: the top floor, where pages that read from several domains live (``web`` is the
generic views framework and imports no domain app)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from khuyencong.jobs.models import Job
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.services import home_context
from khuyencong.planning.selectors import versions_awaiting_approval
from khuyencong.projects.deadline_views import project_url_name
from khuyencong.projects.deadlines import worklist
from khuyencong.projects.models import Project
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, Establishment
from khuyencong.registry.selectors import own_establishments
from khuyencong.web.imports import DRY_RUN


@login_required
def home(request):
    context = {
        **home_context(request.user),
        **work_summary(request.user),
        **plan_summary(request.user),
        **project_work(request.user),
    }
    return render(request, "web/home.html", context)


def plan_summary(user) -> dict:
    """Plan versions waiting for this user's approval, within their reach (one query)."""
    return {"plans_to_approve": list(versions_awaiting_approval(user)[:10])}


def project_work(user) -> dict:
    """The projects awaiting a step this user may take, overdue first, and the overdue ones in
    their reach (``projects.deadlines.worklist``: a fixed number of queries)."""
    if not can(user, Action.VIEW, Project):
        return {}
    return {"project_work": worklist(user, limit=10), "project_url_name": project_url_name()}


def work_summary(user) -> dict:
    """What the signed-in person can do next, within their reach: key figures, duplicates to
    review, imports checked but not written, records with missing data (about 6 queries)."""
    summary: dict = {"can_view_registry": can(user, Action.VIEW, Establishment)}
    # An establishment's own account: its record, to keep up to date.
    summary["own_records"] = list(own_establishments(user)[:5])
    if not summary["can_view_registry"]:
        return summary
    live = restrict(Establishment.objects.live(), user, Action.VIEW)
    missing = Q(workers_total__isnull=True) | Q(annual_revenue__isnull=True) | Q(owner_name="")
    summary.update(
        can_add_establishment=can(user, Action.ADD, Establishment),
        establishment_count=live.count(),
        missing_data_count=live.filter(missing).count(),
        village_count=restrict(CraftVillage.objects.all(), user, Action.VIEW).count(),
    )
    if can(user, Action.CHANGE, DuplicateCandidate):
        reachable = live.values("pk")
        summary["duplicate_count"] = (
            restrict(DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN), user, Action.VIEW)
            .filter(first__in=reachable, second__in=reachable)
            .count()
        )
    if summary["can_add_establishment"]:
        summary["imports_to_finish"] = list(
            Job.objects.filter(owner=user, kind=DRY_RUN, status=Job.Status.SUCCEEDED)
            .exclude(result__has_key="commit_job")
            .order_by("-created_at")[:3]
        )
    return summary
