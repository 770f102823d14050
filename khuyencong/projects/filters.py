"""The filters and sort orders of the project list: one definition for the page, the API, the
exports and later the dashboards (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField, YesNoField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import Disruption
from khuyencong.projects.deadlines import overdue_q
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Province


class ProjectFilters(FilterSpec):
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *ProjectState.choices])
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    legacy_province = ReferenceField(
        label=_("Province before 1/7/2025"),
        queryset=Province.objects.legacy(),
        to_field_name="code",
        empty_label=_("All provinces"),
    )
    implementing_unit = ReferenceField(
        label=_("Implementing unit"), queryset=OrgUnit.objects.none(), to_field_name="code", empty_label=_("All units")
    )
    content = ReferenceField(
        label=_("Activity content"),
        queryset=ActivityContent.objects.all(),
        to_field_name="code",
        empty_label=_("All contents"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ProjectKind.choices])
    disruption = forms.ChoiceField(
        label=_("Disruption"),
        choices=[("", _("Any")), ("any", _("Any disruption")), *[c for c in Disruption.choices if c[0]]],
    )
    overdue = YesNoField(label=_("Overdue"))

    search_field = "folded_name"
    sorts = ("name", "code", "year", "state", "support_amount", "approved_support", "province")
    default_sort = ("-year", "name")
    sort_columns = {
        "name": ("name_key", "id"),
        "province": ("province_id", "name_key", "id"),
        "code": ("code",),
        "year": ("year", "name_key", "id"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Project)
        # The provinces in reach, and those of the units reached (an implementer reaches its own unit's
        # projects only): never an empty IN (), which cannot be rendered as a choice list's SQL.
        places = set(reach.province_ids) | set(
            OrgUnit.objects.filter(pk__in=sorted(reach.org_unit_ids), province__isnull=False).values_list(
                "province", flat=True
            )
        ) or {0}
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        self.fields["province"].queryset = provinces if reach.everywhere else provinces.filter(pk__in=sorted(places))
        legacy = Province.objects.legacy().order_by(vi_order("short_name"))
        if not reach.everywhere:
            legacy = legacy.filter(successor__in=sorted(places))
        self.fields["legacy_province"].queryset = legacy
        units = OrgUnit.objects.filter(
            kind__in=[
                OrgUnit.Kind.AGENCY,
                OrgUnit.Kind.REGIONAL_CENTRE,
                OrgUnit.Kind.DOIT,
                OrgUnit.Kind.PROVINCIAL_CENTRE,
                OrgUnit.Kind.IMPLEMENTING_UNIT,
            ],
            is_active=True,
        ).order_by(vi_order("name"))
        if not reach.everywhere:
            units = units.filter(province__in=sorted(places)) | units.filter(pk__in=sorted(reach.org_unit_ids) or [0])
        self.fields["implementing_unit"].queryset = units

    def filter_disruption(self, queryset, value):
        if value == "any":
            return queryset.exclude(disruption="")
        return queryset.filter(disruption=value)

    def filter_overdue(self, queryset, value):
        """Something due is past its date (``projects.deadlines``: one filter from the rules)."""
        year = self.cleaned_data.get("year")
        late = overdue_q(years=[year] if year else None)
        return queryset.filter(late) if value else queryset.exclude(late)
