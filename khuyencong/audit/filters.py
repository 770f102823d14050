"""The change list's filters and sort orders (see ``khuyencong.kernel.filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.filters import FilterSpec


class ObjectChangeFilters(FilterSpec):
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("All actions")), *ObjectChange.Action.choices])
    user_name = forms.CharField(label=_("User"))
    request_id = forms.CharField(label=_("Request id"))

    sorts = ("time", "user_name")
    default_sort = ("-time",)
