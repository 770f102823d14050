"""Forms of the contract pages. They translate input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.contracts.models import ContractKind
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.kernel.text import sort_key
from khuyencong.planning.forms import DATE, AmountField, StyledForm
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState

DATES = ["%Y-%m-%d", "%d/%m/%Y"]


def _date(label, required=False, help_text=""):
    return forms.DateField(label=label, required=required, widget=DATE, input_formats=DATES, help_text=help_text)


class ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name}"


class BeneficiaryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.establishment.name


def contractable_projects(user):
    """Projects a contract may be made for now, within the user's reach, newest year first."""
    states = [ProjectState.APPROVED, ProjectState.CONTRACTED, ProjectState.IN_PROGRESS]
    return restrict(Project.objects.filter(state__in=states), user, Action.VIEW).order_by("-year", "name_key")


class ChooseProjectForm(StyledForm):
    """The first step of a new contract: which project, which kind."""

    project = ProjectChoice(label=_("Project"), queryset=Project.objects.none(), empty_label=_("Choose a project"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    wide_fields = frozenset({"project"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = contractable_projects(user)


class ContractForm(StyledForm):
    """A draft contract: its project, kind and beneficiary when new, then number, value and dates."""

    project = ProjectChoice(label=_("Project"), queryset=Project.objects.none(), empty_label=_("Choose a project"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    beneficiary = BeneficiaryChoice(
        label=_("Beneficiary"),
        queryset=BeneficiaryLine.objects.none(),
        required=False,
        empty_label=_("Choose the beneficiary"),
        help_text=_("For a support contract: the establishment it supports."),
    )
    number = forms.CharField(label=_("Contract number"), max_length=60)
    value = AmountField(label=_("Value (đồng)"))
    signed_on = _date(_("Signed on"))
    start_date = _date(_("Start date"))
    end_date = _date(_("End date"))
    deadline = _date(_("Completion deadline"))
    subject = forms.CharField(label=_("Subject"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"project", "subject"})

    def __init__(self, *args, user, project: Project | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("project", "kind", "beneficiary"):
                del self.fields[name]
            return
        projects = contractable_projects(user)
        if project is not None:
            projects = Project.objects.filter(pk=project.pk)
            self.fields["project"].widget = forms.HiddenInput()
            self.fields["project"].initial = project.pk
            lines = project.beneficiaries.select_related("establishment")
            self.fields["beneficiary"].queryset = lines
            ordered = sorted(lines, key=lambda line: sort_key(line.establishment.name))
            self.fields["beneficiary"].choices = [
                ("", _("Choose the beneficiary")),
                *[(line.pk, line.establishment.name) for line in ordered],
            ]
        self.fields["project"].queryset = projects

    def clean(self):
        data = super().clean()
        if data.get("kind") == ContractKind.SUPPORT and not data.get("beneficiary") and "beneficiary" in self.fields:
            self.add_error("beneficiary", _("Choose the beneficiary the contract supports."))
        return data


class SignForm(StyledForm):
    signed_on = _date(_("Signed on"), required=True)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})


class AmendForm(StyledForm):
    number = forms.CharField(label=_("Amendment number"), max_length=60)
    signed_on = _date(_("Signed on"), required=True)
    new_value = AmountField(label=_("New value (đồng)"), required=False)
    new_end_date = _date(_("New end date"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"reason"})


class TerminateForm(StyledForm):
    on = _date(_("Terminated on"), required=True)
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})


class LiquidateForm(StyledForm):
    liquidation_number = forms.CharField(label=_("Liquidation record number"), max_length=60)
    liquidated_on = _date(_("Liquidated on"), required=True)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wide_fields = frozenset({"comment"})
