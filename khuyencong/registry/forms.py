from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine
from khuyencong.registry.validation import compact_tax_code
from khuyencong.territory.models import Commune
from khuyencong.web.forms import ScopedModelForm


def clean_tax_code(value: str | None) -> str | None:
    """Validate a Vietnamese tax code (10 digits, or 13 with a branch suffix) and store it compact."""
    try:
        return compact_tax_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class CommuneCodeField(forms.CharField):
    """A current commune typed by its official code (a 3,321-option select is unusable)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        ProhibitNullCharactersValidator()(value)  # before the query: PostgreSQL refuses NUL in text
        commune = Commune.objects.current().select_related("province").filter(code=value.zfill(5)).first()
        if commune is None:
            raise ValidationError(_("No commune in force has the code %(code)s.") % {"code": value})
        return commune

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).only("code").first()
            return commune.code if commune else value
        return value


class IdListField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that answers a form error, not a 500, for ids no database
    integer can hold (SQLite raises OverflowError on them)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                out_of_range = not -(2**63) <= int(pk) < 2**63
            except (TypeError, ValueError):
                continue  # not a number: Django's own check reports it
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class CommuneInReachMixin:
    """The chosen commune must lie in a province the user may write this record in."""

    def clean_commune(self):
        commune = self.cleaned_data.get("commune")
        action = Action.CHANGE if self.instance.pk else Action.ADD
        reach = user_scope(self.user, action, self._meta.model)
        if commune is not None and not reach.covers(province_id=commune.province_id):
            raise ValidationError(_("This commune is outside the provinces you manage."))
        return commune


class EstablishmentForm(CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(label=_("Commune code"), help_text=_("The 5-digit code of the commune in force."))

    class Meta:
        model = Establishment
        fields = [
            "name", "legal_form", "tax_code", "registration_number", "owner_name", "owner_gender",
            "address", "commune", "craft_village", "industry_lines", "main_products", "workers_total",
            "workers_women", "workers_ethnic_minority", "annual_revenue", "founding_year", "phone", "email",
            "latitude", "longitude", "status", "women_owned", "ethnic_minority_workers", "disadvantaged_area",
        ]  # fmt: skip
        field_classes = {"industry_lines": IdListField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["craft_village"].queryset = self.fields["craft_village"].queryset.order_by(vi_order("name"))
        self.fields["industry_lines"].queryset = IndustryLine.objects.filter(valid_to__isnull=True)
        self.fields["industry_lines"].required = False

    def clean_tax_code(self):
        return clean_tax_code(self.cleaned_data.get("tax_code"))

    def validate_unique(self):
        """Keys used by another record are checked by registry.actions.save_establishment, whose
        message does not reveal a record outside the user's reach (the model's would)."""


class CraftVillageForm(CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(label=_("Commune code"))

    class Meta:
        model = CraftVillage
        fields = ["name", "commune", "recognised", "decision_number", "decision_date", "crafts"]
        widgets = {"decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
