"""The programme's six-month or year report (báo cáo 6 tháng / năm) for a scope: the whole country
for the Agency, one province for its Department.

Every figure is read through the selectors the pages use, kept to the generating user's reach:
plan and allocation and disbursement through ``finance.rollups.rollup`` (by province nationally,
by implementing unit for a province), projects by state and the late ones through
``projects.deadlines`` (late as of the period's end, or today when the period is not over), the
programme's targets through the dashboards' ``target_progress``, inspections through
``inspections.selectors``, the completeness of periodic reports through
``reporting.services.completeness``. A scope and year with no project and no money is refused
(``empty_period``) before anything is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.dashboards import scope as dashboard_scope
from khuyencong.dashboards import selectors as dashboard_selectors
from khuyencong.documents.forms import DocumentForm
from khuyencong.documents.issuer import issuer_for
from khuyencong.documents.model import Heading, OfficialDocument, Paragraph, Table
from khuyencong.documents.registry import DocumentKind
from khuyencong.finance import rollups
from khuyencong.inspections import selectors as inspection_selectors
from khuyencong.inspections.models import FollowUpStatus
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.money import format_vnd, format_vnd_short
from khuyencong.kernel.scoping import Action, can, user_scope
from khuyencong.projects.deadlines import attach_due, overdue_q
from khuyencong.projects.models import BeneficiaryLine, ProjectState
from khuyencong.reporting import selectors as reporting_selectors
from khuyencong.reporting.services import completeness
from khuyencong.territory.models import Province

HALF, YEAR = "h1", "year"
FIRST_YEAR = 2019
LATE_ROWS = 60  # the late projects listed by name; the count covers all of them


def _percent(numerator: int, denominator: int | None) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _percent_text(numerator: int, denominator: int | None) -> str:
    value = _percent(numerator, denominator)
    return "—" if value is None else f"{value}".replace(".", ",") + "%"


class PeriodicReportForm(DocumentForm):
    scope = forms.ChoiceField(label=gettext_lazy("Scope"))
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[(HALF, gettext_lazy("First six months")), (YEAR, gettext_lazy("Whole year"))],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        choices = [
            (key, label)
            for key, label in dashboard_scope.scope_choices(user)
            if key == dashboard_scope.NATIONAL or key.startswith(f"{dashboard_scope.PROVINCE}:")
        ]
        self.fields["scope"].choices = choices
        if choices and not self.is_bound:
            self.initial.setdefault("scope", choices[0][0])
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        # the pickers first, then number / date / signer
        self.order_fields(["scope", "year", "period"])

    def clean_scope(self):
        try:
            return dashboard_scope.resolve_scope(self.user, self.cleaned_data["scope"])
        except dashboard_scope.ScopeError as exc:
            raise forms.ValidationError(exc.message) from exc


def period_end(year: int, period: str) -> dt.date:
    return dt.date(year, 6, 30) if period == HALF else dt.date(year, 12, 31)


def _money_table(user, scope, year: int) -> tuple[Table | None, rollups.RollupRow | None]:
    """The year's money by implementing unit (allocations are made to units: a national plan has
    no province), within the scope."""
    if not rollups.may_view(user):
        return None, None
    national = scope.kind == dashboard_scope.NATIONAL
    filters: dict[str, Any] = {} if national else {"province": sorted(scope.province_ids)}
    result = rollups.rollup(user, year=year, group_by=["unit"], **filters)
    rows = []
    for n, row in enumerate(result.rows, 1):
        label = row.labels.get("unit") if row.key.get("unit") is not None else "Chưa giao cho đơn vị"
        rows.append([n, label, row.plan, row.allocated, row.contracted, row.disbursed,
                     _percent(row.disbursed, row.allocated)])  # fmt: skip
    t = result.total
    table = Table(
        title=f"Biểu 1. Kinh phí khuyến công năm {year} theo đơn vị",
        columns=[
            "STT",
            "Đơn vị",
            "Kế hoạch",
            "Đã giao dự toán",
            "Đã ký hợp đồng",
            "Đã giải ngân",
            "Tỷ lệ giải ngân (%)",
        ],
        rows=rows,
        total=["", "Tổng cộng", t.plan, t.allocated, t.contracted, t.disbursed, _percent(t.disbursed, t.allocated)],
        numeric=frozenset({2, 3, 4, 5, 6}),
        widths=[1.0, 3.3, 2.7, 2.7, 2.7, 2.7, 1.3],
        sheet="Kinh phí",
    )
    return table, t


def build(user, params: dict) -> OfficialDocument:
    scope = params["scope"]
    year: int = params["year"]
    period: str = params["period"]
    today = timezone.localdate()
    end = period_end(year, period)
    as_of = min(end, today)
    with translation.override("vi"):
        projects = dashboard_selectors.scoped_projects(user, scope=scope, year=year)
        states = dashboard_selectors.projects_by_state(projects)
        total_projects = sum(s["count"] for s in states)
        money_table, money = _money_table(user, scope, year)
        if not total_projects and not (money and (money.plan or money.allocated or money.disbursed)):
            raise ActionRefused(
                "empty_period",
                _("There is nothing to report for %(scope)s in %(year)s: no project and no money.")
                % {"scope": scope.label, "year": year},
                field="year",
                status=422,
            )
        national = scope.kind == dashboard_scope.NATIONAL
        issuer = issuer_for(scope)  # the letterhead the other kinds use
        span = f"6 tháng đầu năm {year}" if period == HALF else f"năm {year}"
        where = "" if national else f" trên địa bàn {scope.label}"
        doc = OfficialDocument(
            kind=KIND_KEY,
            issuer_parent=issuer.parent,
            issuer=issuer.name,
            number=params.get("number") or f"      /BC-{issuer.symbol}",
            place=issuer.place,
            date=params.get("date") or min(today, end + dt.timedelta(days=15)),
            title="BÁO CÁO",
            subject=f"Kết quả thực hiện hoạt động khuyến công {span}{where}",
            signer_authority=issuer.signer_authority,
            signer_title=issuer.signer_title,
            signer_name=params.get("signer_name") or "",
            filename=f"bao-cao-khuyen-cong-{period}-{year}-{scope.key.replace(':', '-')}",
        )
        if national:
            doc.recipients = ["Bộ trưởng (để báo cáo)", "Thứ trưởng phụ trách (để báo cáo)",
                              "Sở Công Thương các tỉnh, thành phố", f"Lưu: VT, {issuer.symbol}"]  # fmt: skip
        else:
            doc.recipients = ["Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công (để báo cáo)",
                              f"UBND {scope.label} (để báo cáo)", f"Lưu: VT, {issuer.symbol}"]  # fmt: skip
        blocks = doc.blocks
        blocks.append(Paragraph(
            f"Thực hiện nhiệm vụ được giao, {issuer.short} báo cáo kết quả thực hiện hoạt động khuyến công "
            f"{span}{where} như sau (số liệu trích từ hệ thống quản lý khuyến công: kinh phí lũy kế đến "
            f"ngày {today.strftime('%d/%m/%Y')}, tiến độ đề án tính tại ngày {as_of.strftime('%d/%m/%Y')}):"
        ))  # fmt: skip

        # I. Plan, allocation and disbursement
        blocks.append(Heading("I. KẾ HOẠCH, GIAO DỰ TOÁN VÀ GIẢI NGÂN KINH PHÍ"))
        if money is None:
            blocks.append(
                Paragraph("Số liệu kinh phí không thuộc phạm vi được xem của người lập báo cáo.", italic=True)
            )
        else:
            if money.plan:
                plan_text = (
                    f"Kế hoạch kinh phí khuyến công năm {year}: {format_vnd(money.plan)} "
                    f"({format_vnd_short(money.plan)}); đã giao dự toán {format_vnd(money.allocated)}, đạt "
                    f"{_percent_text(money.allocated, money.plan)} kế hoạch."
                )
            else:
                plan_text = (
                    f"Hệ thống chưa có kế hoạch kinh phí khuyến công năm {year} trong phạm vi báo cáo; "
                    f"đã giao dự toán {format_vnd(money.allocated)}."
                )
            blocks.append(Paragraph(plan_text))
            blocks.append(Paragraph(
                f"Kinh phí đã ký hợp đồng {format_vnd(money.contracted)}; đã giải ngân {format_vnd(money.disbursed)}"
                f", đạt {_percent_text(money.disbursed, money.allocated)} dự toán đã giao; đã quyết toán "
                f"{format_vnd(money.settled)}."
            ))  # fmt: skip
            if money_table is not None:
                blocks.append(money_table)

        # II. Projects
        blocks.append(Heading("II. TÌNH HÌNH THỰC HIỆN CÁC ĐỀ ÁN"))
        overdue = projects.filter(overdue_q(today=as_of))
        overdue_count = overdue.count()
        blocks.append(Paragraph(
            f"Tổng số đề án năm {year}: {total_projects} đề án; trong đó {overdue_count} đề án chậm tiến độ "
            f"so với thời hạn tại ngày {as_of.strftime('%d/%m/%Y')}."
        ))  # fmt: skip
        blocks.append(Table(
            title="Biểu 2. Đề án theo trạng thái",
            columns=["STT", "Trạng thái", "Số đề án"],
            rows=[[n, s["label"], s["count"]] for n, s in enumerate(states, 1)],
            total=["", "Tổng cộng", total_projects],
            numeric=frozenset({2}),
            widths=[1.0, 5, 1.6],
            sheet="Đề án theo trạng thái",
        ))  # fmt: skip
        blocks.extend(_by_province(projects, national, as_of, year))
        blocks.extend(_late_projects(overdue, overdue_count, as_of))
        blocks.extend(_outputs(user, scope, year, projects))
        blocks.extend(_inspections(user, scope, year, as_of))
        blocks.extend(_reports(user, scope, year))
        blocks.extend(_proposals(national, money, overdue_count))
        return doc


def _by_province(projects, national: bool, as_of: dt.date, year: int) -> list:
    """Projects by province (the provinces of the time: 63 before the 2025 reform, as the
    dashboards show them) for the country, by implementing unit for a province."""
    legacy = dashboard_selectors.default_generation(year) == dashboard_selectors.LEGACY
    province_field = "legacy_province__short_name" if legacy else "province__short_name"
    label_field = province_field if national else "implementing_unit__name"
    rows = (
        projects.order_by()
        .values_list(label_field)
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(state__in=DONE_STATES)),
            late=Count("id", filter=overdue_q(today=as_of)),
        )
        .order_by(label_field)
    )
    data = [[i, name or "Chưa xác định", n, done, late] for i, (name, n, done, late) in enumerate(rows, 1)]
    if not data:
        return []
    return [
        Table(
            title=f"Biểu 3. Đề án theo {'tỉnh, thành phố' if national else 'đơn vị thực hiện'}",
            columns=[
                "STT",
                "Tỉnh, thành phố" if national else "Đơn vị thực hiện",
                "Số đề án",
                "Đã nghiệm thu, quyết toán",
                "Chậm tiến độ",
            ],
            rows=data,
            total=["", "Tổng cộng", sum(r[2] for r in data), sum(r[3] for r in data), sum(r[4] for r in data)],
            numeric=frozenset({2, 3, 4}),
            widths=[1.0, 4, 1.4, 1.9, 1.4],
            sheet="Đề án theo địa bàn",
        )
    ]


DONE_STATES = (ProjectState.ACCEPTED, ProjectState.SETTLEMENT_SUBMITTED, ProjectState.SETTLED, ProjectState.CLOSED)


def _late_projects(overdue, count: int, as_of: dt.date) -> list:
    if not count:
        return [Paragraph("Không có đề án chậm tiến độ.")]
    listed = list(
        overdue.select_related("province", "implementing_unit").order_by("province__code", "code")[:LATE_ROWS]
    )
    attach_due(listed, today=as_of, overdue=True)
    rows = []
    for n, project in enumerate(listed, 1):
        due = getattr(project, "next_due", None)
        rows.append([
            n, project.code, project.name, project.province.short_name if project.province_id else "",
            project.implementing_unit.name if project.implementing_unit_id else "",
            due.label if due else "", due.due_date.strftime("%d/%m/%Y") if due and due.due_date else "",
            due.days_late if due else None,
        ])  # fmt: skip
    blocks: list = [
        Table(
            title="Biểu 4. Các đề án chậm tiến độ",
            columns=["STT", "Mã đề án", "Tên đề án", "Tỉnh", "Đơn vị thực hiện", "Việc chậm", "Hạn", "Số ngày chậm"],
            rows=rows,
            numeric=frozenset({7}),
            widths=[1.0, 2.9, 3.3, 1.5, 2.2, 2.2, 1.6, 1.1],
            sheet="Đề án chậm",
        )
    ]
    if count > len(listed):
        blocks.append(Paragraph(f"(Liệt kê {len(listed)}/{count} đề án chậm tiến độ.)", italic=True))
    return blocks


def _outputs(user, scope, year: int, projects) -> list:
    """III. Outputs: the beneficiaries of the year's accepted projects, and the programme's targets
    against the records of its period (the dashboards' reading)."""
    blocks: list = [Heading("III. KẾT QUẢ ĐẦU RA")]
    done = projects.filter(state__in=DONE_STATES)
    accepted = done.count()
    establishments = (
        BeneficiaryLine.objects.filter(project__in=done.values("pk")).values("establishment").distinct().count()
    )
    blocks.append(Paragraph(
        f"Năm {year} có {accepted} đề án đã nghiệm thu tại cơ sở, hỗ trợ {establishments} cơ sở công nghiệp "
        "nông thôn."
    ))  # fmt: skip
    programme = dashboard_selectors.programme_for(year)
    targets = dashboard_selectors.target_progress(user, scope=scope, programme=programme) if programme else []
    computable = [t for t in targets if t["achieved"] is not None]
    rows = [
        [n, t["name"], t["unit"], t["target"], t["achieved"], _percent(t["achieved"], t["target"])]
        for n, t in enumerate(computable, 1)
    ]
    if programme is not None and rows:
        blocks.append(Table(
            title=f"Biểu 5. Thực hiện mục tiêu {programme.name}",
            columns=["STT", "Mục tiêu", "Đơn vị tính", "Mục tiêu giai đoạn", "Đã đạt", "Tỷ lệ (%)"],
            rows=rows,
            numeric=frozenset({3, 4, 5}),
            widths=[1.0, 5.5, 1.6, 1.6, 1.3, 1.3],
            sheet="Mục tiêu",
        ))  # fmt: skip
    return blocks


def _inspections(user, scope, year: int, as_of: dt.date) -> list:
    """IV. Inspections of the year in the scope: missions, their findings and follow-ups."""
    blocks: list = [Heading("IV. CÔNG TÁC KIỂM TRA, GIÁM SÁT")]
    filters: dict[str, Any] = {"year": str(year)}
    if scope.kind == dashboard_scope.PROVINCE:
        filters["province"] = scope.code
    if not can(user, Action.VIEW, "inspections.inspectionmission"):
        return [*blocks, Paragraph("Không thuộc phạm vi được xem của người lập báo cáo.", italic=True)]
    missions = inspection_selectors.mission_list(user=user, filters=filters)
    mission_count = missions.count()
    follow_ups = inspection_selectors.follow_up_list(user=user, filters=filters)
    figures = follow_ups.order_by().aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=FollowUpStatus.DONE)),
        overdue=Count("id", filter=Q(status=FollowUpStatus.OPEN, due_date__lt=as_of)),
    )
    if not mission_count:
        return [*blocks, Paragraph(f"Năm {year} chưa có đoàn kiểm tra nào trong phạm vi báo cáo.")]
    blocks.append(Paragraph(
        f"Năm {year} có {mission_count} đoàn kiểm tra, giám sát; đã đề nghị {figures['total']} nội dung cần "
        f"khắc phục, trong đó {figures['done']} nội dung đã thực hiện xong, {figures['overdue']} nội dung quá hạn "
        f"chưa thực hiện tại ngày {as_of.strftime('%d/%m/%Y')}."
    ))  # fmt: skip
    return blocks


