"""The filters and sort orders of the contract list: one definition for the page, the API and the
export (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
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
    project = forms.CharField(label=_("Project code"), max_length=40)

    search_field = "folded_name"
    sorts = ("signed_on", "number", "value", "state", "year")
    default_sort = ("-signed_on",)
    sort_columns = {"year": ("project__year", "signed_on"), "number": ("number",)}
    lookups = {"year": "project__year", "level": "project__level", "province": "project__province"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Contract)
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        if not reach.everywhere:
            # An implementer reaches its units' projects: the provinces those units sit in.
            units = OrgUnit.objects.filter(pk__in=sorted(reach.org_unit_ids)) if reach.org_unit_ids else None
            ids = set(reach.province_ids) | set(units.values_list("province_id", flat=True) if units else ())
            provinces = provinces.filter(pk__in=sorted(i for i in ids if i) or [0])
        self.fields["province"].queryset = provinces

    def filter_project(self, queryset, value):
        return queryset.filter(project__code=value.strip().upper())
