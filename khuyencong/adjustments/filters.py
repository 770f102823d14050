"""The filters of the adjustment list: one definition for the page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.adjustments.models import AdjustmentKind, AdjustmentState
from khuyencong.kernel.filters import FilterSpec


class AdjustmentFilters(FilterSpec):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *AdjustmentState.choices])
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *AdjustmentKind.choices])
    project = forms.IntegerField(label=_("Project"), min_value=1, max_value=2**62)

    search_field = "project__folded_name"
    sorts = ("proposed_on", "state")
    default_sort = ("-proposed_on",)
