"""Unit scorecards' pages: the ranked list with its filters and sortable columns, a unit's or a
province's scorecard with the formula and the lists behind each number, the Excel file of exactly
what the list shows, and the link on the org unit page. Figures come from ``scorecards``."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from khuyencong.kernel.audit import log_access
from khuyencong.kernel.scoping import can
from khuyencong.kernel.sheets import xlsx_options
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project
from khuyencong.territory.models import Province, Region

from . import scorecards_links as links
from .scorecards import (
    COMMENDATION_THRESHOLD,
    COMPONENTS,
    EXPORT_SCORECARD,
    LABELS,
    MIN_COMPONENTS,
    PROVINCE,
    UNIT,
    UNIT_KINDS,
    WEIGHTS,
    Board,
    Query,
    Scorecard,
    ScorecardRefused,
    board_for,
    decimal_text,
    parse_query,
    reach,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request, error: ScorecardRefused):
    if error.status == 403:
        raise PermissionDenied(error.message)
    status = 404 if error.status == 404 else 400
    return render(request, "dashboards/refused.html", {"message": error.message}, status=status)


def _filters(request, query: Query) -> dict:
    """Choices of the filter form, within the viewer's reach."""
    scope = reach(request.user)
    provinces = Province.objects.current().order_by("code")
    if not scope.everywhere:
        provinces = provinces.filter(pk__in=sorted(scope.province_ids))
    this_year = timezone.localdate().year
    first = min(query.years[0], 2019)
    return {
        "years": list(range(max(this_year, query.years[-1]), first - 1, -1)),
        "unit_kinds": [(k.value, k.label) for k in UNIT_KINDS],
        "provinces": list(provinces.values_list("code", "short_name")),
        "regions": list(Region.objects.filter(kind=Region.Kind.CENTRE).order_by("code").values_list("code", "name"))
        if scope.everywhere
        else [],
    }


def rule_context() -> dict:
    return {
        "weights": [(LABELS[key], WEIGHTS[key]) for key in COMPONENTS],
        "threshold": decimal_text(COMMENDATION_THRESHOLD),
        "min_components": MIN_COMPONENTS,
        "component_count": len(COMPONENTS),
    }


@login_required
def scorecard_list(request):
    try:
        query = parse_query(request.user, request.GET)
        result = board_for(request.user, query)
    except ScorecardRefused as error:
        return _refused(request, error)
    sort_links = {key: links.sort_link(query, key) for key in ("rank", "name", "province", "score", *COMPONENTS)}
    marks = {key: _mark(query, key) for key in sort_links}
    context = {
        "board": result,
        "query": query,
        "rows": [(row, links.detail(row, query)) for row in result.rows],
        "sort_links": sort_links,
        "marks": marks,
        "component_columns": [(key, LABELS[key], WEIGHTS[key], sort_links[key], marks[key]) for key in COMPONENTS],
        "filters": _filters(request, query),
        "can_export": can(request.user, EXPORT_SCORECARD, Project),
        "export_url": reverse("dashboards:scorecard_export") + "?" + urlencode(query.params()),
        "kind_links": {
            kind: reverse("dashboards:scorecards") + "?" + urlencode(Query(years=query.years, kind=kind).params())
            for kind in (UNIT, PROVINCE)
        },
        **rule_context(),
    }
    return render(request, "dashboards/scorecards.html", context)


def _mark(query: Query, column: str):
    if query.sort == column:
        return format_html('<span class="kc-sort-mark" aria-label="{}">▲</span>', _("ascending"))
    if query.sort == f"-{column}":
        return format_html('<span class="kc-sort-mark" aria-label="{}">▼</span>', _("descending"))
    return ""


def _detail(request, kind: str, code: str):
    try:
        query = parse_query(request.user, {"year": request.GET.get("year"), "to": request.GET.get("to"), "kind": kind})
        result = board_for(request.user, query)
    except ScorecardRefused as error:
        return _refused(request, error)
    row = next((r for r in result.rows if r.code == code), None)
    if row is None:
        row = _empty_row(request.user, kind, code)
    ranked = [r for r in result.rows if r.rank is not None]
    card_links = links.links(row, query.years)
    components = [(c, card_links[c.key]) for c in row.parts]
    context = {
        "board": result,
        "query": query,
        "row": row,
        "components": components,
        "ranked_count": len(ranked),
        "list_url": reverse("dashboards:scorecards") + "?" + urlencode(query.params()),
        "years_list": _filters(request, query)["years"],
        **rule_context(),
    }
    return render(request, "dashboards/scorecard_detail.html", context)


