"""The filters of the document centre: one definition for the page, its export and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.documents import registry
from khuyencong.documents.models import GeneratedDocument
from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.territory.models import Province


class DocumentFilters(FilterSpec):
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    province = ReferenceField(
        label=_("Province"), queryset=Province.objects.current(), to_field_name="code", empty_label=_("All provinces")
    )
    year = forms.IntegerField(label=_("Year made"), min_value=2000, max_value=2100)

    sorts = ("created_at",)
    default_sort = ("-created_at", "-pk")
    lookups = {"year": "created_at__year"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [(k.key, k.label) for k in registry.all_kinds()]
        self.fields["kind"].widget.choices = self.fields["kind"].choices
        reach = user_scope(self.user, Action.VIEW, GeneratedDocument)
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        if not reach.everywhere:
            provinces = provinces.filter(pk__in=sorted(reach.province_ids) or [0])
        self.fields["province"].queryset = provinces
