"""Figures other apps add to ``GET /api/v1/dashboard`` without this app importing them (their page
cards use the ``kernel.sections`` slot ``"dashboards.kpis"``)::

    from khuyencong.dashboards import extensions
    extensions.register("reports", figures)   # figures(user, board) -> dict | None

The answer's ``extensions`` object holds each name's dict (a provider answering None is left
out, e.g. for a role that reads no reports). Each provider should read a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FigureProvider = Callable[[Any, Any], "dict[str, Any] | None"]
_PROVIDERS: dict[str, FigureProvider] = {}


def register(name: str, provider: FigureProvider) -> FigureProvider:
    _PROVIDERS[name] = provider
    return provider


def figures(user, board) -> dict[str, dict[str, Any]]:
    out = {}
    for name, provider in _PROVIDERS.items():
        value = provider(user, board)
        if value is not None:
            out[name] = value
    return out
