"""The filters of the settlement list: one definition for the page, its export and the API."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyencong.finance.models import Settlement, SettlementState
from khuyencong.kernel.filters import FilterSpec, ReferenceField, YesNoField
from khuyencong.kernel.scoping import user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

TO_CHECK, TO_APPROVE = "check", "approve"


class SettlementFilters(FilterSpec):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *SettlementState.choices])
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    todo = forms.ChoiceField(
        label=_("Awaiting"),
        choices=[("", _("Everything")), (TO_CHECK, _("To check")), (TO_APPROVE, _("To approve"))],
    )

    search_field = "project__folded_name"
    sorts = ("submitted_on", "year", "settled_amount")
    default_sort = ("-submitted_on",)
    sort_columns = {"submitted_on": ("submitted_on",), "year": ("year", "submitted_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.current().order_by(vi_order("short_name"))

    def filter_todo(self, queryset, value):
        return queryset.filter(awaiting_q(self.user, value))


def awaiting_q(user, todo: str) -> Q:
    """Settlements waiting for ``user``'s step: the finance department's check of a local dossier,
    or the approval (national: the Agency; local: the province, once checked)."""
    if todo == TO_CHECK:
        reach = user_scope(user, "check_settlement", Settlement)
        return Q(state=SettlementState.SUBMITTED, level=Level.LOCAL) & reach.q(Settlement)
    national = user_scope(user, "approve_settlement", Settlement)
    local = user_scope(user, "approve_settlement_local", Settlement)
    return (Q(state=SettlementState.SUBMITTED, level=Level.NATIONAL) & national.q(Settlement)) | (
        Q(state=SettlementState.CHECKED, level=Level.LOCAL) & local.q(Settlement)
    )


class AcceptanceFilters(FilterSpec):
    """The acceptance records of the API list: by project code, year and result."""

    project = forms.CharField(label=_("Project code"), max_length=40)
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    passed = YesNoField(label=_("Passed"))

    default_sort = ("-accepted_on",)
    lookups = {"year": "project__year"}

    def filter_project(self, queryset, value):
        return queryset.filter(project__code=value.strip().upper())
