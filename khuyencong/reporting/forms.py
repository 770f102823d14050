"""Forms of the report pages (thin: the rules live in ``validation`` and ``actions``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting.models import ReportForm
from khuyencong.territory.models import Province, Region


class StepForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, needs_comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = needs_comment
        if needs_comment:
            self.fields["comment"].label = _("Why it is returned")


class CompletenessForm(forms.Form):
    form = forms.ModelChoiceField(label=_("Form"), queryset=ReportForm.objects.none(), to_field_name="code",
                                  empty_label=None)  # fmt: skip
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), to_field_name="code",
                                      required=False, empty_label=_("All provinces"))  # fmt: skip
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), to_field_name="code",
                                    required=False, empty_label=_("All regions"))  # fmt: skip
    # A unit and its sub-units (the dashboards' unit scope links here); kept as a hidden field.
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), to_field_name="code", required=False,
                                  widget=forms.HiddenInput)  # fmt: skip

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ReportForm.objects.filter(is_active=True).order_by("code")
        self.fields["province"].queryset = provinces if provinces is not None else Province.objects.current()
        self.fields["region"].queryset = Region.objects.filter(kind=Region.Kind.CENTRE).order_by("code")
        self.fields["unit"].error_messages["invalid_choice"] = _("No such unit.")

    def scope_filters(self) -> dict:
        """The matrix's filters of a region (its provinces in force) or a unit (and its sub-units)."""
        data = self.cleaned_data
        out: dict = {}
        if data.get("region") is not None:
            out["province_ids"] = {p.pk for p in data["region"].provinces.all() if p.valid_to is None}
        if data.get("unit") is not None:
            unit = data["unit"]
            out["unit_ids"] = set(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        return out
        self.fields["year"].initial = timezone.localdate().year
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ModelChoiceField)
                else "form-control form-control-sm",
            )


class MaterialiseForm(forms.Form):
    form = forms.ModelChoiceField(queryset=ReportForm.objects.filter(is_active=True), to_field_name="code")
    year = forms.IntegerField(min_value=2000, max_value=2100)
