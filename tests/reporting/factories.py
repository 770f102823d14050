"""Report forms and reports for the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting.models import (
    FormAssignment,
    Indicator,
    IndicatorKind,
    PeriodType,
    Report,
    ReportForm,
    ReportState,
    ReportValue,
)
from khuyencong.territory.models import Province

_n = itertools.count(1)

INDICATORS = [
    ("SL01", "Số đề án đang thực hiện", "đề án", IndicatorKind.INTEGER, 0, None, True, "projects.count_in_progress"),
    ("KP01", "Kinh phí hỗ trợ được duyệt", "đồng", IndicatorKind.MONEY, 0, None, True, "projects.approved_support"),
    ("TL01", "Tỷ lệ hoàn thành kế hoạch", "%", IndicatorKind.PERCENT, 0, 100, True, ""),
    ("GC01", "Khó khăn, kiến nghị", "", IndicatorKind.TEXT, None, None, False, ""),
]


def make_form(*, period=PeriodType.QUARTER, level="national", unit_kind=OrgUnit.Kind.DOIT, units=(),
              from_year=2024, to_year=None, due_days=15, code=None) -> ReportForm:  # fmt: skip
    form = ReportForm.objects.create(code=code or f"BC-{next(_n)}", name="Báo cáo tình hình khuyến công",
                                     period_type=period, level=level)  # fmt: skip
    for position, (c, name, unit, kind, low, high, required, source) in enumerate(INDICATORS):
        Indicator.objects.create(form=form, position=position, code=c, name=name, unit=unit, kind=kind,
                                 min_value=low, max_value=high, required=required, source=source)  # fmt: skip
    assignment = FormAssignment.objects.create(form=form, unit_kind="" if units else unit_kind, from_year=from_year,
                                               to_year=to_year, due_days=due_days)  # fmt: skip
    if units:
        assignment.units.set(units)
    return form


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("province").get(code=code)


def legacy_unit(province_code: str = "02") -> OrgUnit:
    """The Department of a province abolished on 1/7/2025 (Hà Giang, merged into Tuyên Quang)."""
    province = Province.objects.get(code=province_code, valid_to__isnull=False)
    found, _created = OrgUnit.objects.get_or_create(
        code=f"SCT-{province_code}-CU",
        defaults={"name": f"Sở Công Thương {province.short_name} (trước 1/7/2025)", "kind": OrgUnit.Kind.DOIT,
                  "province": province, "is_active": False},
    )  # fmt: skip
    return found


def make_report(form: ReportForm, org_unit: OrgUnit, *, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31),
                state=ReportState.EXPECTED, submitted_on=None, due_on=None) -> Report:  # fmt: skip
    from khuyencong.reporting.lifespan import current_province

    report = Report.objects.create(form=form, org_unit=org_unit, province=current_province(org_unit),
                                   period_start=start, period_end=end, period_label=f"{start:%m}/{start:%Y}",
                                   year=start.year, due_on=due_on or end + dt.timedelta(days=15), state=state,
                                   submitted_on=submitted_on)  # fmt: skip
    for indicator in form.indicators.all():
        ReportValue.objects.create(report=report, indicator=indicator,
                                   system_value=Decimal(3) if indicator.code == "SL01" else None)  # fmt: skip
    return report


GOOD = {"SL01": {"value": "3"}, "KP01": {"value": "2.080.000.000"}, "TL01": {"value": "87,5"},
        "GC01": {"value": "Vốn về chậm"}}  # fmt: skip