def _empty_row(user, kind: str, code: str) -> Scorecard:
    """A unit or province in the viewer's reach with nothing to measure in the period (all "—");
    404 for one outside the reach, so its existence is not given away."""
    scope = reach(user)
    if kind == PROVINCE:
        province = Province.objects.current().filter(code=code).first()
        if province is None or not (scope.everywhere or province.pk in scope.province_ids):
            raise Http404
        return Scorecard(kind=PROVINCE, pk=province.pk, code=province.code, name=province.short_name,
                         province_pk=province.pk, province_code=province.code,
                         province_name=province.short_name)  # fmt: skip
    unit = OrgUnit.objects.filter(code=code).select_related("province", "province__successor").first()
    if unit is None:
        raise Http404
    province = unit.province
    if province is not None and province.valid_to is not None and province.successor_id is not None:
        province = province.successor
    if not scope.covers(province_id=province.pk if province else None, org_unit_id=unit.pk):
        raise Http404
    return Scorecard(kind=UNIT, pk=unit.pk, code=unit.code, name=unit.name, unit_kind=unit.kind,
                     unit_kind_label=unit.get_kind_display(), province_pk=province.pk if province else None,
                     province_code=province.code if province else "",
                     province_name=province.short_name if province else "")  # fmt: skip


@login_required
def scorecard_unit(request, code: str):
    return _detail(request, UNIT, code)


@login_required
def scorecard_province(request, code: str):
    return _detail(request, PROVINCE, code)


# --- the Excel file --------------------------------------------------------------------------


@login_required
def scorecard_export(request):
    if not can(request.user, EXPORT_SCORECARD, Project):
        raise PermissionDenied
    try:
        query = parse_query(request.user, request.GET)
        result = board_for(request.user, query)
    except ScorecardRefused as error:
        return _refused(request, error)
    log_access(request.user, "export", "dashboards.scorecard", query.params(), row_count=len(result.rows))
    response = HttpResponse(workbook(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bang-danh-gia-{query.kind}-{result.period_label}.xlsx"'
    return response


def header_rows() -> list[str]:
    cells = [_("Rank"), _("Name"), _("Province"), _("Kind of unit")]
    parts = (_("numerator"), _("denominator"), _("rate"), _("points"))
    for key in COMPONENTS:
        label = str(LABELS[key])
        cells += [f"{label}: {parts[0]}", f"{label}: {parts[1]}", f"{label}: {parts[2]}",
                  f"{label}: {parts[3]} ({WEIGHTS[key]})"]  # fmt: skip
    return [*cells, _("Total score (of 100)"), _("Proposed for commendation")]


def row_cells(row: Scorecard, *, total: bool = False) -> list:
    cells: list = ["" if row.rank is None else row.rank, row.name, row.province_name, row.unit_kind_label]
    for component in row.parts:
        cells += [
            component.numerator,
            component.denominator,
            component.percent_text,
            "" if total else component.points_text,
        ]
    if total:
        return [*cells, "", ""]
    return [*cells, row.score_text, _("Yes") if row.commended else ""]


def workbook(result: Board) -> bytes:
    """The list as shown (same filters, same order), its totals row and the rule used."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, xlsx_options(in_memory=True))
    sheet = book.add_worksheet("Bảng đánh giá")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    with translation.override("vi"):
        title = _("Unit scorecards") if result.kind == UNIT else _("Province scorecards")
        sheet.write(0, 0, f"{title} · {result.period_label}", bold)
        sheet.write_row(2, 0, header_rows(), bold)
        r = 3
        for row in result.rows:
            sheet.write_row(r, 0, row_cells(row))
            r += 1
        total = result.total
        sheet.write_row(r, 0, row_cells(total, total=True), bold)
        r += 2
        sheet.write(r, 0, _("How the score is computed"), bold)
        for key in COMPONENTS:
            r += 1
            sheet.write_row(r, 0, [str(LABELS[key]), _("weight"), WEIGHTS[key]])
        r += 1
        sheet.write(
            r,
            0,
            _(
                "Total = points earned ÷ weights of the components that can be measured × 100; proposed "
                "for commendation from %(threshold)s points with at least %(n)s components measured."
            )
            % {"threshold": decimal_text(COMMENDATION_THRESHOLD), "n": MIN_COMPONENTS},
        )
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 45)
    sheet.set_column(2, 3, 18)
    sheet.set_column(4, 4 + 4 * len(COMPONENTS) + 1, 14)
    sheet.freeze_panes(3, 2)
    book.close()
    return out.getvalue()


# --- the org unit page's link (kernel.sections slot "organisation.orgunit") -------------------


def orgunit_section(request, unit):
    if request is None:
        return None
    scope = reach(request.user)
    province_id = unit.province.successor_id or unit.province_id if unit.province_id else None
    if not scope.covers(province_id=province_id, org_unit_id=unit.pk):
        return None
    url = reverse("dashboards:scorecard_unit", args=[unit.code])
    province_url = ""
    if unit.province_id and unit.kind in OrgUnit.PROVINCIAL_KINDS:
        province = unit.province
        if province.valid_to is None:
            province_url = reverse("dashboards:scorecard_province", args=[province.code])
    return "dashboards/_scorecard_link.html", {"scorecard_url": url, "province_scorecard_url": province_url}
