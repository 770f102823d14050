"""Forms of the inspection pages. They translate input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from khuyencong.inspections import actions
from khuyencong.inspections.models import MemberRole, Severity
from khuyencong.kernel.scoping import Action, restrict
from khuyencong.kernel.text import fold, vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.forms import DATE, StyledForm
from khuyencong.projects.models import Project
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

DATES = ["%Y-%m-%d", "%d/%m/%Y"]


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DATE, input_formats=DATES, help_text=help_text)


def _text(label, required=True, rows=3, help_text=""):
    return forms.CharField(label=label, required=required, max_length=actions.MAX_TEXT, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))  # fmt: skip


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


# How a member's role may be written in the members box (folded): Vietnamese and English.
ROLE_WORDS = {
    "truong doan": MemberRole.HEAD, "head": MemberRole.HEAD,
    "pho doan": MemberRole.DEPUTY, "pho truong doan": MemberRole.DEPUTY, "deputy": MemberRole.DEPUTY,
    "thanh vien": MemberRole.MEMBER, "member": MemberRole.MEMBER,
    "thu ky": MemberRole.SECRETARY, "secretary": MemberRole.SECRETARY,
}  # fmt: skip


def parse_members(text: str) -> list[actions.Member]:
    """One member a line: ``full name; role; unit`` (role and unit optional, role "thành viên")."""
    members = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        role = MemberRole.MEMBER
        if len(parts) > 1 and parts[1]:
            role = ROLE_WORDS.get(fold(parts[1]))
            if role is None:
                raise ValidationError(
                    _("Line %(n)s: unknown role “%(role)s” (trưởng đoàn, phó đoàn, thành viên, thư ký).")
                    % {"n": number, "role": parts[1]}
                )
        members.append(actions.Member(name=parts[0], role=role, unit=parts[2] if len(parts) > 2 else ""))
    return members


def format_members(members) -> str:
    labels = {MemberRole.HEAD: "trưởng đoàn", MemberRole.DEPUTY: "phó đoàn", MemberRole.MEMBER: "thành viên",
              MemberRole.SECRETARY: "thư ký"}  # fmt: skip
    return "\n".join(f"{m.name}; {labels.get(m.role, m.role)}" + (f"; {m.unit}" if m.unit else "") for m in members)


class PlanForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False,
                                      empty_label=_("— national plan —"))  # fmt: skip
    owner = UnitChoice(label=_("Owner unit"), queryset=OrgUnit.objects.none())
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decision_date = _date(_("Decision date"), required=False)
    wide_fields = frozenset({"name"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        reach = actions.writer_scope(user, Level.LOCAL, Action.ADD)
        provinces = Province.objects.current().order_by(vi_order("short_name"))
        self.fields["province"].queryset = provinces if reach.everywhere else provinces.filter(
            pk__in=sorted(reach.province_ids) or [0])  # fmt: skip
        units = restrict(actions.responsible_units(), user, Action.VIEW).filter(
            kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.DOIT, OrgUnit.Kind.MINISTRY]
        )
        self.fields["owner"].queryset = units.order_by("path")


class MissionForm(StyledForm):
    plan = forms.ModelChoiceField(label=_("Inspection plan"), queryset=None, empty_label=_("Choose the plan"))
    name = forms.CharField(label=_("Name"), max_length=300)
    lead_unit = UnitChoice(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    start_date = _date(_("Start date"))
    end_date = _date(_("End date"))
    provinces = forms.ModelMultipleChoiceField(label=_("Provinces visited"), queryset=Province.objects.none(),
                                               widget=forms.SelectMultiple(attrs={"size": 6}))  # fmt: skip
    members = _text(
        _("Members"),
        required=False,
        rows=4,
        help_text=_("One person a line: full name; role; unit — e.g. “Nguyễn Văn An; trưởng đoàn; Cục ĐMST”."),
    )
    purpose = _text(_("Purpose"), required=False, rows=2)
    wide_fields = frozenset({"plan", "name", "provinces", "members", "purpose"})

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is None:
            self.fields["plan"].queryset = actions.plans_for_missions(user)
        else:
            del self.fields["plan"]
        # Every province (the action says which are outside the writer's reach, in words).
        self.fields["provinces"].queryset = Province.objects.current().order_by(vi_order("short_name"))
        self.fields["lead_unit"].queryset = (
            restrict(actions.responsible_units(), user, Action.VIEW)
            .filter(
                kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.DOIT, OrgUnit.Kind.MINISTRY, OrgUnit.Kind.REGIONAL_CENTRE]
            )
            .order_by("path")
        )

    def clean_members(self):
        return parse_members(self.cleaned_data.get("members") or "")


class StepForm(StyledForm):
    decision_number = forms.CharField(label=_("Report number"), max_length=60, required=False)
    decision_date = _date(_("Report date"), required=False)
    comment = _text(_("Comment"), required=False, rows=2)
    wide_fields = frozenset({"comment"})

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        if action != "report":
            del self.fields["decision_number"]
            del self.fields["decision_date"]


class ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name}"


class VisitForm(StyledForm):
    project = ProjectChoice(label=_("Project"), queryset=Project.objects.none(), empty_label=_("Choose a project"))
    visited_on = _date(_("Visit date"))
    notes = _text(_("Notes"), required=False, rows=2)
    wide_fields = frozenset({"project", "notes"})

    def __init__(self, *args, user, mission, **kwargs):
        super().__init__(*args, **kwargs)
        # The projects of the mission's provinces the user sees (the action re-checks both).
        projects = restrict(Project.objects.select_related("province"), user, Action.VIEW)
        self.fields["project"].queryset = projects.filter(
            province__in=mission.provinces.all(), year__lte=mission.start_date.year
        ).order_by("-year", "code")


class ProvinceVisitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.visited_on:%d/%m/%Y} · {obj.project.code} – {obj.project.name}"


class FindingForm(StyledForm):
    visit = ProvinceVisitChoice(label=_("Visit"), queryset=None, required=False,
                                empty_label=_("— about the mission as a whole —"))  # fmt: skip
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False,
                                      help_text=_("For a finding not tied to a visit."))  # fmt: skip
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    text = _text(_("Finding"))
    recorded_on = _date(_("Recorded on"), required=False)
    wide_fields = frozenset({"visit", "text"})

    def __init__(self, *args, mission, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = mission.visits.select_related("project").filter(pk__in=[v.pk for v in visits])
        self.fields["province"].queryset = mission.provinces.order_by(vi_order("short_name"))


class FollowUpForm(StyledForm):
    action = _text(_("What to do"))
    responsible_unit = UnitChoice(label=_("Responsible unit"), queryset=OrgUnit.objects.none())
    due_date = _date(_("Due date"))
    wide_fields = frozenset({"action", "responsible_unit"})

    def __init__(self, *args, finding, **kwargs):
        super().__init__(*args, **kwargs)
        units = actions.responsible_units()
        province = finding.province_id
        # The province's units first, then the standing national and regional ones.
        self.fields["responsible_unit"].queryset = units.filter(province_id=province) | units.filter(
            kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.REGIONAL_CENTRE]
        )


class CloseForm(StyledForm):
    closed_on = _date(_("Done on"))
    note = _text(_("What was done"))
    wide_fields = frozenset({"note"})


class ReopenForm(StyledForm):
    comment = _text(_("Why it is reopened"))
    wide_fields = frozenset({"comment"})
