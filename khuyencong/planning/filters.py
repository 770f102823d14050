"""The filters and sort orders of the programme and plan lists: one definition for the pages,
the API and the exports (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.planning.models import AnnualPlan, Programme
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

LEVELS = [("", _("All levels")), *Level.choices]


def _province_field() -> ReferenceField:
    return ReferenceField(
        label=_("Province"),
        queryset=Province.objects.current(),
        to_field_name="code",
        empty_label=_("All provinces"),
    )


def _provinces_in_reach(spec: FilterSpec, model) -> None:
    reach = user_scope(spec.user, Action.VIEW, model)
    spec.fields["province"].queryset = reach.limit_provinces(Province.objects.current()).order_by(
        vi_order("short_name")
    )


class ProgrammeFilters(FilterSpec):
    level = forms.ChoiceField(label=_("Level"), choices=LEVELS)
    province = _province_field()
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    search_field = "folded_name"
    sorts = ("name", "start_year", "level")
    default_sort = ("-start_year", "-level", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _provinces_in_reach(self, Programme)

    def filter_year(self, queryset, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class PlanFilters(FilterSpec):
    level = forms.ChoiceField(label=_("Level"), choices=LEVELS)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = _province_field()
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *AnnualPlan.State.choices])

    search_field = "folded_name"
    sorts = ("year", "name", "province__name", "declared_total", "state")
    default_sort = ("-year", "-level", "province__name", "name")  # the national plan first

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _provinces_in_reach(self, AnnualPlan)
