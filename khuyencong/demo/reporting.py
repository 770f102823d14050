"""Demo periodic reports, written through the reporting actions.

Two forms the Departments of Industry and Trade send to the Agency: the quarterly report on
khuyến công (``BC-KC-QUY``) and the annual one (``BC-KC-NAM``), pre-filled with the projects'
figures and the money of the finance app (``finance.disbursed``: paid in the period;
``finance.allocated``: allocated by its end, see ``finance/report_sources.py``), assigned to the Departments of the
demo provinces (Hà Tĩnh, Nghệ An, Thanh Hóa, Ninh Bình) from 2024, plus the Department of Hà Giang,
a province merged into Tuyên Quang on 1/7/2025 (its reports stop after the second quarter of 2025).
For 2024 to this year the expected reports are laid out with their system figures; each one whose
period is over is then, by a fixed rule on its unit and period, sent on time and approved (most),
sent late, left missing, or still awaiting review; one is returned with a comment. The latest
quarter of Hà Tĩnh is left to fill in (the browser journey fills it).

Idempotent: forms and assignments are upserted by code; the actions lay out only missing reports
and only reports still ``expected`` are acted on (the ones chosen to stay missing stay so).
"""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit
from khuyencong.reporting import actions
from khuyencong.reporting.models import (
    FormAssignment,
    Indicator,
    IndicatorKind,
    PeriodType,
    Report,
    ReportForm,
    ReportState,
)
from khuyencong.territory.models import Province

PROVINCES = ("42", "40", "38", "37")
FIRST_YEAR = 2024
K = IndicatorKind

QUARTERLY = [
    ("SL01", "Số đề án được phê duyệt trong kỳ", "đề án", K.INTEGER, 0, 1000, "projects.count_approved"),
    ("SL02", "Số đề án đang thực hiện cuối kỳ", "đề án", K.INTEGER, 0, 1000, "projects.count_in_progress"),
    ("SL03", "Số đề án nghiệm thu trong kỳ", "đề án", K.INTEGER, 0, 1000, "projects.count_accepted"),
    ("SL04", "Số cơ sở thụ hưởng được nghiệm thu", "cơ sở", K.INTEGER, 0, 10000, "projects.accepted_lines"),
    ("KP01", "Kinh phí hỗ trợ được phê duyệt trong kỳ", "đồng", K.MONEY, 0, None, "projects.approved_support"),
    ("KP02", "Kinh phí đã giải ngân trong kỳ", "đồng", K.MONEY, 0, None, "finance.disbursed"),
    ("KP03", "Kinh phí được giao lũy kế đến cuối kỳ", "đồng", K.MONEY, 0, None, "finance.allocated"),
    ("TL01", "Tỷ lệ thực hiện kế hoạch năm", "%", K.PERCENT, 0, 100, ""),
    ("GC01", "Khó khăn, vướng mắc và kiến nghị", "", K.TEXT, None, None, ""),
]
ANNUAL = [
    ("SL01", "Số đề án được phê duyệt trong năm", "đề án", K.INTEGER, 0, 5000, "projects.count_approved"),
    ("SL02", "Số cơ sở thụ hưởng", "cơ sở", K.INTEGER, 0, 50000, "projects.beneficiaries"),
    ("KP01", "Kinh phí hỗ trợ được phê duyệt", "đồng", K.MONEY, 0, None, "projects.approved_support"),
    ("KP02", "Kinh phí được giao trong năm", "đồng", K.MONEY, 0, None, "finance.allocated"),
    ("KP03", "Kinh phí đã giải ngân trong năm", "đồng", K.MONEY, 0, None, "finance.disbursed"),
    ("TL01", "Tỷ lệ hoàn thành kế hoạch", "%", K.PERCENT, 0, 100, ""),
    ("GC01", "Đánh giá chung và đề xuất", "", K.TEXT, None, None, ""),
]
FORMS = [
    ("BC-KC-QUY", "Báo cáo tình hình thực hiện khuyến công hằng quý", PeriodType.QUARTER, QUARTERLY, 15),
    ("BC-KC-NAM", "Báo cáo kết quả thực hiện khuyến công năm", PeriodType.YEAR, ANNUAL, 31),
]
RETURN_COMMENT = "Số liệu kinh phí giải ngân chưa khớp với báo cáo tài chính; đề nghị rà soát và gửi lại."


def _form(code, name, period, rows, due_days, units) -> ReportForm:
    form, _created = ReportForm.objects.update_or_create(
        code=code, defaults={"name": name, "period_type": period, "level": "national",
                             "legal_basis": "Chế độ báo cáo khuyến công (cần xác nhận)"},
    )  # fmt: skip
    for position, (c, label, unit, kind, low, high, source) in enumerate(rows):
        Indicator.objects.update_or_create(
            form=form, code=c,
            defaults={"position": position, "name": label, "unit": unit, "kind": kind, "min_value": low,
                      "max_value": high, "source": source, "required": kind != K.TEXT},
        )  # fmt: skip
    assignment = form.assignments.first() or FormAssignment.objects.create(form=form, from_year=FIRST_YEAR,
                                                                           due_days=due_days)  # fmt: skip
    assignment.units.set(units)
    return form


