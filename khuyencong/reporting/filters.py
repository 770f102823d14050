"""The filters of the report list: one definition for the page, the API and the export."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.reporting.models import OPEN_STATES, Report, ReportForm, ReportState
from khuyencong.territory.models import Province

DUE_SOON_DAYS = 15


class ReportFilters(FilterSpec):
    form = ReferenceField(label=_("Form"), queryset=ReportForm.objects.all(), to_field_name="code",
                          empty_label=_("All forms"))  # fmt: skip
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *ReportState.choices])
    status = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("", _("All reports")),
            ("due", _("Due soon")),
            ("missing", _("Missing (overdue)")),
            ("returned", _("Returned")),
            ("to_review", _("Awaiting review")),
        ],
    )

    search_field = "org_unit__folded_name"
    sorts = ("due_on", "period_start", "state")
    default_sort = ("-period_start", "org_unit__path")
    sort_columns = {"period_start": ("period_start", "org_unit__path")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Report)
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        if not reach.everywhere:
            provinces = provinces.filter(pk__in=sorted(reach.province_ids) or [0])
        self.fields["province"].queryset = provinces

    def filter_status(self, queryset, value):
        return queryset.filter(status_q(value))


def status_q(value: str, today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    if value == "due":
        return Q(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
                 period_end__lt=today)  # fmt: skip
    if value == "missing":
        return Q(state__in=(ReportState.EXPECTED, ReportState.DRAFT), due_on__lt=today)
    if value == "returned":
        return Q(state=ReportState.RETURNED)
    if value == "to_review":
        return Q(state=ReportState.SUBMITTED)
    return Q()
