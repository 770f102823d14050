"""The propose form (one form, the fields of each kind shown for it) and the step form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.adjustments.models import AdjustmentKind, Cause
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.kernel.text import vi_order
from khuyencong.planning.forms import AmountField, StyledForm
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.filters import VnDateField

# Which form fields make up the changes of each kind.
CHANGE_FIELDS = {
    "budget": ("approved_support",),
    "timeline": ("end_date",),
    "place": ("location",),
    "content": ("objectives", "target_outputs"),
    "beneficiary": ("replace_establishment", "establishment"),
}


class ProposeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of adjustment"), choices=AdjustmentKind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices, initial=Cause.OTHER)
    cause_event = forms.CharField(label=_("Event"), max_length=200, required=False,
                                  help_text=_("E.g. the storm or the epidemic."))  # fmt: skip
    approved_support = AmountField(label=_("New approved support"), required=False)
    end_date = VnDateField(label=_("New end date"), required=False)
    location = forms.CharField(label=_("New location"), max_length=500, required=False)
    objectives = forms.CharField(label=_("New objectives"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_outputs = forms.CharField(label=_("New target outputs"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    replace_establishment = forms.ModelChoiceField(
        label=_("Beneficiary replaced"), queryset=Establishment.objects.none(), required=False
    )
    establishment = forms.ModelChoiceField(
        label=_("Replacement beneficiary"), queryset=Establishment.objects.none(), required=False
    )
    wide_fields = frozenset({"reason", "objectives", "target_outputs"})

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        kind = (self.data.get("kind") if self.is_bound else self.initial.get("kind")) or AdjustmentKind.TIMELINE
        for names in CHANGE_FIELDS.values():  # only the fields of the chosen kind
            for name in names:
                if name not in CHANGE_FIELDS.get(kind, ()) and name in self.fields:
                    del self.fields[name]
        # choosing another kind redraws the form with its fields (HTMX; the form posts as is without it)
        self.fields["kind"].widget.attrs.update(
            {"hx-get": "", "hx-trigger": "change", "hx-target": "closest form", "hx-select": "form",
             "hx-swap": "outerHTML", "hx-include": "closest form"}
        )  # fmt: skip
        if "replace_establishment" not in self.fields:
            return
        current = Establishment.objects.filter(beneficiary_lines__project=project).order_by("name_key")
        self.fields["replace_establishment"].queryset = current
        nearby = Establishment.objects.filter(province_id=project.province_id, merged_into__isnull=True)
        self.fields["establishment"].queryset = (
            restrict(nearby, user, Action.VIEW).exclude(pk__in=current.values("pk")).order_by(vi_order("name"))
        )

    @property
    def sections(self):
        return [("", [self[name] for name in self.fields])]

    def changes(self) -> dict:
        data = self.cleaned_data
        out: dict = {}
        for name in CHANGE_FIELDS.get(data["kind"], ()):
            value = data.get(name)
            if value in (None, ""):
                continue
            if name == "end_date":
                out[name] = value.isoformat()
            elif name in ("replace_establishment", "establishment"):
                out[f"{name}_id"] = value.pk
            else:
                out[name] = value
        return out


class StepForm(StyledForm):
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decision_date = VnDateField(label=_("Decision date"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})

    def __init__(self, *args, step, **kwargs):
        super().__init__(*args, **kwargs)
        if not step.needs_decision:
            del self.fields["decision_number"], self.fields["decision_date"]
        else:
            self.fields["decision_number"].required = self.fields["decision_date"].required = True
        self.fields["comment"].required = step.needs_comment

    @property
    def sections(self):
        return [("", [self[name] for name in self.fields])]
