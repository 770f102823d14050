"""The filters and sort orders of the mission list and the follow-up list: one definition for the
pages, their exports and the API (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.inspections.models import FollowUp, FollowUpStatus, InspectionMission, MissionState
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province


def _provinces(user, model) -> object:
    reach = user_scope(user, Action.VIEW, model)
    provinces = Province.objects.current().order_by(vi_order("short_name"))
    if not reach.everywhere:
        provinces = provinces.filter(pk__in=sorted(reach.province_ids) or [0])
    return provinces


class MissionFilters(FilterSpec):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices])
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *MissionState.choices])

    search_field = "folded_name"
    sorts = ("start_date", "name", "state", "year")
    default_sort = ("-start_date",)
    sort_columns = {"year": ("plan__year", "start_date"), "name": ("folded_name",)}
    lookups = {"year": "plan__year", "level": "plan__level"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _provinces(self.user, InspectionMission)

    def filter_province(self, queryset, value):
        return queryset.filter(pk__in=InspectionMission.provinces.through.objects.filter(province=value)
                               .values("inspectionmission_id"))  # fmt: skip


OVERDUE = "overdue"


class FollowUpFilters(FilterSpec):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *FollowUpStatus.choices, (OVERDUE, pgettext_lazy("follow-up status", "Overdue"))],
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    mission = ReferenceField(
        label=_("Mission"), queryset=InspectionMission.objects.none(), empty_label=_("All missions")
    )

    search_field = "finding__mission__folded_name"

    # Open before done ("open" > "done"), then the earliest due first: the overdue ones lead.
    sorts = ("due_date", "status")
    default_sort = ("-status", "due_date")
    sort_columns = {"status": ("status",), "due_date": ("due_date",)}
    lookups = {"year": "finding__mission__plan__year", "province": "finding__province", "mission": "finding__mission"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _provinces(self.user, FollowUp)
        missions = restrict(InspectionMission.objects.all(), self.user, Action.VIEW).distinct()
        self.fields["mission"].queryset = missions.order_by("-start_date", "-pk")

    def filter_status(self, queryset, value):
        if value == OVERDUE:
            return queryset.filter(Q(status=FollowUpStatus.OPEN) & Q(due_date__lt=timezone.localdate()))
        return queryset.filter(status=value)
