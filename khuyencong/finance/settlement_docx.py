"""The settlement dossier of a project as a Word document (python-docx), in the Vietnamese
administrative layout (Nghị định 30/2020/NĐ-CP): the issuing unit and the document number on the
left, the national motto on the right, place and date, the title, then the beneficiaries' table
(support, contract value, advanced, paid, recovered, acceptance result, settled) whose totals are
the ledger's sums.

The document is an official Vietnamese form: its wording is Vietnamese whatever the reader's
interface language (like the rulebook's seeded legal texts), so it is kept here as data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.finance.acceptance import latest_records
from khuyencong.finance.models import EntryKind, EntryStatus, LedgerEntry, Settlement
from khuyencong.kernel.money import format_vnd
from khuyencong.projects.models import Project

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BÁO CÁO QUYẾT TOÁN KINH PHÍ KHUYẾN CÔNG"
HEADERS = ["STT", "Cơ sở thụ hưởng", "Hỗ trợ được duyệt", "Giá trị hợp đồng", "Đã tạm ứng", "Đã thanh toán",
           "Đã thu hồi", "Kết quả nghiệm thu", "Quyết toán"]  # fmt: skip
UNASSIGNED = "Khoản chi chung của đề án (không gắn với cơ sở)"
TOTAL = "Tổng cộng"


@dataclass
class Row:
    label: str
    support: int = 0
    contract: int = 0
    advanced: int = 0
    paid: int = 0
    recovered: int = 0
    result: str = ""
    settled: int = 0


@dataclass
class Dossier:
    project: Project
    settlement: Settlement | None
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(TOTAL))
    settled_is_proposal: bool = False


def _sums(project: Project) -> dict[int | None, dict[str, int]]:
    def total(**filters) -> Coalesce:
        return Coalesce(Sum("amount", filter=Q(**filters)), 0)

    rows = (
        LedgerEntry.objects.filter(project=project, status=EntryStatus.PAID)
        .values("beneficiary_id")
        .annotate(
            advanced=total(kind=EntryKind.ADVANCE),
            paid=total(kind=EntryKind.PAYMENT),
            recovered=total(kind=EntryKind.RECOVERY),
            settled=total(kind=EntryKind.SETTLEMENT),
        )
    )
    return {row.pop("beneficiary_id"): row for row in rows}


def dossier_of(project: Project) -> Dossier:
    """The figures of the dossier: one row per beneficiary line, one for money not tied to a
    line, and the totals (the ledger's sums: advances, payments, recoveries, the settlement)."""
    found = Settlement.objects.filter(project=project).first()
    sums = _sums(project)
    records = latest_records(project)
    contracts = {
        c.beneficiary_id: c.value
        for c in Contract.objects.filter(project=project, kind=ContractKind.SUPPORT).exclude(
            state=ContractState.TERMINATED
        )
    }
    dossier = Dossier(project, found)
    settled_total = sum(row["settled"] for row in sums.values())
    if settled_total == 0 and found is not None and found.settled_amount is None:
        settled_total, dossier.settled_is_proposal = found.proposed_amount, True
    line_settled = 0
    for n, line in enumerate(project.beneficiaries.select_related("establishment").order_by("position", "pk"), 1):
        money = sums.get(line.pk, {})
        record = records.get(line.pk)
        result = "Chưa nghiệm thu"
        if record is not None:
            result = ("Đạt" if record.passed else "Không đạt") + f" ({record.record_number}, "
            result += record.accepted_on.strftime("%d/%m/%Y") + ")"
        net = money.get("advanced", 0) + money.get("paid", 0) - money.get("recovered", 0)
        settled = max(net, 0) if record is not None and record.passed else 0
        line_settled += settled
        dossier.rows.append(Row(f"{n}. {line.establishment.name}", line.support, contracts.get(line.pk, line.support),
                                money.get("advanced", 0), money.get("paid", 0), money.get("recovered", 0), result,
                                settled))  # fmt: skip
    common = sums.get(None, {})
    dossier.rows.append(Row(UNASSIGNED, 0, 0, common.get("advanced", 0), common.get("paid", 0),
                            common.get("recovered", 0), "", settled_total - line_settled))  # fmt: skip
    main = (
        Contract.objects.filter(project=project, kind=ContractKind.MAIN)
        .exclude(state=ContractState.TERMINATED)
        .order_by("-pk")
        .first()
    )
    total = dossier.total
    total.support = project.approved_support or sum(line.support for line in project.beneficiaries.all())
    total.contract = main.value if main is not None else sum(r.contract for r in dossier.rows)
    for row in dossier.rows:
        total.advanced += row.advanced
        total.paid += row.paid
        total.recovered += row.recovered
        total.settled += row.settled
    passed = sum(1 for r in records.values() if r.passed)
    total.result = f"{passed}/{len(dossier.rows) - 1} đạt"
    return dossier


def _money(value: int) -> str:
    return format_vnd(value, unit="")


def _paragraph(document, text: str, *, bold=False, italic=False, size=13, align=WD_ALIGN_PARAGRAPH.LEFT):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _cell(cell, text: str, *, bold=False, italic=False, size=13, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def build_dossier(project: Project, *, today=None) -> bytes:
    """The dossier as .docx bytes."""
    dossier = dossier_of(project)
    found = dossier.settlement
    on = (found.submitted_on if found is not None else None) or today or timezone.localdate()
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    section = document.sections[0]
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)

    header = document.add_table(rows=3, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    unit = project.implementing_unit
    parent = unit.parent.name.upper() if getattr(unit, "parent", None) is not None else ""
    _cell(header.cell(0, 0), parent or unit.name.upper(), size=12)
    _cell(header.cell(0, 1), MOTTO, bold=True, size=12)
    _cell(header.cell(1, 0), unit.name.upper() if parent else "", bold=True, size=12)
    _cell(header.cell(1, 1), MOTTO_2, bold=True, size=13)
    _cell(header.cell(2, 0), f"Số: {found.pk if found else '…'}/BC-QT", size=13)
    place = project.province.short_name if project.province_id and project.province.short_name else "Hà Nội"
    date_text = f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"
    _cell(header.cell(2, 1), date_text, italic=True, size=13)

    _paragraph(document, "")
    _paragraph(document, TITLE, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"Đề án: {project.code} – {project.name}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"Cấp: {project.get_level_display()} · Năm kế hoạch: {project.year}")
    _paragraph(document, f"Đơn vị thực hiện: {unit.name}")
    if project.decision_number:
        approved = project.approved_on.strftime("%d/%m/%Y") if project.approved_on else ""
        _paragraph(document, f"Quyết định phê duyệt: {project.decision_number} ngày {approved}")
    if found is not None and found.decision_number and found.decision_date:
        _paragraph(document, f"Quyết định phê duyệt quyết toán: {found.decision_number} ngày "
                             f"{found.decision_date.strftime('%d/%m/%Y')}")  # fmt: skip
    _paragraph(document, "Đơn vị tính: đồng", italic=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)

    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for index, text in enumerate(HEADERS):
        _cell(table.rows[0].cells[index], text, bold=True, size=10)
    for n, row in enumerate([*dossier.rows, dossier.total]):
        is_total = row is dossier.total
        cells = table.add_row().cells
        values = ["" if is_total or row.label == UNASSIGNED else str(n + 1), row.label, _money(row.support),
                  _money(row.contract), _money(row.advanced), _money(row.paid), _money(row.recovered), row.result,
                  _money(row.settled)]  # fmt: skip
        if not is_total:
            values[1] = row.label.split(". ", 1)[-1]
        for index, text in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.RIGHT if 2 <= index <= 6 or index == 8 else WD_ALIGN_PARAGRAPH.LEFT
            _cell(cells[index], text, bold=is_total, size=10, align=align)

    _paragraph(document, "")
    disbursed = dossier.total.advanced + dossier.total.paid - dossier.total.recovered
    settled = dossier.total.settled
    label = "Số đề nghị quyết toán" if dossier.settled_is_proposal else "Số quyết toán"
    _paragraph(document, f"Tổng kinh phí đã giải ngân: {format_vnd(disbursed)}")
    _paragraph(document, f"{label}: {format_vnd(settled)}")
    _paragraph(document, f"Số phải thu hồi: {format_vnd(max(disbursed - settled, 0))}")
    signature = document.add_table(rows=2, cols=2)
    _cell(signature.cell(0, 0), "NGƯỜI LẬP BIỂU", bold=True, size=12)
    _cell(signature.cell(0, 1), "THỦ TRƯỞNG ĐƠN VỊ", bold=True, size=12)
    _cell(signature.cell(1, 0), "(Ký, ghi rõ họ tên)", italic=True, size=12)
    _cell(signature.cell(1, 1), "(Ký tên, đóng dấu)", italic=True, size=12)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
