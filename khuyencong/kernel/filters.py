"""One definition of a list's search, filters and sort orders, for every way the list is read.

A resource declares a :class:`FilterSpec` in its app's ``filters.py``: the form fields are the
filters and their names are the public query parameters, the same on the HTML page, in the API,
in an export job's saved query and in later dashboards. The app's ``selectors.py`` combines the
spec with the scoping layer (``restrict``) into ``<resource>_list(*, user, action, filters)``.

Reading a list is three steps, always in this order: search (``q``), filters, sort (``sort``).
A spec is a Django form so the page can render it and show a message next to a bad value; the
API binds the same spec to its query string and answers a bad value with a coded 422.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.text import fold, vi_ordering

EMPTY: tuple[object, ...] = (None, "", [], ())
_ID = re.compile(r"^\d{1,18}$")


class InvalidFilters(Exception):
    """Raised by a selector given filter values that do not validate."""

    def __init__(self, spec: FilterSpec) -> None:
        self.spec = spec
        super().__init__("; ".join(f"{d['field']}: {d['message']}" for d in self.details) or "invalid filters")

    @property
    def details(self) -> list[dict[str, str | None]]:
        return self.spec.error_details()


class YesNoField(forms.TypedChoiceField):
    """Yes / no / either. The page sends 1 or 0; API clients may also send true or false."""

    ALIASES = {"true": "1", "yes": "1", "false": "0", "no": "0"}

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [("", _("All")), ("1", _("Yes")), ("0", _("No"))])
        super().__init__(coerce=lambda value: value == "1", empty_value=None, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.ALIASES.get(value.lower(), value) if isinstance(value, str) else value


# --- Choice lists read and rendered once ----------------------------------------------------------
#
# A list page's filter form offers reference data (provinces, industry lines) that changes a few
# times a year. Each option rendered through Django's widget templates costs about 60 µs, and a
# ``ModelChoiceField`` reads its rows with ``.iterator()`` (a server-side cursor on PostgreSQL):
# together a fixed ~10–15 ms on every page. Here the rows are read once per process with a plain
# query (kept until a save or delete of that model bumps its version, or CHOICES_TTL passes: the
# territory loader writes in bulk, without signals), and each select's HTML is rendered once per
# (choices, selected value, language).

CHOICES_TTL = 300.0  # seconds
_rows: dict[tuple, tuple[object, float, list]] = {}
_watched: set[str] = set()
_html: dict[tuple, str] = {}
_HTML_LIMIT = 4096


def _version_key(model) -> str:
    return f"kc:choices:{model._meta.label_lower}"


def choices_changed(model) -> None:
    """Forget the cached choice rows (and their HTML) of ``model`` in every process sharing the cache."""
    from django.core.cache import cache

    try:
        cache.incr(_version_key(model))
    except ValueError:
        cache.set(_version_key(model), 1, None)


def forget_cached_choices() -> None:
    """Empty this process's choice caches (tests: a rolled-back row sends no signal)."""
    _rows.clear()
    _html.clear()


def cached_rows(queryset: QuerySet) -> tuple[object, list]:
    """(version, rows) of a small reference queryset, read with one plain query when not cached."""
    from django.core.cache import cache

    version = cache.get(_version_key(queryset.model), 0)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: a reach without provinces offers no choice
        return (queryset.db, queryset.model._meta.label_lower, "empty"), []
    key = (queryset.db, queryset.model._meta.label_lower, sql, tuple(map(str, params)))
    _watched.add(queryset.model._meta.label_lower)
    now = time.monotonic()
    found = _rows.get(key)
    if found is None or found[0] != version or now - found[1] > CHOICES_TTL:
        found = (version, now, list(queryset))  # list(): no server-side cursor for a few rows
        _rows[key] = found
    return (key, found[0], found[1]), found[2]


@receiver(post_save)
@receiver(post_delete)
def _forget_choices(sender, **kwargs):
    if sender._meta.label_lower in _watched:
        choices_changed(sender)


class ListChoiceIterator(ModelChoiceIterator):
    """Choices from :func:`cached_rows` (read when first needed); ``fingerprint`` names them for
    the HTML cache."""

    @cached_property
    def _cached(self) -> tuple[object, list]:
        return cached_rows(self.queryset) if self.queryset is not None else (None, [])

    @property
    def fingerprint(self) -> object:
        return self._cached[0]

    @property
    def rows(self) -> list:
        return self._cached[1]

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.rows) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.rows)


