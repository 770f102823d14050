"""The money figures on the plan page and the org unit page (``kernel.sections``): a plan's
budget, allocated, disbursed and settled money with the rates, by unit; a unit's allocations and
disbursement by year. Each reads one rollup (a handful of grouped queries), in the viewer's reach."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from khuyencong.finance.rollups import may_view, rollup


def plan_money(request, plan):
    if request is None or not may_view(request.user):
        return None
    result = rollup(request.user, year=plan.year, group_by=["unit"], plan=[plan.pk])
    if not result.rows:
        return None
    page = reverse("rollup:page") + "?" + urlencode({"year": plan.year, "level": plan.level, "group_by": "unit"})
    return "finance/_rollup_plan_section.html", {"result": result, "plan": plan, "rollup_url": page}


def unit_money(request, unit):
    if request is None or not may_view(request.user):
        return None
    result = rollup(request.user, group_by=["year"], unit=[unit.pk])
    if not result.rows:
        return None
    page = reverse("rollup:page") + "?" + urlencode({"year": "all", "unit": unit.code, "group_by": "year"})
    return "finance/_rollup_unit_section.html", {"result": result, "unit": unit, "rollup_url": page}
