"""Forms of the plan pages. They translate input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.actions import MAX_AMOUNT, contents_for_year
from khuyencong.planning.models import AnnualPlan, Disruption, FundingSource, PlanLine, PlanVersion, Programme
from khuyencong.rulebook.models import LegalDocument, Level
from khuyencong.tabular import cells
from khuyencong.territory.models import Province

AMOUNT_HELP = _("For example 2.080.000.000, 2,08 tỷ or 150 triệu.")


class _Header:
    def __init__(self, header):
        self.header = header


class AmountField(forms.CharField):
    """Đồng typed as people write them (2.080.000.000, 2,08 tỷ, 150 triệu); read by the importer's
    cell parser so a form and a workbook accept the same things. Negative amounts are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        kwargs.setdefault("help_text", AMOUNT_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        ProhibitNullCharactersValidator()(value)
        try:
            amount = cells.amount(signed=True)(value, _Header(self.label))
        except cells.Invalid as exc:
            raise ValidationError(str(exc)) from None
        if amount < 0:
            raise ValidationError(_("An amount cannot be negative."))
        if amount > MAX_AMOUNT:
            raise ValidationError(_("The amount is too large."))
        return amount

    def prepare_value(self, value):
        return format_vnd(value, unit="") if isinstance(value, int) else value


class StyledForm(forms.Form):
    """Tabler classes on every widget; ``sections`` for ``registry/record_form.html``."""

    wide_fields: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def sections(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
        return [("", [self[name] for name in self.fields])]


def _units(user):
    units = restrict(OrgUnit.objects.active().exclude(kind=OrgUnit.Kind.ESTABLISHMENT), user, Action.VIEW)
    return units.order_by("path")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanCreateForm(StyledForm):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False,
                                      help_text=_("Only for a local plan."))  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Managing unit"), queryset=OrgUnit.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), required=False)
    declared_total = AmountField(label=_("Plan total (đồng)"))
    reason = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"name", "reason"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(user, Action.ADD, AnnualPlan)
        self.fields["province"].queryset = reach.limit_provinces(Province.objects.current()).order_by(
            vi_order("short_name")
        )
        if not reach.everywhere:  # a province's officers make local plans only
            self.fields["level"].choices = [(Level.LOCAL.value, Level.LOCAL.label)]
        self.fields["owner"].queryset = _units(user)
        self.fields["programme"].queryset = restrict(Programme.objects.all(), user, Action.VIEW)


class PlanEditForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Managing unit"), queryset=OrgUnit.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), required=False)
    wide_fields = frozenset({"name"})

    def __init__(self, *args, user, plan: AnnualPlan, **kwargs):
        kwargs.setdefault("initial", {"name": plan.name, "owner": plan.owner_id, "programme": plan.programme_id})
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _units(user)
        self.fields["programme"].queryset = restrict(
            Programme.objects.filter(level=plan.level, province=plan.province), user, Action.VIEW
        )


class LineForm(StyledForm):
    number = forms.CharField(label=_("Line number"), max_length=20, required=False,
                             help_text=_("As in the plan: I, 1, 1.1…"))  # fmt: skip
    parent = forms.ModelChoiceField(label=_("Parent line"), queryset=PlanLine.objects.none(), required=False)
    name = forms.CharField(label=_("Name"), max_length=500)
    content = forms.ModelChoiceField(label=_("Activity content"), queryset=PlanLine.objects.none(), required=False)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    amount = AmountField(label=_("Amount (đồng)"), required=False,
                         help_text=_("Leave empty on a group row: it shows the sum of its rows."))  # fmt: skip
    target_quantity = forms.DecimalField(label=_("Target quantity"), required=False, min_value=0, max_digits=14,
                                         decimal_places=2)  # fmt: skip
    target_unit = forms.CharField(label=_("Target unit"), max_length=60, required=False)
    disruption = forms.ChoiceField(label=_("Disruption"), choices=Disruption.choices, required=False)
    disruption_event = forms.CharField(label=_("Event"), max_length=200, required=False)
    disruption_note = forms.CharField(label=_("Impact"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    implementing_unit = forms.ModelChoiceField(label=_("Implementing unit"), queryset=OrgUnit.objects.none(),
                                               required=False)  # fmt: skip
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    wide_fields = frozenset({"name", "disruption_note"})

    def __init__(self, *args, user, version: PlanVersion, line: PlanLine | None = None, **kwargs):
        if line is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(line, name) for name in ("number", "name", "funding_source", "amount",
                                                              "target_quantity", "target_unit", "disruption",
                                                              "disruption_event", "disruption_note")},
                    "parent": line.parent_id, "content": line.content_id,
                    "implementing_unit": line.implementing_unit_id, "province": line.province_id,
                },
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        plan = version.plan
        parents = version.lines.order_by("position", "pk")
        if line is not None:
            parents = parents.exclude(pk=line.pk)
        self.fields["parent"].queryset = parents
        self.fields["content"].queryset = contents_for_year(plan.year).order_by("-effective_from", "number")
        self.fields["implementing_unit"].queryset = _units(user)
        provinces = Province.objects.current() if plan.year >= 2025 else Province.objects.all()
        if plan.level == Level.LOCAL:
            provinces = Province.objects.filter(pk=plan.province_id)
        self.fields["province"].queryset = provinces.order_by(vi_order("short_name"), "-valid_from")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["amount"] = data.get("amount") or 0
        data["disruption"] = data.get("disruption") or ""
        return data


class ChangeForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(PlanVersion.Kind.ADJUSTED.value, _("Adjustment")),
                 (PlanVersion.Kind.SUPPLEMENTARY.value, _("Supplement"))],
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("E.g. the epidemic, a flood, funds arriving late."))  # fmt: skip
    declared_total = AmountField(label=_("New plan total (đồng)"), required=False,
                                 help_text=_("Leave empty to keep the current total."))  # fmt: skip
    wide_fields = frozenset({"reason"})


