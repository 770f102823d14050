"""Forms of the council pages. They translate input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.accounts.models import User
from khuyencong.appraisal.models import Council, CouncilMember, CouncilProject
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.models import OrgUnit
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province


class StyledForm(forms.Form):
    """Tabler classes on every widget; ``sections`` for ``appraisal/form.html``."""

    wide_fields: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def sections(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
        return [("", [self[name] for name in self.fields])]


class CouncilForm(StyledForm):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False,
        help_text=_("Only for a Department's council."),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=300)
    convening_unit = forms.ModelChoiceField(
        label=_("Convening unit"), queryset=OrgUnit.objects.none(), required=False,
        help_text=_("Empty: the province's Department, or the Agency."),
    )  # fmt: skip
    decision_number = forms.CharField(label=_("Establishing decision number"), max_length=60, required=False)
    decision_date = forms.DateField(
        label=_("Establishing decision date"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )  # fmt: skip
    pass_threshold = forms.DecimalField(
        label=_("Pass threshold"), max_digits=5, decimal_places=1, min_value=0, max_value=1000, initial=70,
        help_text=_("A project passes when the average of the submitted sheets reaches this score."),
    )  # fmt: skip
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    wide_fields = frozenset({"name", "minutes"})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        reach = user_scope(user, Action.VIEW, Council)
        self.fields["province"].queryset = reach.limit_provinces(Province.objects.current()).order_by(
            vi_order("short_name")
        )
        units = OrgUnit.objects.active().filter(kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.DOIT])
        self.fields["convening_unit"].queryset = restrict(units, user, Action.VIEW).order_by(vi_order("name"))


class MemberForm(StyledForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role in the council"), choices=CouncilMember.Role.choices)
    username = forms.CharField(
        label=_("Account (user name)"), max_length=150, required=False,
        help_text=_("Only for a member who scores in the system."),
    )  # fmt: skip

    def clean_username(self):
        name = (self.cleaned_data.get("username") or "").strip()
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this user name."))
        return user


MemberFormSet = forms.formset_factory(MemberForm, extra=3, can_delete=True, max_num=60, absolute_max=60)


class CriterionForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=30, required=False)
    name = forms.CharField(label=_("Criterion"), max_length=300, required=False)
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=1000, required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True, max_num=40, absolute_max=40)


class ProjectsForm(StyledForm):
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Projects of the council's year in the state the council reviews."),
    )  # fmt: skip

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = queryset


class ConcludeProjectForm(StyledForm):
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=[c for c in CouncilProject.Conclusion.choices if c[0]],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000,
        help_text=_("Required when the project does not pass or needs documents."),
    )  # fmt: skip
    wide_fields = frozenset({"conclusion", "comment"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conclusion"].widget.attrs["class"] = "form-check-input"


class ConcludeCouncilForm(StyledForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    wide_fields = frozenset({"minutes"})
