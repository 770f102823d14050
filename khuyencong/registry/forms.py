from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine
from khuyencong.registry.picker import CommunePicker, MultiPicker, VillagePicker
from khuyencong.registry.validation import compact_tax_code, establishment_errors
from khuyencong.tabular import cells
from khuyencong.territory.models import Commune
from khuyencong.web.forms import ScopedModelForm


def clean_tax_code(value: str | None) -> str | None:
    """Validate a Vietnamese tax code (10 digits, or 13 with a branch suffix) and store it compact."""
    try:
        return compact_tax_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class CommuneCodeField(forms.CharField):
    """A current commune, submitted by its official code (the picker finds it by name)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        ProhibitNullCharactersValidator()(value)  # before the query: PostgreSQL refuses NUL in text
        if not value.isdigit() or len(value) > 6:
            raise ValidationError(_("Choose the commune from the list that appears as you type its name."))
        code = value.zfill(5)
        commune = Commune.objects.current().select_related("province").filter(code=code).first()
        if commune is None:
            old = Commune.objects.legacy().filter(code=code, successor__valid_to__isnull=True)
            old = old.select_related("successor").order_by("-valid_to").first()
            if old is not None:
                raise ValidationError(
                    _(
                        "%(code)s is the code of %(old)s before 1/7/2025; it is now part of %(new)s "
                        "(code %(new_code)s). Choose %(new)s."
                    )
                    % {"code": code, "old": old.name, "new": old.successor.name, "new_code": old.successor.code}
                )
            raise ValidationError(_("No commune in force has the code %(code)s.") % {"code": value})
        return commune

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).only("code").first()
            return commune.code if commune else value
        return value


class _Header:
    """What a tabular cell parser names in its messages."""

    def __init__(self, header):
        self.header = header


class ParsedNumberField(forms.CharField):
    """A whole number typed as people write it, read by a tabular cell parser (the importer's
    reading, so the form and the Excel file accept the same things)."""

    parser = staticmethod(cells.whole_number)

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        if min_value is not None:
            self.validators.append(MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(MaxValueValidator(max_value))

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        ProhibitNullCharactersValidator()(value)
        if value.isascii() and value.isdigit():
            return int(value)  # the range is the validators' to say, in Django's words
        try:
            return self.parser(value, _Header(self.label))
        except cells.Invalid as exc:
            raise ValidationError(str(exc)) from None


class AmountField(ParsedNumberField):
    """Đồng: 2080000000, 2.080.000.000, 2,08 tỷ or 150 triệu; shown grouped with dots."""

    parser = staticmethod(cells.amount())

    def prepare_value(self, value):
        return format_vnd(value, unit="") if isinstance(value, int) else value


class YearField(ParsedNumberField):
    """A year, or a date whose year is kept (15/05/2015 -> 2015)."""

    parser = staticmethod(cells.year)


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


class SectionedFormMixin:
    """Fields grouped in titled sections for ``registry/record_form.html``; invalid inputs marked."""

    SECTIONS: tuple = ()  # (title, field names); fields left out go in a last untitled section
    wide_fields: frozenset[str] = frozenset()

    def sections(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
        placed = {name for _title, names in self.SECTIONS for name in names}
        groups = [(title, [self[n] for n in names if n in self.fields]) for title, names in self.SECTIONS]
        rest = [self[name] for name in self.fields if name not in placed]
        return [group for group in [*groups, ("", rest)] if group[1]]


class CommuneInReachMixin:
    """The chosen commune must lie in a province the user may write this record in."""

    def clean_commune(self):
        commune = self.cleaned_data.get("commune")
        action = Action.CHANGE if self.instance.pk else Action.ADD
        reach = user_scope(self.user, action, self._meta.model)
        if commune is not None and not reach.covers(province_id=commune.province_id):
            raise ValidationError(_("This commune is outside the provinces you manage."))
        return commune


class EstablishmentForm(SectionedFormMixin, CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(
        label=_("Commune"),
        help_text=_("Type part of the name, without accents if you like, then choose from the list."),
        widget=CommunePicker("registry:establishment_commune_suggest"),
    )
    annual_revenue = AmountField(
        label=_("Annual revenue (đồng)"), required=False, min_value=0, max_value=10**15,
        help_text=_("For example 2.080.000.000, 2,08 tỷ or 150 triệu."),
    )  # fmt: skip
    founding_year = YearField(label=_("Founding year"), required=False, min_value=1800, max_value=2100)

    class Meta:
        model = Establishment
        fields = [
            "name", "legal_form", "tax_code", "registration_number", "owner_name", "owner_gender",
            "address", "commune", "craft_village", "industry_lines", "main_products", "workers_total",
            "workers_women", "workers_ethnic_minority", "annual_revenue", "founding_year", "phone", "email",
            "latitude", "longitude", "status", "women_owned", "ethnic_minority_workers", "disadvantaged_area",
        ]  # fmt: skip
        field_classes = {"industry_lines": IdListField}
        labels = {"name": _("Establishment name")}
        widgets = {"industry_lines": MultiPicker(placeholder=_("Type an industry line, e.g. may tre"))}
        help_texts = {
            "industry_lines": _(
                "Type part of the name, without accents if you like; Enter or a click adds it, × or Backspace "
                "removes it."
            )
        }

    SECTIONS = (
        (_("General information"), ("name", "legal_form", "tax_code", "registration_number", "owner_name",
                                    "owner_gender", "status")),
        (_("Location"), ("address", "commune", "craft_village", "latitude", "longitude", "disadvantaged_area")),
        (_("Trade and products"), ("industry_lines", "main_products", "founding_year")),
        (_("Workers and revenue"), ("workers_total", "workers_women", "workers_ethnic_minority",
                                    "annual_revenue", "women_owned", "ethnic_minority_workers")),
        (_("Contact"), ("phone", "email")),
    )  # fmt: skip
    wide_fields = frozenset({"name", "address", "commune", "industry_lines", "main_products"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["craft_village"].widget = VillagePicker(attrs={"class": "form-control"})  # thousands: no <select>
        self.fields["industry_lines"].queryset = IndustryLine.objects.filter(valid_to__isnull=True)
        self.fields["industry_lines"].required = False

    def clean_tax_code(self):
        return clean_tax_code(self.cleaned_data.get("tax_code"))

    def validate_unique(self):
        """Keys used by another record are checked by registry.actions.save_establishment, whose
        message does not reveal a record outside the user's reach (the model's would)."""


class CraftVillageForm(SectionedFormMixin, CommuneInReachMixin, ScopedModelForm):
    commune = CommuneCodeField(
        label=_("Commune"),
        help_text=_("Type part of the name, without accents if you like, then choose from the list."),
        widget=CommunePicker("registry:craftvillage_commune_suggest"),
    )

    class Meta:
        model = CraftVillage
        fields = ["name", "commune", "recognised", "decision_number", "decision_date", "crafts"]
        widgets = {"decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


OWN_FORM_FIELDS = ["phone", "email", "main_products", "workers_total", "workers_women", "workers_ethnic_minority"]


class OwnEstablishmentForm(SectionedFormMixin, forms.Form):
    """What an establishment's own account keeps up to date (``registry.actions.OWN_RECORD_FIELDS``)."""

    SECTIONS = (
        (_("Contact"), ("phone", "email")),
        (_("Products"), ("main_products",)),
        (_("Workers"), ("workers_total", "workers_women", "workers_ethnic_minority")),
    )
    wide_fields = frozenset({"main_products"})

    def __init__(self, data=None, *, instance: Establishment):
        super().__init__(data, initial=forms.model_to_dict(instance, fields=OWN_FORM_FIELDS))
        self.instance = instance
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["main_products"].widget = forms.Textarea(attrs={"class": "form-control", "rows": 3})

    def clean(self):
        cleaned = super().clean()
        for field, message in establishment_errors(cleaned).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


OwnEstablishmentForm.base_fields = forms.fields_for_model(Establishment, fields=OWN_FORM_FIELDS)