def _reports(user, scope, year: int) -> list:
    """V. Periodic reports received: the completeness of each form in force, within the scope."""
    blocks: list = [Heading("V. TÌNH HÌNH THỰC HIỆN CHẾ ĐỘ BÁO CÁO")]
    if not can(user, Action.VIEW, "reporting.report"):
        return [*blocks, Paragraph("Không thuộc phạm vi được xem của người lập báo cáo.", italic=True)]
    reach = user_scope(user, Action.VIEW, "reporting.report")
    province = None
    if scope.kind == dashboard_scope.PROVINCE:
        province = Province.objects.filter(pk__in=scope.province_ids).first()
    rows = []
    for form in reporting_selectors.active_forms():
        matrix = completeness(form, year, scope=reach, province=province)
        if not matrix.rated:
            continue
        c = matrix.counts
        rows.append([len(rows) + 1, f"{form.code} – {form.name}", matrix.rated, c["on_time"], c["late"],
                     c["missing"] + c["returned"], _percent(c["on_time"] + c["late"], matrix.rated)])  # fmt: skip
    if not rows:
        return [*blocks, Paragraph(f"Chưa có kỳ báo cáo nào đến hạn trong năm {year}.")]
    blocks.append(Paragraph(
        "Tình hình gửi báo cáo định kỳ của các đơn vị (các kỳ đã đến hạn hoặc đã gửi):"
    ))  # fmt: skip
    blocks.append(Table(
        title="Biểu 6. Tình hình gửi báo cáo định kỳ",
        columns=["STT", "Mẫu báo cáo", "Số kỳ phải gửi", "Đúng hạn", "Muộn", "Chưa gửi, bị trả lại",
                 "Tỷ lệ đã gửi (%)"],
        rows=rows,
        total=["", "Tổng cộng", *[sum(r[i] for r in rows) for i in (2, 3, 4, 5)],
               _percent(sum(r[3] + r[4] for r in rows), sum(r[2] for r in rows))],
        numeric=frozenset({2, 3, 4, 5, 6}),
        widths=[1.0, 5.2, 1.5, 1.3, 1.1, 1.7, 1.5],
        sheet="Báo cáo định kỳ",
    ))  # fmt: skip
    return blocks


