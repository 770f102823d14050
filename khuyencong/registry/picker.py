"""Choose a commune by its name (ux review P1.7a): an input that asks the server for suggestions
as the user types, without accents, among the communes the user may record establishments in.

The form still submits the commune's code (a hidden input named like the field), so the API, the
tests and a browser without JavaScript (which can type the code itself) keep working. A commune
from before 1/7/2025 is offered too, and picking it fills its successor, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from khuyencong.kernel.scoping import Action, Scope, user_scope
from khuyencong.kernel.text import fold
from khuyencong.territory.models import Commune

LIMIT = 15
MAX_QUERY = 60


@dataclass(frozen=True)
class Suggestion:
    code: str  # the current commune's code: what the form submits
    label: str  # "Xã Thạch Hà, Tỉnh Hà Tĩnh"
    legacy_name: str = ""  # the pre-2025 unit the user typed, when it is one
    legacy_code: str = ""


def label(commune: Commune) -> str:
    return f"{commune.name}, {commune.province.name}"


def reach(user, model) -> Scope:
    """Where the user may add or change records of ``model``."""
    return user_scope(user, Action.ADD, model) | user_scope(user, Action.CHANGE, model)


def suggestions(user, model, query: str, limit: int = LIMIT, *, scope: Scope | None = None) -> list[Suggestion]:
    """Current communes whose name (without accents) or code matches ``query``, then pre-2025
    communes mapped to their successor; only communes in the user's reach (or in ``scope``)."""
    scope = reach(user, model) if scope is None else scope
    words = fold(query[:MAX_QUERY]).split()
    if scope.is_empty or not words:
        return []
    match = Q()
    for word in words:
        by_word = Q(folded_name__contains=word)
        if word.isdigit():
            by_word |= Q(code__startswith=word)
        match &= by_word
    current = scope.limit_provinces(Commune.objects.current().filter(match), "province").select_related("province")
    found = [Suggestion(c.code, label(c)) for c in current.order_by("folded_name", "code")[:limit]]
    if len(found) < limit:
        legacy = scope.limit_provinces(
            Commune.objects.legacy().filter(match, successor__valid_to__isnull=True), "successor__province"
        ).select_related("successor__province")
        for old in legacy.order_by("folded_name", "code")[: limit - len(found)]:
            found.append(Suggestion(old.successor.code, label(old.successor), old.name, old.code))
    return found


class CommuneSuggestView(LoginRequiredMixin, View):
    """GET ?q=…: the list of suggestions (an HTML fragment for the picker)."""

    model = None  # the records the commune is for
    reach_action = None  # set: communes where the user may ``reach_action`` ``model`` (else add/change)

    def get(self, request):
        # The picker's search box is named "<field>_search"; "q" for other callers.
        query = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("_search")), "")
        scope = user_scope(request.user, self.reach_action, self.model) if self.reach_action else None
        found = suggestions(request.user, self.model, query, scope=scope) if "\x00" not in query else []
        context = {"suggestions": found, "query": query.strip(), "limit": LIMIT}
        return render(request, "registry/widgets/_commune_suggestions.html", context)


class CommunePicker(forms.TextInput):
    """A hidden code plus a search box whose suggestions come from ``url_name``."""

    template_name = "registry/widgets/commune_picker.html"

    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name

    def value_from_datadict(self, data, files, name):
        """The chosen code; without JavaScript, what was typed in the search box."""
        return data.get(name) or data.get(f"{name}_search")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def get_context(self, name, value, attrs):
        """``value`` is the code (the field's ``prepare_value``) or what the user typed."""
        context = super().get_context(name, value, attrs)
        text = "" if value is None else str(value).strip()
        commune = None
        if text.isdigit() and len(text) <= 6:
            commune = Commune.objects.current().select_related("province").filter(code=text.zfill(5)).first()
        context["widget"].update(url=reverse(self.url_name), code=text, chosen=label(commune) if commune else "")
        return context


# --- Craft villages ------------------------------------------------------------------------------
#
# The country has about 5,400 craft villages: as a drop-down they made the establishment list and
# its edit form render thousands of <option>s on every request. The same search-as-you-type picker
# as the commune's (the form submits the village's id) asks for a few at a time instead.


@dataclass(frozen=True)
class VillageSuggestion:
    pk: int
    label: str  # "Làng nghề mây tre đan Thạch Hà (Xã Thạch Hà, Hà Tĩnh)"


def village_label(village) -> str:
    return f"{village.name} ({village.commune.name}, {village.province.short_name})"


def village_suggestions(user, query: str, limit: int = LIMIT) -> list[VillageSuggestion]:
    """Craft villages the user may see whose name or crafts (without accents) contain every word."""
    from khuyencong.registry.models import CraftVillage

    words = fold(query[:MAX_QUERY]).split()
    if not words:
        return []
    match = Q()
    for word in words:
        match &= Q(folded_name__contains=word) | (Q(pk=int(word)) if word.isdigit() and len(word) < 10 else Q())
    found = CraftVillage.objects.restrict(user, Action.VIEW).filter(match).select_related("commune", "province")
    return [VillageSuggestion(v.pk, village_label(v)) for v in found.order_by("folded_name", "pk")[:limit]]


class VillageSuggestView(LoginRequiredMixin, View):
    """GET ?q=…: craft villages for the picker (an HTML fragment)."""

    def get(self, request):
        query = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("_search")), "")
        found = village_suggestions(request.user, query) if "\x00" not in query else []
        context = {"suggestions": found, "query": query.strip(), "limit": LIMIT}
        return render(request, "registry/widgets/_village_suggestions.html", context)


class VillagePicker(CommunePicker):
    """A hidden village id plus a search box (``registry:craftvillage_suggest``)."""

    template_name = "registry/widgets/village_picker.html"

    def __init__(self, attrs=None):
        super().__init__("registry:craftvillage_suggest", attrs)

    def get_context(self, name, value, attrs):
        context = super(CommunePicker, self).get_context(name, value, attrs)
        text = "" if value is None else str(value).strip()
        village = None
        if text.isdigit() and len(text) < 10:
            from khuyencong.registry.models import CraftVillage

            village = CraftVillage.objects.select_related("commune", "province").filter(pk=int(text)).first()
        chosen = village_label(village) if village else ""
        context["widget"].update(url=reverse(self.url_name), code=text, chosen=chosen)
        return context


class MultiPicker(forms.SelectMultiple):
    """A multiple choice as chips plus a search box (``static/kc/multipicker.js``): typing filters
    the options without accents, Enter or a click adds one, × or Backspace removes one. The plain
    ``<select multiple>`` stays in the page as the submitted value, and is what a browser without
    JavaScript shows. Each option carries its folded label for the search."""

    template_name = "registry/widgets/multi_picker.html"

    def __init__(self, attrs=None, *, placeholder: str = ""):
        super().__init__(attrs)
        self.placeholder = placeholder

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        option["attrs"]["data-search"] = fold(str(label))
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["placeholder"] = self.placeholder
        return context
