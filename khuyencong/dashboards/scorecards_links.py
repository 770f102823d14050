"""The lists behind a scorecard's numbers: each numerator and denominator opens the records it
counts (the report completeness matrix, the ledger and the allocations, the project list and the
overdue list), one link per year of the period, filtered to the unit or the province."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .scorecards import DISBURSEMENT, OUTPUTS, PROVINCE, REPORTS, SCHEDULE, Query, Scorecard


@dataclass
class Link:
    label: str
    url: str


def _url(name: str, fallback: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    try:
        path = reverse(name)
    except NoReverseMatch:  # an app's pages not mounted: the path they live at
        path = fallback
    return f"{path}?{query}" if query else path


def _place(row: Scorecard, unit_param: str) -> dict[str, str]:
    return {"province": row.code} if row.kind == PROVINCE else {unit_param: row.code}


def links(row: Scorecard, years: list[int]) -> dict[str, dict[str, list[Link]]]:
    """component -> {"numerator" | "denominator" | "extra": [Link per year]}."""
    out: dict[str, dict[str, list[Link]]] = {}
    reports, ledger, allocations, projects, overdue = [], [], [], [], []
    for year in years:
        label = str(year)
        reports.append(
            Link(
                label,
                _url("reporting:completeness", "/reports/completeness/", {"year": year, "province": row.province_code}),
            )
        )
        ledger.append(
            Link(label, _url("finance:ledger_list", "/finance/ledger/", {"year": year, **_place(row, "unit")}))
        )
        allocations.append(
            Link(label, _url("finance:allocation_list", "/finance/allocations/", {"year": year, **_place(row, "unit")}))
        )
        projects.append(
            Link(label, _url("projects:list", "/projects/", {"year": year, **_place(row, "implementing_unit")}))
        )
        overdue.append(
            Link(
                label,
                _url(
                    "deadlines:list",
                    "/projects/deadlines/",
                    {"overdue": 1, "year": year, **_place(row, "implementing_unit")},
                ),
            )
        )
    out[REPORTS] = {"numerator": reports, "denominator": reports}
    out[DISBURSEMENT] = {"numerator": ledger, "denominator": allocations}
    out[SCHEDULE] = {"numerator": projects, "denominator": projects, "extra": overdue}
    out[OUTPUTS] = {"numerator": projects, "denominator": projects}
    return out


def detail(row: Scorecard, query: Query) -> str:
    name = "dashboards:scorecard_province" if row.kind == PROVINCE else "dashboards:scorecard_unit"
    path = reverse(name, args=[row.code])
    params = {k: v for k, v in query.params().items() if k in ("year", "to")}
    return f"{path}?{urlencode(params)}" if params else path


def sort_link(query: Query, column: str) -> str:
    """The list sorted by ``column``: names and the rank ascending first, rates and the score
    descending first; the same column again turns it round."""
    first = column if column in ("rank", "name", "province") else f"-{column}"
    target = (first[1:] if first.startswith("-") else f"-{first}") if query.sort == first else first
    path = reverse("dashboards:scorecards")
    return f"{path}?{urlencode(query.params(sort=target))}"


def label_for_list(kind: str) -> str:
    return _("Province") if kind == PROVINCE else _("Unit")
