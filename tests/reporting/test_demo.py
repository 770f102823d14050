"""The reporting demo: two forms, reports 2024 to this year, most on time, some late, some missing,
one returned with its comment; running it again adds nothing."""

from __future__ import annotations

import pytest

from khuyencong.demo.reporting import RETURN_COMMENT, load_reporting
from khuyencong.kernel.periods import Period
from khuyencong.organisation.demo import load_demo
from khuyencong.reporting import services, sources
from khuyencong.reporting.models import Report, ReportForm, ReportState, ReportValue

pytestmark = pytest.mark.django_db


def test_demo_reports_are_varied_and_idempotent(territory):
    load_demo()
    first = load_reporting()
    assert first["forms"] == 2 and first["added"] == first["reports"] > 50
    states = set(Report.objects.values_list("state", flat=True))
    assert {ReportState.APPROVED, ReportState.EXPECTED, ReportState.RETURNED} <= states
    assert Report.objects.get(state=ReportState.RETURNED).return_comment == RETURN_COMMENT
    snapshot = sorted(Report.objects.values_list("pk", "state", "version"))
    again = load_reporting()
    assert again["added"] == 0 and sorted(Report.objects.values_list("pk", "state", "version")) == snapshot
    matrix = services.completeness(ReportForm.objects.get(code="BC-KC-QUY"), 2025)
    assert matrix.counts["on_time"] > matrix.counts["late"] > 0 and matrix.counts["missing"] > 0
    legacy = next(r for r in matrix.rows if r.unit.code == "SCT-02-2025")
    assert [c is not None for c in legacy.cells] == [True, True, False, False]
    # Money figures come from the finance app: each pre-fill is the source's figure for its unit and period.
    money = ReportValue.objects.filter(indicator__source__startswith="finance.").select_related(
        "indicator", "report", "report__org_unit", "report__org_unit__province"
    )
    assert {v.indicator.source for v in money} == {"finance.disbursed", "finance.allocated"}
    for value in money[:12]:
        report = value.report
        period = Period(report.period_start, report.period_end, report.period_label)
        assert value.system_value == sources.compute(value.indicator.source, report.org_unit, period)
