"""The filters and sort orders of the allocation list and the ledger: one definition for the pages,
their exports and the API (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import FundingSource
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

UNIT_KINDS = [
    OrgUnit.Kind.AGENCY,
    OrgUnit.Kind.REGIONAL_CENTRE,
    OrgUnit.Kind.DOIT,
    OrgUnit.Kind.PROVINCIAL_CENTRE,
    OrgUnit.Kind.IMPLEMENTING_UNIT,
]


def _reach_choices(spec: FilterSpec, model) -> None:
    """Offer only the provinces and units in the user's reach (never an empty ``IN ()``)."""
    reach = user_scope(spec.user, Action.VIEW, model)
    places = set(reach.province_ids) | set(
        OrgUnit.objects.filter(pk__in=sorted(reach.org_unit_ids), province__isnull=False).values_list(
            "province", flat=True
        )
    ) or {0}
    provinces = Province.objects.current().order_by(vi_order("short_name"))
    spec.fields["province"].queryset = provinces if reach.everywhere else provinces.filter(pk__in=sorted(places))
    units = OrgUnit.objects.filter(kind__in=UNIT_KINDS, is_active=True).order_by(vi_order("name"))
    if not reach.everywhere:
        units = units.filter(province__in=sorted(places)) | units.filter(pk__in=sorted(reach.org_unit_ids) or [0])
    spec.fields["unit"].queryset = units


def _province_field():
    return ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )


def _unit_field():
    return ReferenceField(
        label=_("Implementing unit"), queryset=OrgUnit.objects.none(), to_field_name="code", empty_label=_("All units")
    )


class AllocationFilters(FilterSpec):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    province = _province_field()
    unit = _unit_field()
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=[("", _("All sources")), *FundingSource.choices]
    )

    sorts = ("decision_date", "amount", "year", "decision_number")
    default_sort = ("-year", "-decision_date")
    sort_columns = {"year": ("year", "decision_date"), "decision_number": ("decision_number",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _reach_choices(self, Allocation)


class LedgerFilters(FilterSpec):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = _province_field()
    unit = _unit_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *EntryKind.choices])
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *EntryStatus.choices])
    project = forms.CharField(label=_("Project code"), max_length=40)
    date_from = forms.DateField(label=_("From"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    date_to = forms.DateField(label=_("To"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    sorts = ("entry_date", "amount", "status", "kind")
    default_sort = ("-entry_date",)
    sort_columns = {"entry_date": ("entry_date",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _reach_choices(self, LedgerEntry)
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["placeholder"] = "dd/mm/yyyy"

    def filter_project(self, queryset, value):
        return queryset.filter(project__code=value.strip().upper())

    def filter_date_from(self, queryset, value):
        return queryset.filter(entry_date__gte=value)

    def filter_date_to(self, queryset, value):
        return queryset.filter(entry_date__lte=value)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned
