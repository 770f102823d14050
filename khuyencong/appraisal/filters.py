"""The filters and sort orders of the council list: one definition for the page, the API and the
export (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.appraisal.models import Council
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province


class CouncilFilters(FilterSpec):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *Council.State.choices])

    search_field = "folded_name"
    sorts = ("year", "name", "level", "state")
    default_sort = ("-year", "level", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Council)
        self.fields["province"].queryset = reach.limit_provinces(Province.objects.current()).order_by(
            vi_order("short_name")
        )
