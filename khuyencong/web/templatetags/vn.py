"""Template filters for Vietnamese presentation: dd/mm/yyyy dates and 2.080.000.000 đ amounts."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from khuyencong.kernel.money import format_percent, format_vnd, format_vnd_short

register = template.Library()


@register.filter
def vndate(value) -> str:
    """A date (or datetime, shown in local time) as dd/mm/yyyy."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter
def vndatetime(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return vndate(value)


@register.filter
def vnd(value) -> str:
    """2080000000 -> 2.080.000.000 đ"""
    if value in (None, ""):
        return ""
    return format_vnd(value)


@register.filter
def vnd_short(value) -> str:
    """2080000000 -> 2,08 tỷ đồng"""
    if value in (None, ""):
        return ""
    return format_vnd_short(value)


@register.filter
def vnnumber(value) -> str:
    if value in (None, ""):
        return ""
    return format_vnd(value, unit="")


@register.simple_tag
def rate(numerator, denominator) -> str:
    return format_percent(numerator or 0, denominator or 0)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (sorting, paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def percent(value) -> int:
    """A progress value as a whole number from 0 to 100, for the ``kc-w-N`` width classes.

    The Content-Security-Policy forbids inline ``style`` attributes, so a bar's width comes from
    one of the 101 classes in ``static/kc/progress.css`` instead.
    """
    try:
        number = round(float(value))
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, number))


@register.simple_tag(takes_context=True)
def filters_active(context) -> bool:
    """True when the list is narrowed by a search or a filter (not just sorted or paged)."""
    request = context.get("request")
    if request is None:
        return False
    return any(value.strip() for key, values in request.GET.lists() if key not in {"sort", "page"} for value in values)


@register.simple_tag
def change_rows(change) -> list:
    """Rows (label, before, after) of a change-log entry, readable by an inspector."""
    from khuyencong.web.changes import change_rows as rows

    return rows(change)


@register.filter
def person(change) -> str:
    from khuyencong.web.changes import person_name

    return person_name(change)
