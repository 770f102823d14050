"""What every document form shares: the number, the date and the signer's name, typed by the
person generating it (all optional)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.planning.forms import DATE, StyledForm

DATES = ["%Y-%m-%d", "%d/%m/%Y"]


class DocumentForm(StyledForm):
    """A kind's form takes ``user=`` and adds its pickers; these three fields come last."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["number"] = forms.CharField(
            label=_("Number and symbol"),
            required=False,
            max_length=60,
            help_text=_("For example 123/BC-KC. Left empty, the number is left blank to fill in by hand."),
        )
        self.fields["date"] = forms.DateField(
            label=_("Document date"),
            required=False,
            widget=DATE,
            input_formats=DATES,
            help_text=_("Left empty: 15 days after the period ends, or today if that is sooner."),
        )
        self.fields["signer_name"] = forms.CharField(label=_("Signed by (name)"), required=False, max_length=120)
        for field in self.fields.values():  # StyledForm styled the fields it saw; style the new ones
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
