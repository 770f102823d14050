"""The filters of the due and overdue lists (page, export, API): the project list's filters
(province current or legacy, unit, year, level…, ``overdue``) plus what is due."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.projects.deadlines import RULES_BY_KEY, due_q, overdue_q
from khuyencong.projects.filters import ProjectFilters


def _due_choices():
    seen: dict[str, str] = {}
    for key, rule in RULES_BY_KEY.items():
        seen.setdefault(key, rule.label)
    return [("", _("Everything due")), *seen.items()]


class DeadlineFilters(ProjectFilters):
    due = forms.ChoiceField(label=_("What is due"), choices=_due_choices)

    sorts = ("province", "year", "name", "code")
    default_sort = ("province",)
    sort_columns = {
        "name": ("name_key", "id"),
        # grouped by province (in the territory's order), then implementing unit
        "province": ("province_id", "implementing_unit_id", "year", "name_key", "id"),
    }

    def filter_due(self, queryset, value):
        return queryset.filter(due_q([value]))

    def filter_overdue(self, queryset, value):
        year = self.cleaned_data.get("year")
        due = self.cleaned_data.get("due")
        late = overdue_q(years=[year] if year else None, keys=[due] if due else None)
        return queryset.filter(late) if value else queryset.exclude(late)
