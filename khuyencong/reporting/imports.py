"""A filled report form from Excel, and the form to fill (the tabular engine, docs/import.md).

One row per indicator, keyed by its code (“Mã chỉ tiêu”): the figure the unit reports, the
reason when it differs from the system's, a comment. The name, unit and system figure columns
are there to read and are not imported. ``form_workbook`` writes a report in the same columns, so
a downloaded form, filled in, imports back; a row whose code the form lacks, a figure that is not
a number or out of its range, or a difference without its reason is rejected with its row
number, and nothing is written until the whole file is clean.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from khuyencong import tabular
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.sheets import xlsx_options
from khuyencong.reporting import actions
from khuyencong.reporting.models import Report
from khuyencong.reporting.selectors import report_values
from khuyencong.reporting.validation import display
from khuyencong.tabular import cells
from khuyencong.tabular.columns import ERROR_HEADER, ROW_HEADER


def _raw(raw, column):
    """Keep the cell as given; the indicator's kind decides how it is read (``check``)."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


COLUMNS = (
    tabular.Column("Mã chỉ tiêu", "code", True, cells.text(40), aliases=("Mã",), example="SL01", as_text=True),
    tabular.Column("Chỉ tiêu", "name", False, cells.text(300), aliases=("Tên chỉ tiêu",)),
    tabular.Column("Đơn vị tính", "unit", False, cells.text(40), aliases=("ĐVT",)),
    tabular.Column("Số liệu hệ thống", "system", False, cells.text(60)),
    tabular.Column("Số liệu báo cáo", "value", False, _raw, aliases=("Số liệu", "Giá trị"), example="12"),
    tabular.Column("Lý do chênh lệch", "reason", False, cells.text(2000), aliases=("Lý do",)),
    tabular.Column("Ghi chú", "comment", False, cells.text(2000)),
)  # fmt: skip

SPEC = tabular.TableSpec(title="Báo cáo", columns=COLUMNS, ignored_headers=(ROW_HEADER, ERROR_HEADER))


class ReportValuesImport(tabular.BaseImport):
    """The rows of one report; ``begin`` refuses a user who may not fill it (or a locked report)."""

    spec = SPEC

    def __init__(self, report: Report):
        self.report = report

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        try:
            self.report = actions._writable(user, self.report, None)
        except ActionRefused as exc:
            raise tabular.ImportFileError(exc.message) from None
        self.codes = {i.code.upper(): i.code for i in self.report.form.indicators.all()}
        self.values: dict[str, dict] = {}
        self.rows_by_code: dict[str, tabular.ParsedRow] = {}

    def check(self, row) -> None:
        code = self.codes.get(str(row.values.get("code", "")).strip().upper())
        if code is None:
            row.errors.append(
                _("Mã chỉ tiêu: the form has no indicator “%(code)s”.") % {"code": row.values.get("code")}
            )
            return
        if code in self.rows_by_code:
            row.errors.append(_("Mã chỉ tiêu: %(code)s appears twice.") % {"code": code})
            return
        given = {"value": row.values.get("value"), "reason": row.values.get("reason", ""),
                 "comment": row.values.get("comment", "")}  # fmt: skip
        try:
            actions.check_values(self.report, {code: given})
        except Invalid as exc:
            row.errors.extend(exc.errors.values())
            return
        self.values[code] = given
        self.rows_by_code[code] = row

    def apply(self, rows, *, write: bool) -> None:
        if write:
            mine = {code: self.values[code] for code, row in self.rows_by_code.items() if row in rows}
            try:
                actions.save_values(user=self.user, report=self.report, values=mine)
            except ActionRefused as exc:
                for row in rows:
                    row.errors.append(exc.message)
                return
            self.report.refresh_from_db()
        for row in rows:
            if not row.errors:
                row.outcome = "updated"


def form_workbook(report: Report) -> bytes:
    """The report's form with its system figures and what is reported so far, in the import's columns."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(SPEC.title)
    bold = book.add_format({"bold": True})
    with translation.override("vi"):
        sheet.write(0, 0, f"{report.form.name} · {report.period_label} · {report.org_unit.name}", bold)
        sheet.write_row(1, 0, [c.header for c in COLUMNS], bold)
        for r, value in enumerate(report_values(report), start=2):
            indicator = value.indicator
            reported = value.text_value if indicator.is_text else display(value.reported_value, indicator.kind)
            sheet.write_string(r, 0, indicator.code)
            sheet.write_string(r, 1, indicator.name)
            sheet.write_string(r, 2, indicator.unit)
            sheet.write_string(r, 3, display(value.system_value, indicator.kind))
            sheet.write_string(r, 4, reported or "")
            sheet.write_string(r, 5, value.correction_reason)
            sheet.write_string(r, 6, value.comment)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 6, 18)
    book.close()
    return out.getvalue()
