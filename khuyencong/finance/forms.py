"""Forms of the money pages. They translate input (amounts as people type them, dd/mm/yyyy
dates, records picked by name); the rules live in ``finance.actions``."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.finance.actions import ALLOCATE, ALLOCATE_LOCAL, MAX_AMOUNT
from khuyencong.finance.filters import UNIT_KINDS
from khuyencong.finance.models import Allocation, EntryKind
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import can, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.forms import AMOUNT_HELP
from khuyencong.planning.models import AnnualPlan, FundingSource, PlanLine, PlanVersion
from khuyencong.rulebook.models import Level
from khuyencong.tabular import cells

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class _Header:
    def __init__(self, header):
        self.header = header


class SignedAmountField(forms.CharField):
    """Đồng typed as people write them (2.080.000.000, 2,08 tỷ, 150 triệu), read by the importer's
    cell parser; ``signed``: a leading minus is a reduction."""

    def __init__(self, *, signed: bool = False, **kwargs):
        self.signed = signed
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
        if amount == 0:
            raise ValidationError(_("The amount cannot be zero."))
        if amount < 0 and not self.signed:
            raise ValidationError(_("The amount must be greater than zero."))
        if abs(amount) > MAX_AMOUNT:
            raise ValidationError(_("The amount is too large."))
        return amount

    def prepare_value(self, value):
        return format_vnd(value, unit="") if isinstance(value, int) else value


class NamedChoiceField(forms.ModelChoiceField):
    """A record picked by its name (the select shows names; the value is the id)."""

    def __init__(self, *args, label_of=None, **kwargs):
        self.label_of = label_of
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.label_of(obj) if self.label_of else super().label_from_instance(obj)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={"invalid": _("Give the date as dd/mm/yyyy.")},
        **kwargs,
    )


def allocatable_plans(user):
    """The plans ``user`` may allocate: national ones with ``allocate``, local ones in reach with
    ``allocate_local``."""
    plans = AnnualPlan.objects.select_related("province")
    found = plans.none()
    if can(user, ALLOCATE, Allocation):
        found = found | plans.filter(level=Level.NATIONAL)
    if can(user, ALLOCATE_LOCAL, Allocation):
        reach = user_scope(user, ALLOCATE_LOCAL, Allocation)
        local = plans.filter(level=Level.LOCAL)
        if not reach.everywhere:
            local = local.filter(province__in=sorted(reach.province_ids) or [0])
        found = found | local
    return found.order_by("-year", "level", "name")


def allocatable_units(user):
    units = OrgUnit.objects.filter(kind__in=UNIT_KINDS, is_active=True).select_related("province")
    for permission in (ALLOCATE, ALLOCATE_LOCAL):
        if can(user, permission, Allocation):
            reach = user_scope(user, permission, Allocation)
            if reach.everywhere:
                return units.order_by(vi_order("name"))
    reach = user_scope(user, ALLOCATE_LOCAL, Allocation)
    return units.filter(province__in=sorted(reach.province_ids) or [0]).order_by(vi_order("name"))


class AllocateForm(StyledForm):
    plan = NamedChoiceField(
        label=_("Annual plan"), queryset=AnnualPlan.objects.none(), label_of=lambda p: f"{p.name} ({p.year})"
    )
    plan_line = NamedChoiceField(
        label=_("Plan line"),
        queryset=PlanLine.objects.none(),
        required=False,
        label_of=lambda line: f"{line.number} {line.name} – {format_vnd(line.amount)}".strip(),
        help_text=_("Optional: the line of the plan this allocation is for."),
    )
    unit = NamedChoiceField(
        label=_("Implementing unit"),
        queryset=OrgUnit.objects.none(),
        label_of=lambda u: f"{u.name}" + (f" – {u.province.short_name}" if u.province_id else ""),
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"),
        choices=[("", _("As the plan line (or the plan's level)")), *FundingSource.choices],
        required=False,
    )
    amount = SignedAmountField(
        signed=True,
        label=_("Amount (đồng)"),
        help_text=_("For example 2.080.000.000, 2,08 tỷ or 150 triệu; a minus sign reduces an allocation."),
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decision_date = _date_field(_("Decision date"))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a reduction."),
    )  # fmt: skip
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        plans = allocatable_plans(user)
        self.fields["plan"].queryset = plans
        self.fields["plan_line"].queryset = (
            PlanLine.objects.filter(
                plan_version__plan__in=plans.values("pk"), plan_version__status=PlanVersion.Status.APPROVED
            )
            .select_related("plan_version")
            .order_by("plan_version__plan", "-plan_version__sequence", "position")
        )
        self.fields["unit"].queryset = allocatable_units(user)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean(self):
        cleaned = super().clean()
        amount, reason = cleaned.get("amount"), (cleaned.get("reason") or "").strip()
        if amount is not None and amount < 0 and not reason:
            self.add_error("reason", _("Give the reason for the reduction."))
        return cleaned


class RequestPaymentForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(EntryKind.ADVANCE, EntryKind.ADVANCE.label), (EntryKind.PAYMENT, EntryKind.PAYMENT.label)],
    )
    amount = SignedAmountField(label=_("Amount (đồng)"))
    entry_date = _date_field(_("Date"))
    beneficiary = NamedChoiceField(
        label=_("Beneficiary"),
        queryset=None,
        required=False,
        empty_label=_("The whole project"),
        label_of=lambda line: line.establishment.name,
    )
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = project.beneficiaries.select_related("establishment").order_by(
            "position", "pk"
        )
        if not self.is_bound:
            self.initial.setdefault("entry_date", timezone.localdate())
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=0)
