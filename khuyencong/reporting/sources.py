"""System figures that pre-fill a report (the ``source`` of an ``Indicator``).

A source is a function ``fn(unit, period) -> int | Decimal | None``: the figure the system's own
records give for ``unit`` over ``period`` (None: the system does not know). Apps register theirs
at start-up, so reporting imports none of them::

    from khuyencong.reporting import sources
    sources.register("projects.count_in_progress", fn, label=gettext_lazy("Projects in progress"))

The projects figures are registered by ``reporting/project_sources.py`` (it reads the projects
app's models). **Money figures of the finance app**: the keys in ``FINANCE_HOOKS`` are reserved
for it — ``finance.disbursed`` (đồng disbursed by the unit or in the province during the period)
and ``finance.allocated`` (đồng allocated to it up to the period's end). The finance app registers
them from its ``AppConfig.ready``; until it does, an indicator naming them shows no system figure
(and needs no correction reason). Reporting never imports the finance app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SourceFunction = Callable[[Any, Any], "int | Decimal | None"]

# Keys the finance app registers later (documented hook; see the module docstring).
FINANCE_HOOKS: dict[str, Promise] = {
    "finance.disbursed": _("Disbursed in the period (đồng)"),
    "finance.allocated": _("Allocated up to the end of the period (đồng)"),
}


@dataclass(frozen=True)
class Source:
    key: str
    function: SourceFunction
    label: str | Promise = ""


_SOURCES: dict[str, Source] = {}


def register(key: str, function: SourceFunction, *, label: str | Promise = "") -> SourceFunction:
    """Add a source under ``key`` (registering the same function again is a no-op)."""
    existing = _SOURCES.get(key)
    if existing is not None and existing.function is not function:
        same = (getattr(existing.function, "__module__", ""), getattr(existing.function, "__qualname__", "")) == (
            getattr(function, "__module__", ""),
            getattr(function, "__qualname__", ""),
        )
        if not same:
            raise ImproperlyConfigured(f"A report source named {key!r} is already registered.")
    _SOURCES[key] = Source(key, function, label or FINANCE_HOOKS.get(key, key))
    return function


def unregister(key: str) -> None:
    """Forget a source (tests)."""
    _SOURCES.pop(key, None)


def registered() -> dict[str, Source]:
    return dict(_SOURCES)


def is_available(key: str) -> bool:
    return key in _SOURCES


def label(key: str) -> str | Promise:
    source = _SOURCES.get(key)
    return source.label if source else FINANCE_HOOKS.get(key, key)


def compute(key: str, unit, period) -> Decimal | None:
    """The figure of source ``key`` for ``unit`` over ``period``; None for no source or no figure."""
    source = _SOURCES.get(key)
    if source is None or not key:
        return None
    value = source.function(unit, period)
    return None if value is None else Decimal(value)
