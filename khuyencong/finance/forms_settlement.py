"""Forms of the acceptance and settlement pages. They translate input; the rules live in
``finance.acceptance`` and ``finance.settlement``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.planning.forms import DATE, AmountField, StyledForm
from khuyencong.projects.forms import DATE_FORMATS, VersionField


def _date(label, required=True, help_text="") -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, input_formats=DATE_FORMATS, required=required,
                           help_text=help_text)  # fmt: skip


def _text(label, required=False, rows=3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=4000, widget=forms.Textarea(attrs={"rows": rows}))


class AcceptanceForm(StyledForm):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Passed")), ("0", _("Not passed"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    accepted_on = _date(_("Accepted on"))
    record_number = forms.CharField(label=_("Record number"), max_length=60)
    achieved_outputs = _text(_("Outputs achieved"), required=True)
    achieved_quantity = forms.DecimalField(label=_("Quantity achieved"), required=False, min_value=0,
                                           max_digits=14, decimal_places=2)  # fmt: skip
    note = _text(_("Note"), rows=2)
    wide_fields = frozenset({"achieved_outputs", "note", "passed"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passed"].widget.attrs["class"] = "form-check-input"


class SubmitForm(StyledForm):
    submitted_on = _date(_("Dossier sent on"), required=False, help_text=_("Leave empty for today."))
    proposed_amount = AmountField(label=_("Amount proposed for settlement (đồng)"), required=False)
    note = _text(_("Note"), rows=2)
    version = VersionField()
    wide_fields = frozenset({"note"})

    def __init__(self, *args, disbursed: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_amount"].help_text = _("Leave empty to propose everything disbursed.")


class StepForm(StyledForm):
    """One settlement step: the fields it needs and nothing else."""

    settled_amount = AmountField(label=_("Amount settled (đồng)"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decision_date = _date(_("Decision date"))
    checked_on = _date(_("Checked on"), required=False, help_text=_("Leave empty for today."))
    comment = _text(_("Comment"))
    version = VersionField()
    wide_fields = frozenset({"comment"})

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        if action not in ("approve", "approve_local"):
            del self.fields["settled_amount"]
        if action not in ("approve", "approve_local", "settle_from_acceptance"):
            del self.fields["decision_number"]
            del self.fields["decision_date"]
        if action != "check":
            del self.fields["checked_on"]
        if action.startswith("return"):
            self.fields["comment"].required = True
            self.fields["comment"].help_text = _("Required: say what must be corrected.")
