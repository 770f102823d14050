"""Reading projects: pages, API lists, exports, the home page and later dashboards come through
here, so scope, search, filters and sort are one."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.projects.filters import ProjectFilters
from khuyencong.projects.models import Project


def projects() -> QuerySet:
    return Project.objects.select_related("province", "implementing_unit", "content", "plan")


def project_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The projects ``user`` may ``action``, filtered and sorted as ``filters`` say."""
    spec = bind(ProjectFilters, filters, user=user)
    return spec.apply(restrict(projects(), user, action))


def project_history(project: Project) -> QuerySet:
    """The steps a project took, oldest first."""
    return project.transitions.select_related("user").order_by("at", "pk")


def projects_of_establishment(establishment, *, user) -> QuerySet:
    """Every project (any year, any level) with a beneficiary line for ``establishment`` that
    ``user`` may see: the establishment's 360° page."""
    rows = Project.objects.filter(beneficiaries__establishment=establishment).distinct()
    return restrict(rows.select_related("province", "content"), user, Action.VIEW).order_by("-year", "name_key")
