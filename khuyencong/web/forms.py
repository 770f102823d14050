from __future__ import annotations

from django import forms

from khuyencong.kernel.scoping import Action, restrict, user_scope


class ScopedModelForm(forms.ModelForm):
    """A model form whose choice lists hold only what the user may see.

    Choice fields pointing at scoped models are restricted through the scoping layer; fields
    pointing at provinces are limited to the provinces the user may write in.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        action = Action.CHANGE if self.instance.pk else Action.ADD
        reach = user_scope(user, action, self._meta.model)
        for field in self.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            related = field.queryset.model
            if hasattr(related, "scope_province_field") or hasattr(related, "scope_org_unit_field"):
                field.queryset = restrict(field.queryset, user, Action.VIEW)
            elif related._meta.label_lower == "territory.province":
                field.queryset = reach.limit_provinces(field.queryset)
            elif related._meta.label_lower == "territory.commune":
                field.queryset = reach.limit_provinces(field.queryset, "province")
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-select"
                if isinstance(widget, forms.Select)
                else "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else "form-control"
            )
            widget.attrs.setdefault("class", css)
