"""Sections one app adds to another app's page without the page's app importing it.

The establishment's 360° page (registry) lists the projects and supports an establishment
received (projects); registry may not depend on projects, so projects registers a provider in its
``AppConfig.ready`` and the page renders whatever the slot holds::

    sections.register("registry.establishment", provider)   # provider(request, obj) -> (template, context) | None

and in the page's template ``{% page_sections "registry.establishment" object as html %}{{ html }}``.
The home page has the slot ``"web.home"`` (``provider(request, user)``): each app adds its own
worklist card there (payments to approve, reports due…); the plan page ``"planning.plan"`` and the
org unit page ``"organisation.orgunit"`` take the money and monitoring figures of their object;
``"dashboards.kpis"`` (``provider(request, board)``, the ``dashboards.selectors.Dashboard`` with its
scope and year) adds a KPI card to the dashboards (missing reports…).
Providers run in registration order; each should read a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any, Any], "tuple[str, dict] | None"]
_SLOTS: dict[str, list[Provider]] = {}


def register(slot: str, provider: Provider) -> Provider:
    """Add ``provider`` to ``slot`` (once; registering the same function again is a no-op)."""
    providers = _SLOTS.setdefault(slot, [])
    if provider not in providers:
        providers.append(provider)
    return provider


def providers(slot: str) -> list[Provider]:
    return list(_SLOTS.get(slot, ()))
