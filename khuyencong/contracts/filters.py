"""The filters and sort orders of the contract list: one definition for the page, the API and the
export (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province


class ContractFilters(FilterSpec):
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *ContractState.choices])
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ContractKind.choices])
    project = forms.IntegerField(label=_("Project"), min_value=1, max_value=2**62, widget=forms.HiddenInput)

    search_field = "folded_name"
    sorts = ("signed_on", "number", "value", "state", "year")
    default_sort = ("-signed_on",)
    sort_columns = {"year": ("project__year", "signed_on"), "number": ("number",)}
    lookups = {"year": "project__year", "level": "project__level", "province": "project__province"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Contract)
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        self.fields["province"].queryset = provinces if reach.everywhere else reach.limit_provinces(provinces)
