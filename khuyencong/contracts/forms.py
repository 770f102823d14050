"""Forms of the contract pages. They translate input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyencong.contracts.models import Contract, ContractKind
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
from khuyencong.kernel.text import sort_key
from khuyencong.planning.forms import DATE, AmountField, StyledForm
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.rulebook.models import Level

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
    """Projects the user may draft a contract for now (the kinds its role writes, in its reach),
    newest year first."""
    main = user_scope(user, "main", Contract).q(Project)
    local = user_scope(user, "main_local", Contract).q(Project)
    support = user_scope(user, "support", Contract).q(Project)
    states = [ProjectState.APPROVED, ProjectState.CONTRACTED, ProjectState.IN_PROGRESS]
    rows = Project.objects.filter(state__in=states).filter(
        (Q(level=Level.NATIONAL) & main)
        | (Q(level=Level.LOCAL) & local)
        | (Q(state__in=[ProjectState.CONTRACTED, ProjectState.IN_PROGRESS]) & support)
    )
    if not can(user, Action.ADD, Contract):
        rows = rows.none()
    return restrict(rows, user, Action.VIEW).order_by("-year", "name_key")


class ChooseProjectForm(StyledForm):
    """The first step of a new contract: which project, which kind."""

    project = ProjectChoice(label=_("Project"), queryset=Project.objects.none(), empty_label=_("Choose a project"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    wide_fields = frozenset({"project"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = contractable_projects(user)


class ContractForm(StyledForm):
    """A draft contract of a chosen project and kind: the beneficiary (support contracts), then
    number, value and dates. Editing a draft leaves the project, kind and beneficiary alone."""

    beneficiary = BeneficiaryChoice(
        label=_("Beneficiary"),
        queryset=BeneficiaryLine.objects.none(),
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
    wide_fields = frozenset({"beneficiary", "subject"})

    def __init__(self, *args, project: Project | None = None, kind: str = ContractKind.MAIN, **kwargs):
        super().__init__(*args, **kwargs)
        if project is None or kind != ContractKind.SUPPORT:
            del self.fields["beneficiary"]
            return
        lines = project.beneficiaries.select_related("establishment")
        self.fields["beneficiary"].queryset = lines
        ordered = sorted(lines, key=lambda line: sort_key(line.establishment.name))
        self.fields["beneficiary"].choices = [
            ("", _("Choose the beneficiary")),
            *[(line.pk, f"{line.establishment.name} – {format_vnd(line.support)}") for line in ordered],
        ]


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
