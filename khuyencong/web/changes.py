"""The change log as an inspector reads it: field labels, choice labels, names and local times.

Snapshots keep raw column values (``commune_id = 1709``, ``owner_gender = "female"``, ISO UTC
times); this turns one change into rows of (label, before, after) in the current language.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from khuyencong.kernel.money import format_vnd

# Bookkeeping that changes on every sign-in or save and tells an inspector nothing.
HIDDEN_FIELDS = {"last_login", "password", "updated_at", "modified_at"}
EMPTY = "—"


def _field_by_column(model) -> dict[str, models.Field]:
    if model is None:
        return {}
    fields = {field.attname: field for field in model._meta.concrete_fields}
    fields.update({field.name: field for field in model._meta.many_to_many})  # logged as lists of ids
    return fields


def _related_label(field: models.Field, value, cache: dict) -> str:
    key = (field.related_model, value)
    if key not in cache:
        obj = field.related_model._base_manager.filter(pk=value).first()
        cache[key] = str(obj) if obj is not None else f"#{value}"
    return cache[key]


def display_value(field: models.Field | None, value, cache: dict | None = None) -> str:
    """One stored value as a person would write it."""
    cache = {} if cache is None else cache
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if field.is_relation and field.many_to_many and isinstance(value, list | tuple):
        return "; ".join(_related_label(field, pk, cache) for pk in value) or EMPTY
    if field.is_relation and (field.many_to_one or field.one_to_one):
        return _related_label(field, value, cache)
    if isinstance(field, models.DateTimeField):
        from khuyencong.web.templatetags.vn import vndatetime

        return vndatetime(parse_datetime(str(value)) or value)
    if isinstance(field, models.DateField):
        parsed = parse_date(str(value))
        return parsed.strftime("%d/%m/%Y") if isinstance(parsed, dt.date) else str(value)
    if isinstance(field, models.IntegerField | models.DecimalField) and not field.name.endswith("year"):
        try:
            return format_vnd(value, unit="")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def change_rows(change) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field that differs, in the model's field order."""
    model = change.content_type.model_class()
    fields = _field_by_column(model)
    order = {name: index for index, name in enumerate(fields)}
    cache: dict = {}
    rows = []
    changed = sorted(change.changed_fields, key=lambda row: order.get(row[0], len(order)))
    for column, before, after in changed:
        if column in HIDDEN_FIELDS:
            continue
        field = fields.get(column)
        label = capfirst(str(field.verbose_name)) if field is not None else column
        rows.append((label, display_value(field, before, cache), display_value(field, after, cache)))
    return rows


def person_name(change) -> str:
    """The full name of who made the change, or the stored user name for a deleted account."""
    if change.user_id and change.user is not None:
        return change.user.get_full_name()
    return change.user_name or _("System")
