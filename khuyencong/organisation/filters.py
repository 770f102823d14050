"""The org-unit list's filters and sort orders (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province


class OrgUnitFilters(FilterSpec):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *OrgUnit.Kind.choices])
    province = ReferenceField(
        label=_("Province"),
        queryset=Province.objects.current().order_by(vi_order("short_name")),
        to_field_name="code",
        empty_label=_("All provinces"),
    )

    search_field = "folded_name"
    sorts = ("code", "name", "kind", "province__name")
    default_sort = ("path",)