class CachedSelect(forms.Select):
    """A select whose HTML is rendered once per choices, selected value and language."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = self.choices
        if isinstance(choices, ListChoiceIterator):
            what: object = (choices.fingerprint, str(choices.field.empty_label))
        else:
            what = tuple((str(v), str(label)) for v, label in choices)
        merged = {**self.attrs, **(attrs or {})}
        key = (name, str(value), tuple(sorted((k, str(v)) for k, v in merged.items())), get_language(), what)
        html = _html.get(key)
        if html is None:
            if len(_html) >= _HTML_LIMIT:
                _html.clear()
            html = _html[key] = super().render(name, value, attrs, renderer)
        return html


class ReferenceField(forms.ModelChoiceField):
    """A record chosen by its code (``to_field_name``) or id: an unknown, ambiguous-free lookup.
    Its choices are read once and cached (:class:`ListChoiceIterator`).

    Unlike ``ModelChoiceField`` it never fails with a server error: an id too large for the
    database or a code shared by two rows gives the first match or a field message.
    """

    iterator = ListChoiceIterator

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        key = self.to_field_name or "pk"
        choices = self.queryset
        if choices is None or (key == "pk" and not _ID.match(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        found = choices.filter(**{key: value}).first()
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class FilterSpec(forms.Form):
    """Base class of a resource's filters. Subclasses declare fields and, where needed,
    ``filter_<name>(queryset, value)``; other fields filter by ``lookups.get(name, name)``."""

    search_field: str | None = None  # folded text column ``q`` searches, or None
    # Fewer characters than this (spaces aside) do not search: a trigram index cannot serve one
    # or two letters, and a letter rare in Vietnamese ("z", "f") would read the whole table.
    min_query_length = 3
    search_sort: tuple[str, ...] | None = None  # order when searching without a chosen sort
    sorts: tuple[str, ...] = ()  # sort keys the list offers; "-key" sorts descending
    default_sort: tuple[str, ...] = ("pk",)
    # Sort keys served by stored columns: {"name": ("name_key",)} sorts by an indexed sort key
    # instead of ``ORDER BY name COLLATE …`` (which no index serves); "-name" reverses each.
    sort_columns: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, str] = {}
    RESERVED = ("q", "sort")

    def __init__(self, data: Mapping | None = None, *, user=None):
        super().__init__(data)
        self.user = user
        for field in self.fields.values():
            field.required = False
            if type(field.widget) is forms.Select:
                cached = CachedSelect(attrs=field.widget.attrs)
                cached.choices = field.widget.choices
                field.widget = cached
            small = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", small)

    # --- parameters ------------------------------------------------------------------------
    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        names = list(cls.base_fields)
        if cls.search_field:
            names.insert(0, "q")
        if cls.sorts:
            names.append("sort")
        return tuple(names)

    @property
    def query(self) -> str:
        return (self.data.get("q") or "").strip() if self.is_bound else ""

    @property
    def sort(self) -> str:
        sort = (self.data.get("sort") or "").strip() if self.is_bound else ""
        return sort if sort.lstrip("-") in self.sorts and sort.count("-") <= 1 else ""

    @property
    def query_too_short(self) -> bool:
        folded = fold(self.query).replace(" ", "")
        return bool(self.search_field and folded and len(folded) < self.min_query_length)

    def clean(self):
        cleaned = super().clean()
        if self.query_too_short:
            raise ValidationError(
                _("Type at least %(count)s letters or digits to search."),
                code="query_too_short",
                params={"count": self.min_query_length},
            )
        return cleaned

    def params(self) -> dict[str, Any]:
        """The values asked for, as sent (for the access log and an export job's saved query)."""
        if not self.is_bound:
            return {}
        return {name: self.data.get(name) for name in self.parameter_names() if self.data.get(name) not in EMPTY}

    def error_details(self) -> list[dict[str, str | None]]:
        return [
            {"field": field if field != "__all__" else None, "message": str(message)}
            for field, messages in self.errors.items()
            for message in messages
        ]

    # --- reading ---------------------------------------------------------------------------
    def search(self, queryset: QuerySet) -> QuerySet:
        if self.query and self.search_field and not self.query_too_short:
            queryset = queryset.filter(**{f"{self.search_field}__contains": fold(self.query)})
        return queryset

    def filter(self, queryset: QuerySet) -> QuerySet:
        """Apply every filter whose value is valid (a page shows a message next to the others)."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        for name, value in self.cleaned_data.items():
            if value in EMPTY:
                continue
            method = getattr(self, f"filter_{name}", None)
            if method is not None:
                queryset = method(queryset, value)
            else:
                queryset = queryset.filter(**{self.lookups.get(name, name): value})
        return queryset

    def order_terms(self, model, sort: str) -> list:
        """``order_by`` terms for one sort key: its stored columns, or the field itself (text in
        Vietnamese alphabetical order: Đ after D, not by code point)."""
        descending = sort.startswith("-")
        columns = self.sort_columns.get(sort.lstrip("-"))
        if columns:
            return [f"-{column}" if descending else column for column in columns]
        return vi_ordering(model, sort)

    def order(self, queryset: QuerySet) -> QuerySet:
        # The primary key breaks ties in the sort's direction, so a backward index scan serves "-key".
        if self.sort:
            tie = "-pk" if self.sort.startswith("-") else "pk"
            return queryset.order_by(*self.order_terms(queryset.model, self.sort), tie)
        if self.query and self.search_sort and not self.query_too_short:
            return queryset.order_by(*self.search_sort)
        return queryset.order_by(
            *(term for key in self.default_sort for term in self.order_terms(queryset.model, key)), "pk"
        )

    def apply(self, queryset: QuerySet) -> QuerySet:
        return self.order(self.filter(self.search(queryset)))


def bind(spec_class: type[FilterSpec], filters, *, user) -> FilterSpec:
    """A bound spec from a spec (returned as is), a mapping of parameters or None; a mapping
    that does not validate raises :class:`InvalidFilters` (selectors never guess)."""
    if isinstance(filters, FilterSpec):
        return filters
    spec = spec_class(filters or {}, user=user)
    if not spec.is_valid():
        raise InvalidFilters(spec)
    return spec