def _proposals(national: bool, money: rollups.RollupRow | None, overdue_count: int) -> list:
    """VI. Proposals, drawn from the figures above."""
    blocks: list = [Heading("VI. ĐỀ XUẤT, KIẾN NGHỊ")]
    items = []
    if money is not None and money.plan and money.allocated * 100 < money.plan * 50:
        items.append("Đẩy nhanh việc giao dự toán kinh phí khuyến công để các đơn vị kịp triển khai đề án.")
    if money is not None and money.allocated and money.disbursed * 100 < money.allocated * 50:
        items.append("Các đơn vị thực hiện khẩn trương hoàn thiện hồ sơ tạm ứng, thanh toán để đẩy nhanh giải ngân.")
    if overdue_count:
        items.append(f"Đôn đốc các đơn vị có {overdue_count} đề án chậm tiến độ hoàn thành các việc còn tồn đọng.")
    if national:
        items.append("Các Sở Công Thương gửi báo cáo định kỳ đúng hạn để tổng hợp.")
    else:
        items.append("Đề nghị Cục tiếp tục hướng dẫn, hỗ trợ địa phương triển khai hoạt động khuyến công.")
    blocks.extend(Paragraph(f"{n}. {text}") for n, text in enumerate(items, 1))
    return blocks


def scope_of(user, params: dict) -> tuple[Any, Any]:
    scope = params["scope"]
    if scope.kind == dashboard_scope.PROVINCE:
        return Province.objects.get(pk=next(iter(scope.province_ids))), None
    return None, None


KIND_KEY = "periodic_report"
KIND = DocumentKind(
    key=KIND_KEY,
    label=gettext_lazy("Six-month or year report of the programme"),
    description=gettext_lazy(
        "Plan and allocation, disbursement, projects by state and late projects, outputs, inspections, "
        "reports received and proposals, for the whole country or one province."
    ),
    build=build,
    form_class=PeriodicReportForm,
    scope=scope_of,
)
