from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.actions import grantable_roles, grantable_units, manager_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.web.forms import ScopedModelForm


def edits_reach(user, action: str = Action.CHANGE) -> bool:
    """Whether ``user`` may set the fields that decide reach: only nationwide editors may."""
    return user_scope(user, action, OrgUnit).everywhere


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "province",
            "region",
            "address",
            "phone",
            "email",
            "is_active",
        ]

    # Kinds a provincial editor may create.
    LOCAL_KINDS = OrgUnit.LOCAL_KINDS
    # What the people acting for a unit (and for its ancestors) reach is derived from these
    # (organisation.services.reach_of, RoleAssignment.active): kind, region, province, the place
    # in the tree and whether the unit is active. Only nationwide editors change them.
    REACH_FIELDS = ("kind", "region", "parent", "province", "is_active")
    # A reference unit is upserted by code on every `khuyencong migrate`: re-coding one duplicates it.
    REFERENCE_FIELDS = ("code",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = (
            self.fields["province"].queryset.filter(valid_to__isnull=True).order_by(vi_order("short_name"))
        )
        self.locked: tuple[str, ...] = ()
        action = Action.CHANGE if self.instance.pk else Action.ADD
        if edits_reach(self.user, action):
            return
        self.fields["region"].disabled = True
        self.fields["kind"].choices = [c for c in OrgUnit.Kind.choices if c[0] in self.LOCAL_KINDS]
        if self.instance.pk:
            # A new local unit has nobody acting for it yet; an existing one may have.
            self.locked = self.REACH_FIELDS + (self.REFERENCE_FIELDS if self.instance.is_reference else ())
            for name in self.locked:
                self.fields[name].disabled = True
            self.fields["kind"].choices = OrgUnit.Kind.choices

    def clean(self):
        cleaned = super().clean()
        # A disabled field keeps its stored value whatever is posted; say so instead of
        # quietly dropping a change the user asked for.
        for name in self.locked:
            if name == "is_active" or name not in self.data:
                continue
            stored = self.initial.get(name)
            if str(self.data.get(name) or "") != str("" if stored is None else stored):
                self.add_error(name, _("Only nationwide editors may change this field."))
        return cleaned


# --- user management (organisation.actions) ----------------------------------------------------


class _TablerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class RoleAssignmentForm(_TablerForm):
    """A role bound to an org unit over a period; the choices are what the actor may grant."""

    role = forms.ChoiceField(label=_("Role"))
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Leave empty for a nationwide assignment."),
    )
    valid_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "---------"), *grantable_roles(actor)]
        self.fields["org_unit"].queryset = grantable_units(actor).select_related("province").order_by(vi_order("name"))
        if not manager_scope(actor, "assign_role").everywhere:
            self.fields["org_unit"].required = True
            self.fields["org_unit"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date must not be before the start date."))
        return cleaned


class UserCreateForm(RoleAssignmentForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The user receives a link here to choose a password."))
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    field_order = ["username", "full_name", "email", "title", "phone", "role", "org_unit", "valid_from", "valid_to"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        return username


class UserProfileForm(_TablerForm):
    """A person's name and contacts, as a user manager corrects them."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The user receives password links here."))
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
