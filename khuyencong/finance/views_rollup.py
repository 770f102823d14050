"""The rollup page (/finance/rollup/): the money of a year by province, region, unit, content,
source or level, with its rates, each figure linking to the list behind it, an Excel export of
exactly what the page shows and a bar chart. Filtered by one province it is that province's page.

A thin adapter over ``finance.rollups`` (reads only)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.finance.rollups import DIMENSIONS, Rollup, RollupRow, may_view, rollup
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.money import format_vnd, format_vnd_short
from khuyencong.kernel.scoping import Action, can
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, FundingSource
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province, Region

LEDGER_URL = "/finance/ledger/"
ALLOCATIONS_URL = "/finance/allocations/"
PROJECTS_URL = "/projects/"
PAGE_GROUPS = ("province", "legacy_province", "region", "unit", "content", "funding_source", "level", "year")
CHART_ROWS = 40


class RollupForm(forms.Form):
    """What the page is asked for: a year (or every year), one grouping and optional filters."""

    year = forms.CharField(required=False)
    group_by = forms.ChoiceField(required=False, choices=[(d, DIMENSIONS[d]) for d in PAGE_GROUPS])
    province = forms.CharField(required=False, max_length=4)
    region = forms.CharField(required=False, max_length=20)
    unit = forms.CharField(required=False, max_length=40)
    level = forms.ChoiceField(required=False, choices=[("", ""), *Level.choices])
    funding_source = forms.ChoiceField(required=False, choices=[("", ""), *FundingSource.choices])

    def clean_year(self):
        raw = (self.cleaned_data.get("year") or "").strip()
        if raw in ("", "all"):
            return raw or None
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise forms.ValidationError(_("Choose a year between 2000 and 2100."))
        return int(raw)

    def clean_province(self):
        code = (self.cleaned_data.get("province") or "").strip()
        if not code:
            return None
        found = Province.objects.current().filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("No province has the code %(code)s.") % {"code": code})
        return found

    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        found = Region.objects.filter(kind=Region.Kind.CENTRE, code=code).first()
        if found is None:
            raise forms.ValidationError(_("No region has the code %(code)s.") % {"code": code})
        return found

    def clean_unit(self):
        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        found = OrgUnit.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("No unit has the code %(code)s.") % {"code": code})
        return found


def default_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[int]:
    """Every plan year, and this year, newest first (one query)."""
    years = set(AnnualPlan.objects.order_by().values_list("year", flat=True).distinct())
    years.add(default_year())
    return sorted(years, reverse=True)


def _selection(params) -> tuple[RollupForm, dict]:
    form = RollupForm(params)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    year = data.get("year")
    selection = {
        "year": None if year == "all" else (year or default_year()),
        "group_by": data.get("group_by") or ("unit" if data.get("province") else "province"),
        "province": data.get("province"),
        "region": data.get("region"),
        "unit": data.get("unit"),
        "level": data.get("level") or "",
        "funding_source": data.get("funding_source") or "",
    }
    return form, selection


def compute(user, selection: dict) -> Rollup:
    filters: dict = {}
    for name in ("province", "region", "unit"):
        if selection[name] is not None:
            filters[name] = [selection[name].pk]
    for name in ("level", "funding_source"):
        if selection[name]:
            filters[name] = [selection[name]]
    return rollup(user, year=selection["year"], group_by=[selection["group_by"]], **filters)


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def links(row: RollupRow, selection: dict) -> dict[str, str]:
    """The list behind each figure of ``row`` (the total row: the selection alone)."""
    dims = dict(row.codes)
    base = {
        "year": selection["year"] or "",
        "province": dims.get("province") or (selection["province"].code if selection["province"] else ""),
        "unit": dims.get("unit") or (selection["unit"].code if selection["unit"] else ""),
        "level": dims.get("level") or selection["level"],
        "funding_source": dims.get("funding_source") or selection["funding_source"],
        "legacy_province": dims.get("legacy_province", ""),
        "content": dims.get("content", ""),
    }
    if dims.get("year"):
        base["year"] = dims["year"]
    ledger = {k: base[k] for k in ("year", "province", "unit", "level", "funding_source", "legacy_province", "content")}
    projects = {
        "year": base["year"], "province": base["province"], "implementing_unit": base["unit"], "level": base["level"],
        "legacy_province": base["legacy_province"], "content": base["content"],
    }  # fmt: skip
    allocations = {k: base[k] for k in ("year", "province", "unit", "level", "funding_source")}
    paid = EntryStatus.PAID
    return {
        "plan": "/plans/?" + _query(year=base["year"], level=base["level"]),
        "allocated": ALLOCATIONS_URL + "?" + _query(**allocations),
        "contracted": PROJECTS_URL + "?" + _query(**projects),
        "advanced": LEDGER_URL + "?" + _query(**ledger, kind=EntryKind.ADVANCE, status=paid),
        "paid": LEDGER_URL + "?" + _query(**ledger, kind=EntryKind.PAYMENT, status=paid),
        "recovered": LEDGER_URL + "?" + _query(**ledger, kind=EntryKind.RECOVERY, status=paid),
        "disbursed": LEDGER_URL + "?" + _query(**ledger, status=paid),
        "settled": LEDGER_URL + "?" + _query(**ledger, kind=EntryKind.SETTLEMENT, status=paid),
        "awaiting": LEDGER_URL + "?" + _query(**ledger, status=EntryStatus.REQUESTED),
    }


def drill(row: RollupRow, selection: dict) -> str:
    """The rollup page narrowed to ``row``'s group: a province's page, a region's, a unit's."""
    dim = selection["group_by"]
    code = row.codes.get(dim)
    if not code or dim not in ("province", "region", "unit"):
        return ""
    params = {
        "year": selection["year"] or "all",
        "province": selection["province"].code if selection["province"] else "",
        "region": selection["region"].code if selection["region"] else "",
        "level": selection["level"],
        "funding_source": selection["funding_source"],
    }
    params[dim] = code
    params["group_by"] = {"province": "unit", "region": "province", "unit": "year"}[dim]
    return "?" + _query(**params)


COLUMNS = [
    ("plan", gettext_lazy("Plan budget")),
    ("allocated", gettext_lazy("Allocated")),
    ("contracted", gettext_lazy("Contracted")),
    ("advanced", gettext_lazy("Advanced")),
    ("paid", gettext_lazy("Paid")),
    ("disbursed", gettext_lazy("Disbursed")),
    ("settled", gettext_lazy("Settled")),
]
RATES = [
    ("allocated_percent", gettext_lazy("Allocated ÷ plan")),
    ("disbursed_percent", gettext_lazy("Disbursed ÷ allocated")),
    ("settled_percent", gettext_lazy("Settled ÷ disbursed")),
]


def _lines(result: Rollup, selection: dict) -> list[dict]:
    out = []
    for row in result.rows:
        urls = links(row, selection)
        out.append({
            "row": row, "label": row.labels[selection["group_by"]], "drill": drill(row, selection),
            "cells": [(name, label, getattr(row, name), urls[name]) for name, label in COLUMNS],
        })  # fmt: skip
    return out


def _chart(result: Rollup, selection: dict) -> dict:
    # The groups themselves (not the row of what no group holds), the largest first.
    named = [r for r in result.rows if r.key.get(selection["group_by"]) is not None]
    rows = sorted(named, key=lambda r: -(r.allocated + r.plan))[:CHART_ROWS]
    return {
        "labels": [r.labels[selection["group_by"]] for r in rows],
        "series": [
            {"name": str(_("Plan budget")), "data": [r.plan for r in rows]},
            {"name": str(_("Allocated")), "data": [r.allocated for r in rows]},
            {"name": str(_("Disbursed")), "data": [r.disbursed for r in rows]},
            {"name": str(_("Settled")), "data": [r.settled for r in rows]},
        ],
        "unit": str(_("billion đồng")),
    }


def _title(selection: dict) -> str:
    where = selection["province"] or selection["region"] or selection["unit"]
    year = selection["year"] or _("every year")
    if where is not None:
        return _("Money of %(where)s, %(year)s") % {"where": where.name, "year": year}
    return _("Money of the programme, %(year)s") % {"year": year}


class RollupView(LoginRequiredMixin, View):
    template_name = "finance/rollup.html"

    def get(self, request):
        if not may_view(request.user):
            raise PermissionDenied
        form, selection = _selection(request.GET)
        result = compute(request.user, selection)
        switch = []
        for dim in PAGE_GROUPS:
            params = request.GET.copy()
            params["group_by"] = dim
            switch.append({"dim": dim, "label": DIMENSIONS[dim], "url": "?" + params.urlencode(),
                           "active": dim == selection["group_by"]})  # fmt: skip
        export_params = request.GET.copy()
        total_links = links(result.total, selection)
        context = {
            "form": form,
            "selection": selection,
            "title": _title(selection),
            "result": result,
            "lines": _lines(result, selection),
            "columns": COLUMNS,
            "rates": RATES,
            "total_cells": [(name, label, getattr(result.total, name), total_links[name]) for name, label in COLUMNS],
            "switch": switch,
            "group_label": DIMENSIONS[selection["group_by"]],
            "years": year_choices(),
            "chart": _chart(result, selection),
            "can_export": _may_export(request.user),
            "export_query": export_params.urlencode(),
            "short": {name: format_vnd_short(getattr(result.total, name)) for name, _label in COLUMNS},
        }
        return render(request, self.template_name, context)


def _may_export(user) -> bool:
    return can(user, Action.EXPORT, LedgerEntry) or can(user, Action.EXPORT, Allocation)


AMOUNT_FORMAT = '#,##0" đ"'


def workbook(result: Rollup, selection: dict) -> bytes:
    """The page's table as an XLSX: its rows, then the totals row exactly as the page shows it."""
    import xlsxwriter

    from khuyencong.kernel.sheets import xlsx_options

    handle = io.BytesIO()
    book = xlsxwriter.Workbook(handle, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(str(_("Rollup"))[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": AMOUNT_FORMAT})
    money_bold = book.add_format({"num_format": AMOUNT_FORMAT, "bold": True})
    sheet.write(0, 0, _title(selection), bold)
    headers = [str(DIMENSIONS[selection["group_by"]])]
    headers += [str(label) for _name, label in COLUMNS] + [str(label) for _name, label in RATES]
    sheet.write_row(2, 0, headers, bold)
    line = 3
    for row in result.rows:
        sheet.write(line, 0, row.labels[selection["group_by"]])
        for col, (name, _label) in enumerate(COLUMNS, 1):
            sheet.write_number(line, col, getattr(row, name), money)
        for col, (name, _label) in enumerate(RATES, 1 + len(COLUMNS)):
            sheet.write(line, col, getattr(row, name))
        line += 1
    sheet.write(line, 0, _("Total"), bold)
    for col, (name, _label) in enumerate(COLUMNS, 1):
        sheet.write_number(line, col, getattr(result.total, name), money_bold)
    for col, (name, _label) in enumerate(RATES, 1 + len(COLUMNS)):
        sheet.write(line, col, getattr(result.total, name), bold)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, len(COLUMNS) + len(RATES), 20)
    book.close()
    return handle.getvalue()


class RollupExportView(LoginRequiredMixin, View):
    def get(self, request):
        if not _may_export(request.user):
            raise PermissionDenied
        _form, selection = _selection(request.GET)
        result = compute(request.user, selection)
        params = dict(request.GET.items())
        log_access(request.user, "export", "finance.rollup", params, row_count=len(result.rows))
        response = HttpResponse(
            workbook(result, selection),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        year = selection["year"] or "all"
        response["Content-Disposition"] = f'attachment; filename="rollup-{year}-{selection["group_by"]}.xlsx"'
        return response


__all__ = ["RollupExportView", "RollupView", "compute", "format_vnd", "links", "workbook"]
