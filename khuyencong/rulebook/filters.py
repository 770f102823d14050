"""The filters of the legal-document list and of the rulebook: one definition for the pages, the
API, exports (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import FilterSpec, ReferenceField, YesNoField
from khuyencong.kernel.text import fold, vi_order
from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level
from khuyencong.territory.models import Province

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


class VnDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (the API may send yyyy-mm-dd), shown as dd/mm/yyyy."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        super().__init__(**kwargs)


class LegalDocumentFilters(FilterSpec):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=[("", _("All types")), *LegalDocument.Type.choices])
    field = forms.ChoiceField(label=_("Subject area"), choices=[("", _("All fields")), *LegalDocument.Field.choices])
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2100)
    to_confirm = YesNoField(label=_("Still to confirm"))

    search_field = "search_text"
    sorts = ("number", "issued_on", "effective_from", "doc_type")
    default_sort = ("-issued_on", "number")

    def filter_year(self, queryset, value):
        """The year it was issued, or took effect when the issue date is not known."""
        return queryset.filter(Q(issued_on__year=value) | Q(issued_on__isnull=True, effective_from__year=value))

    def order(self, queryset):
        # Newest first by the date the text is known by (issued, else in force), the same on SQLite
        # and PostgreSQL (which would put undated texts first in a descending sort).
        if self.sort or (self.query and self.search_sort):
            return super().order(queryset)
        known = Coalesce("issued_on", "effective_from")
        return queryset.order_by(known.desc(nulls_last=True), "number", "pk")

    def filter_to_confirm(self, queryset, value):
        return queryset.exclude(to_confirm="") if value else queryset.filter(to_confirm="")


RULE_KINDS = {
    "norm": "spendingnorm",
    "advance": "advancerule",
    "dossier": "dossierlist",
    "deadline": "deadlinerule",
}
KIND_CHOICES = [
    ("norm", _("Spending norms")),
    ("advance", _("Advance rules")),
    ("dossier", _("Dossier lists")),
    ("deadline", _("Deadline rules")),
]


class JurisdictionField(forms.CharField):
    """``national``, or a province by its official code (its local rules)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        if fold(value) in (Level.NATIONAL, "quoc gia", "qg", "kcqg"):
            return Level.NATIONAL
        if not value.isdigit() or len(value) > 3:
            raise forms.ValidationError(_("Say national, or a province by its code (e.g. 66)."))
        # the province of today with that code, else the legacy one (matched through its successor)
        code = value.zfill(2)
        province = Province.objects.current().filter(code=code).first() or Province.objects.filter(code=code).first()
        if province is None:
            raise forms.ValidationError(_("No province has the code %(code)s.") % {"code": value})
        return province


class RuleFilters(FilterSpec):
    """The rulebook: which kind of rule, in force on which date, for which content and jurisdiction."""

    kind = forms.ChoiceField(label=_("Kind of rule"), choices=KIND_CHOICES)
    on = VnDateField(label=_("In force on"))
    content = ReferenceField(
        label=_("Activity content"),
        queryset=ActivityContent.objects.order_by("-effective_from", "number"),
        to_field_name="code",
        empty_label=_("All contents"),
    )
    jurisdiction = JurisdictionField(label=_("Jurisdiction"))
    code = forms.SlugField(label=_("Rule code"))
    unconfirmed = YesNoField(label=_("Unconfirmed"))

    search_field = "folded_name"
    sorts = ("name", "effective_from", "code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page offers the jurisdictions by name; the API may also send a legacy province's code.
        provinces = Province.objects.current().order_by(vi_order("short_name")).values_list("code", "short_name")
        self.fields["jurisdiction"].widget = forms.Select(
            choices=[("", _("All")), (Level.NATIONAL, _("National")), *provinces],
            attrs={"class": "form-select form-select-sm"},
        )

    default_sort = ("code", "-effective_from")

    def filter_kind(self, queryset, value):
        return queryset  # the selector picks the table

    def filter_on(self, queryset, value):
        return queryset.in_force(value)

    def filter_content(self, queryset, value):
        if not hasattr(queryset.model, "contents"):
            return queryset
        return queryset.filter(Q(contents=value) | Q(contents__isnull=True)).distinct()

    def filter_jurisdiction(self, queryset, value):
        if value == Level.NATIONAL:
            return queryset.filter(level=Level.NATIONAL)
        from khuyencong.rulebook.services import jurisdiction_provinces

        return queryset.filter(level=Level.LOCAL, province_id__in=jurisdiction_provinces(value))
