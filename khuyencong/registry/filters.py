"""The filters and sort orders of the registry lists: one definition for the page, the API,
exports and reports (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField, YesNoField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine, LegalForm
from khuyencong.registry.picker import VillagePicker
from khuyencong.registry.services import eligibility_filter
from khuyencong.territory.models import Commune, Province

commune_code = RegexValidator(r"^\d{1,5}$", _("Type the commune's code in digits, e.g. 18073."))


class ProvinceField(ReferenceField):
    """A province chosen by its official code (as in the API and in official statistics)."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("empty_label", _("All provinces"))
        super().__init__(queryset=queryset.order_by(vi_order("short_name")), to_field_name="code", **kwargs)


def _provinces_in_reach(spec: FilterSpec, model) -> None:
    """Offer only the provinces (current, and before 1/7/2025) the user may see records in."""
    reach = user_scope(spec.user, Action.VIEW, model)
    if reach.everywhere:
        return
    if "province" in spec.fields:
        spec.fields["province"].queryset = reach.limit_provinces(
            Province.objects.current().order_by(vi_order("short_name"))
        )
    if "legacy_province" in spec.fields:
        spec.fields["legacy_province"].queryset = Province.objects.filter(successor__in=reach.province_ids).order_by(
            vi_order("short_name")
        )


class EstablishmentFilters(FilterSpec):
    province = ProvinceField(Province.objects.current(), label=_("Province"))
    legacy_province = ProvinceField(Province.objects.legacy(), label=_("Province before 1/7/2025"))
    commune = forms.CharField(label=_("Commune code"), validators=[commune_code])
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=[("", _("All forms")), *LegalForm.choices])
    industry_line = ReferenceField(
        label=_("Industry line"),
        queryset=IndustryLine.objects.filter(valid_to__isnull=True),
        to_field_name="code",
        empty_label=_("All lines"),
    )
    craft_village = ReferenceField(
        label=_("Craft village"), queryset=CraftVillage.objects.none(), empty_label=_("All villages")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *Establishment.Status.choices])
    women_owned = YesNoField(label=_("Women-owned"))
    ethnic_minority_workers = YesNoField(label=_("Ethnic-minority workers"))
    disadvantaged_area = YesNoField(label=_("Disadvantaged area"))
    eligible = YesNoField(label=_("Eligible today"))

    search_field = "search_text"
    # With a search and no sort chosen, newest first: sorting every match by name is what makes a
    # common term slow on a big table (bench/README.md, registry-performance.md).
    search_sort = ("-id",)
    # Every order offered walks an index of live rows (registry.models): the name by its stored
    # Vietnamese sort key; legal form and status, then name (the same indexes serve a filter on
    # either, sorted by name); "province" groups the rows by province in the territory's own order
    # (the provinces' ids, loaded by official code: Hà Nội first), then by name, because sorting a
    # nationwide list by the provinces' names would need a join and a sort of the whole table.
    sorts = ("name", "tax_code", "legal_form", "province", "workers_total", "status")
    sort_columns = {
        "name": ("name_key",),
        "province": ("province_id", "name_key"),
        "legal_form": ("legal_form", "name_key"),
        "status": ("status", "name_key"),
        "tax_code": ("tax_code",),
    }
    default_sort = ("name",)
    lookups = {"industry_line": "industry_lines"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _provinces_in_reach(self, Establishment)
        # Thousands of villages: a search-as-you-type picker, not a drop-down (registry.picker).
        self.fields["craft_village"].queryset = CraftVillage.objects.restrict(self.user, Action.VIEW)
        self.fields["craft_village"].widget = VillagePicker(attrs={"class": "form-control form-control-sm"})

    def filter_commune(self, queryset, value):
        # The commune's id first (its own small table), then the establishments by that id: the
        # planner sees ``commune_id = n`` and uses its index; an unknown code reads nothing.
        ids = list(Commune.objects.filter(code=value.zfill(5)).values_list("pk", flat=True))
        return queryset.filter(commune_id__in=ids) if ids else queryset.none()

    def filter_legacy_province(self, queryset, value):
        ids = list(Commune.objects.filter(province=value).values_list("pk", flat=True))
        return queryset.filter(legacy_commune_id__in=ids) if ids else queryset.none()

    def filter_eligible(self, queryset, value):
        # Semi-joins on communes and villages, both ways written as a filter (registry.eligibility).
        return queryset.filter(eligibility_filter(value))


class CraftVillageFilters(FilterSpec):
    province = ProvinceField(Province.objects.current(), label=_("Province"))
    recognised = YesNoField(label=_("Recognised"))

    search_field = "folded_name"
    sorts = ("name", "province__name", "recognised")
    default_sort = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _provinces_in_reach(self, CraftVillage)
