"""GET /api/v1/dashboard: the figures of a dashboard (``scope``, ``year``, ``provinces``), the same
as the page's, within the caller's reach. A malformed scope, year or generation is 422 with the
field; an unknown or out-of-reach scope is 404; no role reaching projects is 403."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from khuyencong.api.errors import ApiError

from . import extensions
from .scope import ScopeError, reach, resolve_scope
from .selectors import DashboardInputError, dashboard, parse_generation, parse_year

router = Router(tags=["dashboards"])

PARAMETERS = {"scope", "year", "provinces"}


class DashboardStateOut(Schema):
    state: str
    label: str
    count: int


class DashboardMoneyOut(Schema):
    plan: int
    allocated: int
    disbursed: int
    settled: int
    allocated_percent: str
    disbursed_percent: str
    settled_percent: str


class DashboardProvinceOut(Schema):
    code: str
    name: str
    projects: int
    allocated: int
    disbursed: int
    disbursed_percent: str


class DashboardMonthOut(Schema):
    year: int
    month: int
    amount: int


class DashboardTargetOut(Schema):
    name: str
    unit: str
    target: int | None
    content_code: str
    achieved: int | None
    under_way: int | None
    basis: str


class DashboardOut(Schema):
    scope: str
    scope_label: str
    year: int
    provinces_generation: str
    projects: int
    projects_by_state: list[DashboardStateOut]
    overdue: int
    money: DashboardMoneyOut | None
    disbursement_by_month: list[DashboardMonthOut]
    provinces: list[DashboardProvinceOut]
    unplaced_projects: int
    programme: str | None
    targets: list[DashboardTargetOut]
    extensions: dict[str, dict[str, Any]]


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, [{"field": field, "message": message}])


@router.get("/dashboard", response=DashboardOut, summary="Dashboard figures")
def get_dashboard(request, scope: str = "", year: str = "", provinces: str = ""):
    unknown = sorted(set(request.GET) - PARAMETERS)
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            "Unknown query parameter.",
            [{"field": name, "message": "Unknown parameter."} for name in unknown],
        )
    if reach(request.user).is_empty:
        raise ApiError(403, "forbidden", "Your role does not show projects on a dashboard.")
    try:
        year_value = parse_year(year)
        generation = parse_generation(provinces, year_value)
        resolved = resolve_scope(request.user, scope)
    except DashboardInputError as error:
        raise _invalid(error.field, error.message)
    except ScopeError as error:
        if error.status == 422:
            raise _invalid("scope", error.message)
        raise ApiError(error.status, "not_found" if error.status == 404 else "forbidden", error.message)
    board = dashboard(request.user, scope=resolved, year=year_value, generation=generation)
    money = board.money
    return {
        "scope": resolved.key,
        "scope_label": resolved.label,
        "year": board.year,
        "provinces_generation": board.generation,
        "projects": board.total_projects,
        "projects_by_state": board.states,
        "overdue": board.overdue,
        "money": None
        if money is None
        else {
            "plan": money.plan,
            "allocated": money.allocated,
            "disbursed": money.disbursed,
            "settled": money.settled,
            "allocated_percent": money.allocated_percent,
            "disbursed_percent": money.disbursed_percent,
            "settled_percent": money.settled_percent,
        },
        "disbursement_by_month": board.monthly,
        "provinces": [p for p in board.provinces if p["in_scope"] and (p["projects"] or p["allocated"])],
        "unplaced_projects": board.unplaced,
        "programme": board.programme.name if board.programme else None,
        "targets": board.targets,
        "extensions": extensions.figures(request.user, board),  # e.g. "reports" (reporting/dashboard.py)
    }
