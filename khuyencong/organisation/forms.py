from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province
from khuyencong.web.forms import FilterForm, ScopedModelForm


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "province",
            "region",
            "address",
            "phone",
            "email",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = (
            self.fields["province"].queryset.filter(valid_to__isnull=True).order_by("name")
        )


class OrgUnitFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds"))] + list(OrgUnit.Kind.choices))
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.current().order_by("name"), empty_label=_("All provinces")
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("province"):
            queryset = queryset.filter(province=data["province"])
        return queryset
