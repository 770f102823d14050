"""The dashboards' "missing reports" figure (registered in ``ReportingConfig.ready``):

* the KPI card on the page (``kernel.sections`` slot ``"dashboards.kpis"``, ``provider(request,
  board)``), and
* ``extensions.reports`` in ``GET /api/v1/dashboard`` (``dashboards.extensions``).

For the board's year and scope (the whole country, a region's provinces, a province, or a unit and
its sub-units), within the viewer's reach on reports: the reports every form in use expects, and
how many were sent on time, late, are missing (due and not sent) or were returned, with the rates
over the reports due or sent (``services.completeness``, so never above 100%). Each form links to
its completeness matrix filtered the same way. Six queries whatever the number of forms and units.
Reporting reads the board's attributes (``scope.kind``, ``scope.code``, ``scope.province_ids``,
``scope.unit_ids``, ``year``); it imports nothing of the dashboards but their extension registry.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from khuyencong.kernel.scoping import Action, can, user_scope
from khuyencong.reporting import services
from khuyencong.reporting.models import Report
from khuyencong.reporting.selectors import active_forms

STATUSES = (services.ON_TIME, services.LATE, services.MISSING, services.RETURNED, services.PENDING)


def _filters(board) -> tuple[dict, dict]:
    """(completeness filters, query parameters of the matrix page) for the board's scope."""
    scope = board.scope
    if scope.kind == "province":
        return {"province_ids": set(scope.province_ids)}, {"province": scope.code}
    if scope.kind == "region":
        return {"province_ids": set(scope.province_ids)}, {"region": scope.code}
    if scope.kind == "unit":
        return {"unit_ids": set(scope.unit_ids)}, {"unit": scope.code}
    return {}, {}


def matrix_url(form_code: str, year: int, params: dict) -> str:
    return f"{reverse('reporting:completeness')}?{urlencode({'form': form_code, 'year': year, **params})}"


def summary(user, board) -> dict | None:
    """The figures of every form in use for the board (None: the user reads no reports)."""
    if user is None or not can(user, Action.VIEW, Report):
        return None
    reach = user_scope(user, Action.VIEW, Report)
    filters, params = _filters(board)
    matrices = services.completeness_of_forms(
        list(active_forms()), board.year, scope=None if reach.everywhere else reach, **filters
    )
    total = services.Completeness(year=board.year, matrices=matrices)
    forms = [
        {
            "code": m.form.code,
            "name": m.form.name,
            "expected": sum(m.counts.values()),
            "counts": m.counts,
            "rates": m.rate_texts,
            "url": matrix_url(m.form.code, board.year, params),
        }
        for m in matrices
        if sum(m.counts.values())
    ]
    worst = max(forms, key=lambda f: (f["counts"][services.MISSING], f["expected"]), default=None)
    return {
        "year": board.year,
        "expected": total.expected,
        "counts": total.counts,
        "rates": total.rate_texts,
        "forms": forms,
        "url": worst["url"] if worst else "",
    }


def figures(user, board) -> dict | None:
    """``GET /api/v1/dashboard``'s ``extensions.reports``."""
    data = summary(user, board)
    if data is None:
        return None
    return {
        "year": data["year"],
        "expected": data["expected"],
        **{status: data["counts"][status] for status in STATUSES},
        "rates": data["rates"],
        "forms": [
            {"code": f["code"], "expected": f["expected"], **f["counts"], "completeness_url": f["url"]}
            for f in data["forms"]
        ],
    }


def missing_reports_card(request, board):
    data = summary(getattr(request, "user", None), board)
    if data is None:
        return None
    return "reporting/_dashboard_kpi.html", {"report_kpi": data}
