from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine, LegalForm
from khuyencong.registry.services import eligible_q
from khuyencong.territory.models import Commune, Province
from khuyencong.web.forms import FilterForm, ScopedModelForm


def clean_tax_code(value: str | None) -> str | None:
    """Validate a Vietnamese tax code (10 digits, or 13 with a branch suffix) and store it compact."""
    if not value:
        return None
    try:
        return mst.validate(value)
    except StdnumError:
        raise ValidationError(_("The tax code %(code)s is not valid (wrong length or check digit).") % {"code": value})


class CommuneCodeField(forms.CharField):
    """A current commune typed by its official code (a 3,321-option select is unusable)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        commune = Commune.objects.current().select_related("province").filter(code=value.zfill(5)).first()
        if commune is None:
            raise ValidationError(_("No commune in force has the code %(code)s.") % {"code": value})
        return commune

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).only("code").first()
            return commune.code if commune else value
        return value


class CommuneInReachMixin:
    """The chosen commune must lie in a province the user may write this record in."""

    def clean_commune(self):
        commune = self.cleaned_data.get("commune")
        action = Action.CHANGE if self.instance.pk else Action.ADD
        reach = user_scope(self.user, action, self._meta.model)
        if commune is not None and not reach.everywhere and commune.province_id not in reach.province_ids:
            raise ValidationError(_("This commune is outside the provinces you manage."))
        return commune


class EstablishmentForm(CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(label=_("Commune code"), help_text=_("The 5-digit code of the commune in force."))

    class Meta:
        model = Establishment
        fields = [
            "name", "legal_form", "tax_code", "registration_number", "owner_name", "owner_gender",
            "address", "commune", "craft_village", "industry_lines", "main_products", "workers_total",
            "workers_women", "workers_ethnic_minority", "annual_revenue", "founding_year", "phone", "email",
            "latitude", "longitude", "status", "women_owned", "ethnic_minority_workers", "disadvantaged_area",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["craft_village"].queryset = self.fields["craft_village"].queryset.order_by(vi_order("name"))
        self.fields["industry_lines"].queryset = IndustryLine.objects.filter(valid_to__isnull=True)
        self.fields["industry_lines"].required = False

    def clean_tax_code(self):
        return clean_tax_code(self.cleaned_data.get("tax_code"))

    def clean(self):
        data = super().clean()
        tax_code = data.get("tax_code")
        if tax_code:
            clash = Establishment.objects.filter(tax_code=tax_code).exclude(pk=self.instance.pk).first()
            if clash is not None:
                self.add_error("tax_code", _("Another establishment already has this tax code."))
        return data


class CraftVillageForm(CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(label=_("Commune code"))

    class Meta:
        model = CraftVillage
        fields = ["name", "commune", "recognised", "decision_number", "decision_date", "crafts"]
        widgets = {"decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class EstablishmentFilterForm(FilterForm):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.current().order_by(vi_order("short_name")),
        empty_label=_("All provinces"),
    )
    legacy_province = forms.ModelChoiceField(
        label=_("Province before 1/7/2025"),
        queryset=Province.objects.legacy().order_by(vi_order("short_name")),
        empty_label=_("All provinces"),
    )
    commune = forms.CharField(label=_("Commune code"))
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=[("", _("All forms")), *LegalForm.choices])
    industry_line = forms.ModelChoiceField(
        label=_("Industry line"), queryset=IndustryLine.objects.all(), empty_label=_("All lines")
    )
    craft_village = forms.ModelChoiceField(
        label=_("Craft village"), queryset=CraftVillage.objects.none(), empty_label=_("All villages")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *Establishment.Status.choices])
    women_owned = forms.ChoiceField(label=_("Women-owned"), choices=YES_NO)
    ethnic_minority_workers = forms.ChoiceField(label=_("Ethnic-minority workers"), choices=YES_NO)
    disadvantaged_area = forms.ChoiceField(label=_("Disadvantaged area"), choices=YES_NO)
    eligible = forms.ChoiceField(label=_("Eligible today"), choices=YES_NO)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(self.user, Action.VIEW, Establishment)
        if not reach.everywhere:
            self.fields["province"].queryset = Province.objects.filter(pk__in=reach.province_ids).order_by(
                vi_order("short_name")
            )
            self.fields["legacy_province"].queryset = Province.objects.filter(
                successor__in=reach.province_ids
            ).order_by(vi_order("short_name"))
        villages = CraftVillage.objects.restrict(self.user, Action.VIEW).order_by(vi_order("name"))
        self.fields["craft_village"].queryset = villages

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("province"):
            queryset = queryset.filter(province=data["province"])
        if data.get("legacy_province"):
            queryset = queryset.filter(legacy_commune__province=data["legacy_province"])
        if data.get("commune"):
            queryset = queryset.filter(commune__code=data["commune"].strip().zfill(5))
        for field in ("legal_form", "status"):
            if data.get(field):
                queryset = queryset.filter(**{field: data[field]})
        if data.get("industry_line"):
            queryset = queryset.filter(industry_lines=data["industry_line"])
        if data.get("craft_village"):
            queryset = queryset.filter(craft_village=data["craft_village"])
        for flag in ("women_owned", "ethnic_minority_workers", "disadvantaged_area"):
            if data.get(flag) in {"0", "1"}:
                queryset = queryset.filter(**{flag: data[flag] == "1"})
        if data.get("eligible") == "1":
            queryset = queryset.filter(eligible_q())
        elif data.get("eligible") == "0":
            queryset = queryset.exclude(eligible_q())
        return queryset


class CraftVillageFilterForm(FilterForm):
    recognised = forms.ChoiceField(label=_("Recognised"), choices=YES_NO)

    def filter(self, queryset):
        if self.cleaned_data.get("recognised") in {"0", "1"}:
            queryset = queryset.filter(recognised=self.cleaned_data["recognised"] == "1")
        return queryset
