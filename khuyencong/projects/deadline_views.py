"""The due and overdue lists (``/projects/deadlines/``): projects with something due, grouped
by province and implementing unit, with who must act, by when and under which rule; its Excel
export reads the same selector (``projects.deadlines.deadline_list``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from khuyencong.kernel.db import QueryTooSlow, statement_timeout
from khuyencong.kernel.scoping import Action, can
from khuyencong.projects.deadline_filters import DeadlineFilters
from khuyencong.projects.deadlines import RuleBook, attach_due, deadline_list
from khuyencong.projects.models import Project
from khuyencong.projects.selectors import projects
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectListView
from khuyencong.web.pagination import CappedPage, capped_page


def project_url_name() -> str | None:
    """The project page's URL name, once the project pages are installed."""
    try:
        reverse("projects:project_detail", args=[1])
    except NoReverseMatch:
        return None
    return "projects:project_detail"


def shown(spec) -> dict:
    """Which due items the list shows: those of the chosen item and overdue state, if chosen."""
    if spec is None or not spec.is_bound or not spec.is_valid():
        return {}
    data = spec.cleaned_data
    return {"key": data.get("due") or None, "overdue": data.get("overdue")}


class DeadlineMixin:
    model = Project
    filterset = DeadlineFilters
    selector = staticmethod(deadline_list)

    def base_queryset(self):
        return projects()

    def url_name(self, suffix: str) -> str:
        return f"deadlines:{suffix}"


EXPORT_COLUMNS = [
    Column("province", gettext_lazy("Province")),
    Column("implementing_unit", gettext_lazy("Implementing unit")),
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Name")),
    Column("year", gettext_lazy("Year")),
    Column("get_level_display", gettext_lazy("Level")),
    Column("get_state_display", gettext_lazy("State")),
    Column("next_due.label", gettext_lazy("What is due")),
    Column("next_due.actor_role", gettext_lazy("Who must act")),
    Column("next_due.actor_unit", gettext_lazy("Org unit")),
    Column("next_due.due_date", gettext_lazy("Due by")),
    Column("next_due.overdue", gettext_lazy("Overdue")),
    Column("next_due.days_late", gettext_lazy("Days late")),
    Column("next_due.rule_name", gettext_lazy("Rule")),
    Column("next_due.legal_document", gettext_lazy("Legal basis")),
]


class DeadlineListView(DeadlineMixin, ObjectListView):
    template_name = "projects/deadlines.html"
    columns = EXPORT_COLUMNS
    page_size = 50

    def get(self, request, *args, **kwargs):
        if not can(request.user, Action.VIEW, Project):
            raise PermissionDenied
        spec = self.get_filters()
        rows = self.read(user=request.user, action=Action.VIEW, filters=spec)
        too_slow = False
        try:
            with statement_timeout(settings.KC_LIST_STATEMENT_TIMEOUT_MS):
                page = capped_page(rows, request.GET.get("page"), self.page_size, self.count_cap)
        except QueryTooSlow:
            page, too_slow = CappedPage([], 1, self.page_size, None, False, False), True
        attach_due(page.object_list, today=timezone.localdate(), **shown(spec))
        groups: list[dict] = []
        for project in page.object_list:
            key = (project.province_id, project.implementing_unit_id)
            if not groups or groups[-1]["key"] != key:
                groups.append({"key": key, "province": project.province, "unit": project.implementing_unit, "rows": []})
            groups[-1]["rows"].append(project)
        context = {
            "too_slow": too_slow,
            "page": page,
            "groups": groups,
            "filter_form": spec,
            "can_export": can(request.user, Action.EXPORT, Project),
            "project_url_name": project_url_name(),
            "today": timezone.localdate(),
        }
        return render(request, self.template_name, context)


class DeadlineExportView(DeadlineMixin, ObjectExportView):
    columns = EXPORT_COLUMNS

    def export(self, queryset, user, params, progress=None):
        self._shown = shown(DeadlineFilters(params, user=user))
        return super().export(queryset, user, params, progress)

    def prepare_chunk(self, objects: list) -> None:
        if not hasattr(self, "_book"):
            self._book = RuleBook()
        attach_due(objects, book=self._book, **getattr(self, "_shown", {}))