def _legacy_department() -> OrgUnit | None:
    province = Province.objects.filter(code="02", valid_to__isnull=False).first()
    if province is None:
        return None
    unit, _created = OrgUnit.objects.get_or_create(
        code="SCT-02-2025",
        defaults={"name": "Sở Công Thương tỉnh Hà Giang (đến 30/6/2025)", "short_name": "Sở CT Hà Giang (cũ)",
                  "kind": OrgUnit.Kind.DOIT, "province": province, "is_active": False},
    )  # fmt: skip
    return unit


def _fate(report: Report) -> str:
    """A fixed choice per unit and period: on_time (most), late, missing or waiting."""
    roll = zlib.crc32(f"{report.org_unit.code}:{report.form.code}:{report.period_start}".encode()) % 20
    return "late" if roll < 3 else "missing" if roll < 5 else "on_time"


def _figures(report: Report) -> dict:
    values = {}
    for value in report.values.select_related("indicator"):
        indicator = value.indicator
        if indicator.kind == K.TEXT:
            values[indicator.code] = {"value": "Tiến độ giải ngân còn chậm do vốn về muộn."}
        elif value.system_value is not None:
            values[indicator.code] = {"value": value.system_value}
        elif indicator.kind == K.PERCENT:
            values[indicator.code] = {"value": Decimal(60 + zlib.crc32(str(report.pk).encode()) % 40)}
        else:
            values[indicator.code] = {"value": Decimal(150_000_000 * (1 + report.pk % 7))}
    return values


@transaction.atomic
def load_reporting() -> dict:
    admin = User.objects.filter(username="admin").first()
    reviewer = User.objects.filter(username="cuc.lanhdao").first() or admin
    if admin is None:
        return {"forms": 0, "reports": 0, "added": 0}
    units = list(OrgUnit.objects.filter(code__in=[f"SCT-{code}" for code in PROVINCES]))
    legacy = _legacy_department()
    if legacy is not None:
        units.append(legacy)
    senders = {"SCT-42": User.objects.filter(username="hatinh.chuyenvien").first(),
               "SCT-40": User.objects.filter(username="nghean.chuyenvien").first()}  # fmt: skip
    today = timezone.localdate()
    added = 0
    with acting_as(admin):
        forms = [_form(code, name, period, rows, due, units) for code, name, period, rows, due in FORMS]
        for form in forms:
            for year in range(FIRST_YEAR, today.year + 1):
                added += actions.materialise_reports(user=admin, form=form, year=year)
    latest_hatinh = (
        Report.objects.filter(form__code="BC-KC-QUY", org_unit__code="SCT-42", period_end__lt=today)
        .order_by("-period_start")
        .first()
    )
    returned_done = Report.objects.filter(form__in=forms, transitions__action="return").exists()
    todo = (
        Report.objects.filter(form__in=forms, state=ReportState.EXPECTED, period_end__lt=today)
        .select_related("form", "org_unit", "org_unit__province")
        .order_by("period_start", "org_unit__code", "form__code")
    )
    for report in todo:
        if latest_hatinh is not None and report.pk == latest_hatinh.pk:
            continue  # left for the officer to fill in
        fate = _fate(report)
        if fate == "missing":
            continue
        sender = senders.get(report.org_unit.code) or admin
        due = report.due_on
        sent_on = due + dt.timedelta(days=12) if fate == "late" else due - dt.timedelta(days=3)
        sent_on = min(max(sent_on, report.period_end + dt.timedelta(days=1)), today)
        try:
            with acting_as(sender):
                actions.save_values(user=sender, report=report, values=_figures(report))
                report = actions.submit_report(user=sender, report=report, on=sent_on)
            if sent_on + dt.timedelta(days=20) > today:
                continue  # recent: awaiting the Agency's review
            with acting_as(reviewer):
                if not returned_done and report.org_unit.code == "SCT-42" and report.form.code == "BC-KC-QUY":
                    actions.return_report(user=reviewer, report=report, comment=RETURN_COMMENT,
                                          on=min(sent_on + dt.timedelta(days=5), today))  # fmt: skip
                    returned_done = True
                else:
                    actions.approve_report(user=reviewer, report=report,
                                           on=min(sent_on + dt.timedelta(days=7), today))  # fmt: skip
        except ActionRefused:
            continue
    return {"forms": len(forms), "reports": Report.objects.filter(form__in=forms).count(), "added": added}