class DraftForm(StyledForm):
    declared_total = AmountField(label=_("Declared total (đồng)"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"reason"})


class ApproveForm(StyledForm):
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE,
                                    input_formats=["%Y-%m-%d", "%d/%m/%Y"])  # fmt: skip
    signer = forms.CharField(label=_("Signer"), max_length=200, required=False)
    legal_document = forms.ModelChoiceField(label=_("Legal document"), queryset=LegalDocument.objects.all(),
                                            required=False)  # fmt: skip
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})


class CommentForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})


class ProgrammeForm(StyledForm):
    """A programme's own fields; its target indicators are ``TargetFormSet`` beside it."""

    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    name = forms.CharField(label=_("Name"), max_length=300)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False,
                                      help_text=_("Only for a local programme."))  # fmt: skip
    owner = forms.ModelChoiceField(label=_("Managing unit"), queryset=OrgUnit.objects.none())
    decision = forms.ModelChoiceField(label=_("Approving decision"), queryset=LegalDocument.objects.none(),
                                      required=False)  # fmt: skip
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    wide_fields = frozenset({"name", "summary"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(user, Action.ADD, Programme)
        self.fields["province"].queryset = reach.limit_provinces(Province.objects.current()).order_by(
            vi_order("short_name")
        )
        if not reach.everywhere:  # a province keeps its own local programmes only
            self.fields["level"].choices = [(Level.LOCAL.value, Level.LOCAL.label)]
        self.fields["owner"].queryset = _units(user)
        self.fields["decision"].queryset = LegalDocument.objects.filter(
            doc_type__in=[LegalDocument.Type.DECISION, LegalDocument.Type.RESOLUTION]
        ).order_by("-issued_on", "number")


class TargetForm(StyledForm):
    name = forms.CharField(label=_("Indicator"), max_length=300, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    target_value = forms.IntegerField(label=_("Target value"), min_value=0, required=False)


TargetFormSet = forms.formset_factory(TargetForm, extra=3, can_delete=True)
