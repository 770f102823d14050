"""Forms of the rulebook pages: a legal document, and a new version of a rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import user_scope
from khuyencong.kernel.text import vi_order
from khuyencong.organisation.permissions import WRITE_LOCAL
from khuyencong.registry.forms import AmountField
from khuyencong.rulebook.actions import COMMON_FIELDS, RULE_FIELDS
from khuyencong.rulebook.filters import VnDateField
from khuyencong.rulebook.models import ActivityContent, DeadlineRule, DossierList, LegalDocument, VersionedRule
from khuyencong.territory.models import Province


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        css = (
            "form-select"
            if isinstance(widget, forms.Select)
            else "form-check-input"
            if isinstance(widget, forms.CheckboxInput)
            else "form-control"
        )
        widget.attrs.setdefault("class", css)


def _documents():
    return LegalDocument.objects.order_by("-issued_on", "number")


class LegalDocumentForm(forms.ModelForm):
    issued_on = VnDateField(label=_("issue date"), required=False)
    effective_from = VnDateField(label=_("effective from"), required=False)
    expires_on = VnDateField(label=_("expiry date"), required=False)
    amends = forms.ModelMultipleChoiceField(
        label=_("amends"), queryset=LegalDocument.objects.none(), required=False, widget=forms.SelectMultiple
    )

    class Meta:
        model = LegalDocument
        fields = [
            *("number", "doc_type", "title", "issuing_body", "signer", "issued_on", "effective_from", "expires_on"),
            *("field", "province", "replaces", "amends", "summary", "to_confirm", "file"),
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "to_confirm": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        others = _documents().exclude(pk=self.instance.pk) if self.instance.pk else _documents()
        self.fields["replaces"].queryset = others
        self.fields["amends"].queryset = others
        if self.instance.pk:
            self.fields["amends"].initial = list(self.instance.amends.values_list("pk", flat=True))
        self.fields["province"].queryset = _writable_provinces(user, LegalDocument)
        self.fields["province"].empty_label = _("— national text —")
        _style(self)

    def _post_clean(self):
        pass  # the action validates (rulebook.actions.save_legal_document)


def _writable_provinces(user, model):
    reach = user_scope(user, WRITE_LOCAL, model)
    return reach.limit_provinces(Province.objects.current().order_by(vi_order("short_name")))


class DocumentLinesField(forms.CharField):
    """A dossier list: one document per line."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class RuleVersionForm(forms.ModelForm):
    """A new version of a rule (or a correction of one not yet in force)."""

    effective_from = VnDateField(label=_("effective from"))
    effective_to = VnDateField(label=_("effective to"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        model = self._meta.model
        self.fields["legal_document"].queryset = _documents()
        self.fields["legal_document"].required = False  # the action refuses with no_legal_basis
        self.fields["legal_document"].empty_label = _("— choose the legal text —")
        self.fields["province"].queryset = _writable_provinces(user, model)
        self.fields["province"].empty_label = _("— national rule —")
        if "contents" in self.fields:
            self.fields["contents"].queryset = ActivityContent.objects.order_by("-effective_from", "number")
            self.fields["contents"].widget = forms.CheckboxSelectMultiple()
            self.fields["contents"].choices = [(c.pk, str(c)) for c in self.fields["contents"].queryset]
            self.fields["contents"].help_text = _("None: the rule applies to every content.")
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                # Typed the Vietnamese way (1,5), shown without trailing zeros (30, not 30.00).
                field.localize = True
                field.widget.is_localized = True
                field.widget.input_type = "text"
                field.widget.attrs["inputmode"] = "decimal"
        if "applies_to_provinces" in self.fields:
            self.fields["applies_to_provinces"].queryset = Province.objects.current().order_by(vi_order("short_name"))
        _style(self)

    def _post_clean(self):
        pass  # the action validates (rulebook.actions), so the page and the API refuse alike

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("contents", None)
        data.pop("applies_to_provinces", None)
        return data


def rule_version_form(model: type[VersionedRule]) -> type[RuleVersionForm]:
    """The form for a version of ``model``: the common fields, then the model's own."""
    own = sorted(RULE_FIELDS[str(model._meta.model_name)], key=[f.name for f in model._meta.fields].index)
    links = ["contents"] if hasattr(model, "contents") else []
    if model is DeadlineRule:
        links.append("applies_to_provinces")
    order = ["legal_document", "code", "name", "level", "province", "effective_from", "effective_to"]
    fields = [*order, *own, *links, "unconfirmed", "unconfirmed_note", "note"]
    assert set(order) | {"unconfirmed", "unconfirmed_note", "note"} == COMMON_FIELDS
    attrs: dict = {
        "Meta": type(
            "Meta",
            (),
            {
                "model": model,
                "fields": fields,
                "widgets": {
                    "note": forms.Textarea(attrs={"rows": 2}),
                    "unconfirmed_note": forms.Textarea(attrs={"rows": 2}),
                    "conditions": forms.Textarea(attrs={"rows": 3}),
                },
            },
        )
    }
    if "amount_cap" in own:
        attrs["amount_cap"] = AmountField(
            label=_("ceiling (đồng)"), required=False, help_text=_("For example 1.000.000.000 or 1 tỷ.")
        )
    if "due_on" in own:
        attrs["due_on"] = VnDateField(label=_("due date"), required=False)
    if model is DossierList:
        attrs["documents"] = DocumentLinesField(label=_("documents"), help_text=_("One document per line."))
    return type(f"{model.__name__}Form", (RuleVersionForm,), attrs)
