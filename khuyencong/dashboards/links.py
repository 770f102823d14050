"""The lists behind a dashboard's figures: every number and map region links to the rows it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from .scope import PROVINCE, UNIT
from .selectors import LEGACY

LEDGER_PATH = "/finance/ledger/"  # the ledger list (finance app); its URL name is looked up when present


def _scope_params(board) -> dict[str, str]:
    if board.scope.kind == PROVINCE:
        return {"province": board.scope.code}
    if board.scope.kind == UNIT:
        return {"implementing_unit": board.scope.code}
    return {}


def _url(name: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def projects(board, **extra) -> str:
    return _url("projects:list", {"year": board.year, **_scope_params(board), **extra})


def province_projects(board, code: str) -> str:
    params = {k: v for k, v in _scope_params(board).items() if k != "province"}
    key = "legacy_province" if board.generation == LEGACY else "province"
    return _url("projects:list", {"year": board.year, **params, key: code})


def overdue(board) -> str:
    return _url("deadlines:list", {"overdue": 1, "year": board.year, **_scope_params(board)})


def ledger(board) -> str:
    """The finance ledger list (its filters: ``year``, ``province`` code, ``unit`` code)."""
    params = {"year": board.year, **_scope_params(board)}
    unit = params.pop("implementing_unit", None)
    if unit:
        params["unit"] = unit
    try:
        return _url("finance:ledger_list", params)
    except NoReverseMatch:  # without the ledger pages, the path they are mounted at
        return f"{LEDGER_PATH}?{urlencode(params)}"


def for_dashboard(board) -> dict[str, str]:
    return {
        "projects": projects(board),
        "overdue": overdue(board),
        "ledger": ledger(board),
    }
