"""Forms of the report pages (thin: the rules live in ``validation`` and ``actions``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting.models import IndicatorKind, PeriodType, ReportForm
from khuyencong.rulebook.models import Level
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
        self.fields["year"].initial = timezone.localdate().year
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ModelChoiceField)
                else "form-control form-control-sm",
            )

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


class MaterialiseForm(forms.Form):
    form = forms.ModelChoiceField(queryset=ReportForm.objects.filter(is_active=True), to_field_name="code")
    year = forms.IntegerField(min_value=2000, max_value=2100)


# --- managing forms and assignments (form_views.py; the rules are in actions.save_report_form / assign_form) ---


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class ReportFormForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=300)
    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices)
    level = forms.ChoiceField(
        label=_("Sent to"),
        choices=Level.choices,
        help_text=_("National: the Agency reviews the reports; local: the Department of the province."),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


def source_choices() -> list[tuple[str, str]]:
    from khuyencong.reporting import sources

    known = {key: str(source.label) for key, source in sources.registered().items()}
    return [("", _("— typed by the unit —")), *sorted(known.items(), key=lambda item: item[0])]


class IndicatorRowForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices, initial=IndicatorKind.INTEGER)
    min_value = forms.CharField(label=_("Smallest allowed"), max_length=30, required=False)
    max_value = forms.CharField(label=_("Largest allowed"), max_length=30, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    source = forms.ChoiceField(label=_("System figure"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()
        _styled(self)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("code") or "").strip() and not (data.get("name") or "").strip()


IndicatorFormSet = forms.formset_factory(IndicatorRowForm, extra=3, max_num=200)


class AssignmentForm(forms.Form):
    unit_kind = forms.ChoiceField(label=_("Every unit of the kind"), required=False)
    units = forms.ModelMultipleChoiceField(label=_("Or the units named"), required=False,
                                           queryset=OrgUnit.objects.none(), to_field_name="code")  # fmt: skip
    from_year = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2100)
    to_year = forms.IntegerField(label=_("To year"), min_value=2000, max_value=2100, required=False,
                                 help_text=_("Empty: every year from then on."))  # fmt: skip
    due_days = forms.IntegerField(label=_("Days after the period"), min_value=0, max_value=365, initial=15)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_kind"].choices = [("", _("— named units —")), *OrgUnit.Kind.choices]
        units = OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.ESTABLISHMENT).order_by("path")
        self.fields["units"].queryset = units
        self.fields["units"].widget.attrs["size"] = 10
        self.fields["from_year"].initial = timezone.localdate().year
        _styled(self)
