"""Forms of the report pages (thin: the rules live in ``validation`` and ``actions``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.reporting.models import ReportForm
from khuyencong.territory.models import Province


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

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ReportForm.objects.filter(is_active=True).order_by("code")
        self.fields["province"].queryset = provinces if provinces is not None else Province.objects.current()
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
