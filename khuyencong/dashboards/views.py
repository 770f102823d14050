"""The dashboard page: thin; figures come from ``selectors.dashboard``, links from ``links``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.kernel.money import format_vnd, format_vnd_short
from khuyencong.kernel.scoping import can
from khuyencong.projects.models import Project

from . import links
from .scope import ScopeError, reach, resolve_scope, scope_choices
from .scorecards import VIEW_SCORECARD
from .selectors import CURRENT, LEGACY, DashboardInputError, dashboard, parse_generation, parse_year

MAPS = {CURRENT: "kc/maps/vn-34.json", LEGACY: "kc/maps/vn-63.json"}


@login_required
def dashboard_page(request):
    allowed = reach(request.user)
    if allowed.is_empty:
        raise PermissionDenied("no projects in reach")
    try:
        year = parse_year(request.GET.get("year"))
        generation = parse_generation(request.GET.get("provinces"), year)
        scope = resolve_scope(request.user, request.GET.get("scope"))
    except DashboardInputError as error:
        return _refused(request, error.message, 400)
    except ScopeError as error:
        if error.status == 403:
            raise PermissionDenied(error.message)
        return _refused(request, error.message, 404 if error.status == 404 else 400)
    board = dashboard(request.user, scope=scope, year=year, generation=generation)
    data = chart_data(board)
    context = {
        "board": board,
        "scope_choices": scope_choices(request.user, allowed),
        "years": list(range(max(year, timezone.localdate().year), min(year, 2019) - 1, -1)),
        "links": links.for_dashboard(board),
        "chart_data": data,
        "provinces_param": request.GET.get("provinces", ""),
        "province_table": [p for p in data["provinces"] if p["in_scope"] and (p["projects"] or p["allocated"])],
        "may_view_scorecards": can(request.user, VIEW_SCORECARD, Project),
    }
    if board.money is not None:
        context["money_cards"] = [
            (_("Plan budget"), format_vnd_short(board.money.plan), format_vnd(board.money.plan), ""),
            (
                _("Allocated to units"),
                board.money.allocated_percent,
                format_vnd(board.money.allocated),
                _("of the plan budget"),
            ),
            (_("Disbursed"), board.money.disbursed_percent, format_vnd(board.money.disbursed), _("of the allocation")),
            (_("Settled"), board.money.settled_percent, format_vnd(board.money.settled), _("of the disbursement")),
        ]
    return render(request, "dashboards/dashboard.html", context)


def _refused(request, message: str, status: int):
    return render(request, "dashboards/refused.html", {"message": message}, status=status)


def chart_data_rows(board) -> list[dict]:
    return [{**p, "url": links.province_projects(board, p["code"])} for p in board.provinces]


def chart_data(board) -> dict:
    """What dashboard.js draws: plain data, the links behind each figure and the labels."""
    return {
        "map_url": static(MAPS[board.generation]),
        "generation": board.generation,
        "states": [{**s, "url": links.projects(board, state=s["state"])} for s in board.states],
        "monthly": board.monthly,
        "provinces": chart_data_rows(board),
        "money": board.money is not None,
        "labels": {
            "projects": _("Projects"),
            "disbursed": _("Disbursed (% of allocation)"),
            "no_data": _("No data"),
            "amount": _("Disbursed (đồng)"),
            "out_of_scope": _("Outside this dashboard"),
        },
    }
