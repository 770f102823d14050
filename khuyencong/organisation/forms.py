from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
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

    # Kinds a provincial editor may create or edit: none of them widens anyone's reach.
    LOCAL_KINDS = (OrgUnit.Kind.IMPLEMENTING_UNIT, OrgUnit.Kind.COMMUNE_COMMITTEE, OrgUnit.Kind.ESTABLISHMENT)
    REACH_FIELDS = ("kind", "region", "parent", "province")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = (
            self.fields["province"].queryset.filter(valid_to__isnull=True).order_by(vi_order("short_name"))
        )
        action = Action.CHANGE if self.instance.pk else Action.ADD
        if user_scope(self.user, action, OrgUnit).everywhere:
            return
        # A unit's kind, region, parent and province decide how far the people acting for it
        # reach (organisation.services.reach_of): only nationwide editors may set them freely.
        self.fields["region"].disabled = True
        self.fields["kind"].choices = [c for c in OrgUnit.Kind.choices if c[0] in self.LOCAL_KINDS]
        if self.instance.pk and self.instance.kind not in self.LOCAL_KINDS:
            for name in self.REACH_FIELDS:
                self.fields[name].disabled = True
            self.fields["kind"].choices = OrgUnit.Kind.choices


class OrgUnitFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds"))] + list(OrgUnit.Kind.choices))
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.current().order_by(vi_order("short_name")),
        empty_label=_("All provinces"),
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("province"):
            queryset = queryset.filter(province=data["province"])
        return queryset
