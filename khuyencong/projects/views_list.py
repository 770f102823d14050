"""The project list (filters, search, sort, export that imports back, import) and the board of a
plan's projects by state: thin adapters over ``selectors`` (reads); imports write through
``actions`` (``imports.ProjectImport``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.kernel.text import sort_key
from khuyencong.planning.models import AnnualPlan
from khuyencong.planning.selectors import plans
from khuyencong.projects import imports
from khuyencong.projects.export_columns import PROJECT_EXPORT_COLUMNS
from khuyencong.projects.filters import ProjectFilters
from khuyencong.projects.models import FINAL_STATES, Project, ProjectState
from khuyencong.projects.selectors import project_list, projects
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectListView
from khuyencong.web.imports import ImportFlow

# The project pages' URL names (``projects:<name>``) for the generic views' suffixes.
URL_NAMES = {"list": "list", "detail": "detail", "add": "create", "export": "export", "edit": "edit"}


class ProjectMixin:
    model = Project

    def base_queryset(self):
        return projects()

    def url_name(self, suffix: str) -> str:
        return f"projects:{URL_NAMES.get(suffix, suffix)}"


COLUMNS = [
    Column("code", _("Code"), sort="code", link=True),
    Column("name", _("Name"), sort="name"),
    Column("year", _("Year"), sort="year"),
    Column("get_level_display", _("Level")),
    Column("province", _("Province"), sort="province"),
    Column("implementing_unit", _("Implementing unit")),
    Column("get_state_display", _("State"), sort="state"),
    Column("support_amount", _("Support requested (đồng)"), sort="support_amount", filter="vnd"),
]


class ProjectListView(ProjectMixin, ObjectListView):
    template_name = "projects/list.html"
    columns = COLUMNS
    filterset = ProjectFilters
    selector = staticmethod(project_list)

    def common_context(self):
        context = super().common_context()
        user = self.request.user
        context["import_url"] = reverse("projects:import:upload") if can(user, Action.ADD, Project) else None
        context["board_url"] = reverse("projects:board")
        return context


class ProjectExportView(ProjectListView, ObjectExportView):
    """What the list shows, in the import's columns (``export_columns``): it imports back unchanged."""

    export_columns = PROJECT_EXPORT_COLUMNS


# --- import ---------------------------------------------------------------------------------


IMPORT_FLOW = ImportFlow(
    importer=imports.NAME,
    namespace="projects:import",
    resource="projects.project",
    title=_("Import projects"),
    template=lambda user: imports.template(),
    template_filename="mau-nhap-de-an.xlsx",
    template_audit="projects:import:template",
    error_stem="de-an",
    done_url="projects:list",
    hints=(
        _("Use the column names of the template (or of the list's export). A known project code updates that "
          "project while it is a draft or returned; a new code creates a draft proposal; blank cells keep the "
          "stored value."),
        _("Only projects within your reach can be imported; the state changes by its steps only."),
    ),
)  # fmt: skip


# --- the board ------------------------------------------------------------------------------

# The board's columns: the path a project takes, then where it may end.
BOARD_STATES = [
    ProjectState.DRAFT, ProjectState.SUBMITTED, ProjectState.RETURNED, ProjectState.PROVINCE_PASSED,
    ProjectState.AT_AGENCY, ProjectState.AGENCY_PASSED, ProjectState.APPROVED, ProjectState.CONTRACTED,
    ProjectState.IN_PROGRESS, ProjectState.ACCEPTED, ProjectState.SETTLEMENT_SUBMITTED, ProjectState.SETTLED,
    ProjectState.CLOSED, ProjectState.REJECTED, ProjectState.STOPPED, ProjectState.CANCELLED,
]  # fmt: skip
CARDS_PER_COLUMN = 30


@dataclass
class BoardColumn:
    state: str
    label: str
    count: int
    support: int
    approved: int
    cards: list
    final: bool

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


class ProjectBoardView(LoginRequiredMixin, View):
    """``/projects/board/?plan=<id>``: the plan's projects (in the user's reach) in one column per
    state, with each column's count and support; without a plan, a choice of plans."""

    def get(self, request):
        user = request.user
        if not can(user, Action.VIEW, Project):
            raise PermissionDenied
        visible_plans = restrict(plans(), user, Action.VIEW)
        chosen = request.GET.get("plan", "")
        context = {"plan": None, "columns": [], "title": _("Board of projects by state")}
        if not chosen:
            context["plans"] = sorted(visible_plans.order_by("-year")[:200], key=lambda p: (-p.year, sort_key(p.name)))
            return render(request, "projects/board.html", context)
        try:
            plan = visible_plans.get(pk=int(chosen))
        except (AnnualPlan.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None
        rows = restrict(projects().filter(plan=plan), user, Action.VIEW)
        totals = {
            row["state"]: row
            for row in rows.order_by()
            .values("state")
            .annotate(count=Count("pk"), support=Sum("support_amount"), approved=Sum("approved_support"))
        }
        # The first cards of every column in one query (a window per state), not one per column.
        ranked = rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("state")], order_by=[F("name_key").asc(), F("pk").asc()])
        ).filter(rank__lte=CARDS_PER_COLUMN)
        cards: dict[str, list] = {}
        for card in ranked.order_by("state", "name_key", "pk"):
            cards.setdefault(card.state, []).append(card)
        columns = []
        for state in BOARD_STATES:
            total = totals.get(state)
            if total is None and state in FINAL_STATES | {ProjectState.RETURNED}:
                continue  # an empty dead end is noise
            columns.append(
                BoardColumn(
                    state=state,
                    label=ProjectState(state).label,
                    count=total["count"] if total else 0,
                    support=(total["support"] or 0) if total else 0,
                    approved=(total["approved"] or 0) if total else 0,
                    cards=cards.get(state, []),
                    final=state in FINAL_STATES,
                )
            )
        context.update(
            plan=plan,
            columns=columns,
            total_count=sum(c.count for c in columns),
            total_support=sum(c.support for c in columns),
            list_url=f"{reverse('projects:list')}?year={plan.year}&level={plan.level}",
        )
        return render(request, "projects/board.html", context)
