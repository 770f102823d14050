"""Forms of the project pages. They translate input; the rules live in ``actions``.

``ProjectForm`` (the proposal), ``BeneficiaryFormSet`` (its beneficiary lines, an establishment
picked by name) and ``StepForm`` (one lifecycle step: the fields the step needs and nothing else).
Each carries the ``version`` the user read, so a change made meanwhile is refused, not overwritten.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.forms import DATE, AmountField, StyledForm
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion
from khuyencong.projects.models import Project
from khuyencong.registry.models import Establishment
from khuyencong.registry.picker import CommunePicker
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Commune, Province

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, input_formats=DATE_FORMATS, **kwargs)


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, required=False, **kwargs)


class EstablishmentPicker(CommunePicker):
    """A hidden establishment id plus a search box whose suggestions are the establishments the
    user may see (``projects:establishment_suggest``); the commune picker's script drives it."""

    template_name = "projects/widgets/establishment_picker.html"

    def __init__(self, attrs=None):
        super().__init__("projects:establishment_suggest", attrs)

    def get_context(self, name, value, attrs):
        context = super(CommunePicker, self).get_context(name, value, attrs)
        text = "" if value is None else str(value).strip()
        chosen = ""
        if isinstance(value, Establishment):
            text, chosen = str(value.pk), establishment_label(value)
        elif text.isdigit() and len(text) < 10:
            found = Establishment.objects.select_related("commune", "province").filter(pk=int(text)).first()
            chosen = establishment_label(found) if found else ""
        context["widget"].update(url=reverse(self.url_name), code=text, chosen=chosen)
        return context


def establishment_label(establishment: Establishment) -> str:
    where = ", ".join(
        part
        for part in (
            establishment.commune.name if establishment.commune_id else "",
            establishment.province.short_name if establishment.province_id else "",
        )
        if part
    )
    return f"{establishment.name} ({where})" if where else establishment.name


class CommuneField(forms.ModelChoiceField):
    """A current commune submitted by its code (the registry's picker finds it by name)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Commune.objects.current().select_related("province"),
            to_field_name="code",
            widget=CommunePicker("projects:commune_suggest"),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str) and value.strip().isdigit():
            value = value.strip().zfill(5)
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, int):
            return Commune.objects.filter(pk=value).values_list("code", flat=True).first()
        return value


def implementing_units(user):
    """Org units the user may name as implementing: an implementer its own, others those in reach."""
    scope = user_scope(user, Action.ADD, Project) | user_scope(user, Action.CHANGE, Project)
    units = OrgUnit.objects.active().exclude(kind=OrgUnit.Kind.ESTABLISHMENT)
    if scope.everywhere:
        return units.order_by("path")
    return units.filter(Q(province__in=scope.province_ids) | Q(pk__in=scope.org_unit_ids)).order_by("path")


def project_provinces(user):
    scope = user_scope(user, Action.ADD, Project) | user_scope(user, Action.CHANGE, Project)
    provinces = Province.objects.current()
    if not scope.everywhere:
        unit_provinces = OrgUnit.objects.filter(pk__in=scope.org_unit_ids).values("province")
        provinces = provinces.filter(Q(pk__in=scope.province_ids) | Q(pk__in=unit_provinces))
    return provinces.order_by(vi_order("short_name"))


class ProjectForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("E.g. KCQG-2026-HT-01."))
    name = forms.CharField(label=_("Name"), max_length=500)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices, initial=ProjectKind.ORDINARY)
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    content = forms.ModelChoiceField(label=_("Activity content"), queryset=ActivityContent.objects.none())
    norm_code = forms.SlugField(label=_("Spending norm"), max_length=60, required=False,
                                help_text=_("Only where the content has several norms, e.g. machinery."))  # fmt: skip
    implementing_unit = forms.ModelChoiceField(label=_("Implementing unit"), queryset=OrgUnit.objects.none())
    proposing_unit = forms.ModelChoiceField(label=_("Proposing unit"), queryset=OrgUnit.objects.none(),
                                            required=False)  # fmt: skip
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    commune = CommuneField(label=_("Commune"), required=False)
    location = forms.CharField(label=_("Location"), max_length=500, required=False)
    start_date = _date(_("Start date"), required=False)
    end_date = _date(_("End date"), required=False)
    total_cost = AmountField(label=_("Total cost (đồng)"), required=False)
    support_amount = AmountField(label=_("Support requested (đồng)"), required=False,
                                 help_text=_("With beneficiaries, the sum of their support."))  # fmt: skip
    counterpart_amount = AmountField(label=_("Counterpart funds (đồng)"), required=False,
                                     help_text=_("With beneficiaries, the sum of their counterpart."))  # fmt: skip
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_outputs = forms.CharField(label=_("Target outputs"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    version = VersionField()
    wide_fields = frozenset({"name", "objectives", "target_outputs", "location"})

    def __init__(self, *args, user, instance: Project | None = None, **kwargs):
        if instance is not None:
            names = ("code", "name", "level", "kind", "year", "norm_code", "location", "start_date", "end_date",
                     "total_cost", "support_amount", "counterpart_amount", "objectives", "target_outputs",
                     "version")  # fmt: skip
            initial = {name: getattr(instance, name) for name in names}
            initial |= {
                "content": instance.content_id,
                "implementing_unit": instance.implementing_unit_id,
                "proposing_unit": instance.proposing_unit_id,
                "province": instance.province_id,
                "commune": instance.commune_id,
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["content"].queryset = ActivityContent.objects.order_by("-effective_from", "number")
        units = implementing_units(user)
        self.fields["implementing_unit"].queryset = units
        self.fields["proposing_unit"].queryset = (
            OrgUnit.objects.active()
            .filter(kind__in=[OrgUnit.Kind.DOIT, OrgUnit.Kind.AGENCY, OrgUnit.Kind.REGIONAL_CENTRE])
            .order_by("path")
        )
        self.fields["province"].queryset = project_provinces(user)

    def sections(self):
        (title, fields), *_rest = super().sections()
        return [(title, [field for field in fields if not field.is_hidden])]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("total_cost", "support_amount", "counterpart_amount"):
            data[name] = data.get(name) or 0
        data["norm_code"] = data.get("norm_code") or ""
        return data


class BeneficiaryForm(StyledForm):
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.live(),
                                           widget=EstablishmentPicker(), required=False)  # fmt: skip
    eligible_cost = AmountField(label=_("Eligible cost (đồng)"), required=False, help_text="")
    support = AmountField(label=_("Support (đồng)"), required=False, help_text="")
    counterpart = AmountField(label=_("Counterpart (đồng)"), required=False, help_text="")
    outputs = forms.CharField(label=_("Outputs"), required=False, max_length=2000)
    full_line = forms.BooleanField(label=_("Full production line"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_line"].widget.attrs["class"] = "form-check-input"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("establishment") and not any(
            data.get(name) for name in ("eligible_cost", "support", "counterpart", "outputs")
        )


class BaseBeneficiaryFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE") and not form.is_blank() and not data.get("establishment"):
                form.add_error("establishment", _("Choose the establishment by its name."))


BeneficiaryFormSet = forms.formset_factory(BeneficiaryForm, formset=BaseBeneficiaryFormSet, extra=2,
                                           can_delete=True)  # fmt: skip


def beneficiary_initial(project: Project) -> list[dict]:
    return [
        {"establishment": line.establishment_id, "eligible_cost": line.eligible_cost, "support": line.support,
         "counterpart": line.counterpart, "outputs": line.outputs, "full_line": line.full_line}
        for line in project.beneficiaries.order_by("position", "pk")
    ]  # fmt: skip


class BeneficiariesForm(StyledForm):
    """The page that changes only the beneficiaries (a group project adding them after approval)."""

    version = VersionField()


def plan_lines_for(project: Project):
    """Lines that carry money in the latest version of the plans of the project's level and year
    (and province, for a local project): the approval's choices."""
    plans = AnnualPlan.objects.filter(level=project.level, year=project.year)
    if project.level == Level.LOCAL:
        plans = plans.filter(province_id=project.province_id)
    latest: dict[int, int] = {}
    for plan_id, version_id in (
        PlanVersion.objects.filter(plan__in=plans).order_by("plan_id", "-sequence").values_list("plan_id", "pk")
    ):
        latest.setdefault(plan_id, version_id)
    return (
        PlanLine.objects.filter(plan_version_id__in=latest.values(), children__isnull=True)
        .select_related("plan_version__plan")
        .order_by("plan_version__plan__name", "position", "pk")
    )


class PlanLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, line: PlanLine) -> str:
        from khuyencong.kernel.money import format_vnd

        number = f"{line.number} " if line.number else ""
        return f"{number}{line.name} — {format_vnd(line.amount)} ({line.plan_version.plan.name})"


class StepForm(StyledForm):
    """One lifecycle step: the day it happened, a comment (required when the step needs one), the
    decision (number and date) when it needs one, and for an approval the support approved and the
    plan line it is funded from."""

    on = _date(_("Date it happened"), required=False, help_text=_("Leave empty for today."))
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decision_date = _date(_("Decision date"), required=False)
    approved_support = AmountField(label=_("Approved support (đồng)"), required=False)
    plan_line = PlanLineChoice(label=_("Plan line"), queryset=PlanLine.objects.none(), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    version = VersionField()
    wide_fields = frozenset({"comment", "plan_line"})

    def __init__(self, *args, step, project: Project, **kwargs):
        kwargs.setdefault("initial", {"version": project.version})
        super().__init__(*args, **kwargs)
        self.step = step
        approval = step.action in ("approve", "approve_local")
        if approval:
            self.fields["plan_line"].queryset = plan_lines_for(project)
            self.fields["plan_line"].required = True
            self.fields["approved_support"].help_text = _("Leave empty to approve the support requested.")
            self.initial.setdefault("approved_support", project.support_amount)
            if project.plan_line_id:
                self.initial.setdefault("plan_line", project.plan_line_id)
        else:
            del self.fields["plan_line"]
            del self.fields["approved_support"]
        if step.needs_decision:
            self.fields["decision_number"].required = True
            self.fields["decision_date"].required = True
            self.fields["on"].help_text = _("Leave empty to use the decision's date.")
        else:
            del self.fields["decision_number"]
            del self.fields["decision_date"]
        if step.needs_comment:
            self.fields["comment"].required = True
            self.fields["comment"].help_text = _("Required: say why.")
        for name, field in self.fields.items():
            if name != "version":
                field.widget.attrs.setdefault("id", f"id_{name}")
