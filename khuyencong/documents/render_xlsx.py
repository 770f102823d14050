"""The tables of an :class:`OfficialDocument` as an Excel workbook: one sheet per table, with the
document's title, the table's title, the header row, the rows and the total row. Amounts are
numbers with a ``#,##0`` format (Excel shows them grouped as the reader's locale does), so the
totals can be checked with a SUM; strings stay strings (``kernel.sheets.xlsx_options``)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import xlsxwriter

from khuyencong.documents.model import Cell, OfficialDocument
from khuyencong.kernel.sheets import xlsx_options

_INVALID = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(wanted: str, taken: set[str], index: int) -> str:
    base = _INVALID.sub(" ", wanted).strip().strip("'")[:28] or f"Bang {index}"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:26]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _number(value: Cell) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return None


def render_xlsx(doc: OfficialDocument) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, xlsx_options(in_memory=True))
    title = book.add_format({"bold": True, "font_name": "Times New Roman", "font_size": 13})
    head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
            "font_name": "Times New Roman",
        }
    )
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "Times New Roman"})
    amount = book.add_format({"border": 1, "num_format": "#,##0", "valign": "top", "font_name": "Times New Roman"})
    rate = book.add_format({"border": 1, "num_format": "#,##0.00", "valign": "top", "font_name": "Times New Roman"})
    bold_text = book.add_format({"border": 1, "bold": True, "font_name": "Times New Roman"})
    bold_amount = book.add_format({"border": 1, "bold": True, "num_format": "#,##0", "font_name": "Times New Roman"})
    bold_rate = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.00", "font_name": "Times New Roman"})
    taken: set[str] = set()
    tables = doc.tables()
    for index, table in enumerate(tables, 1):
        sheet = book.add_worksheet(_sheet_name(table.sheet or table.title, taken, index))
        sheet.write_string(0, 0, doc.title + (" " + doc.subject if doc.subject else ""), title)
        sheet.write_string(1, 0, table.title, title)
        header_row = 3
        for column, name in enumerate(table.columns):
            sheet.write_string(header_row, column, name, head)
        relative = table.widths or [1.0] * len(table.columns)
        for column, width in enumerate(relative):
            sheet.set_column(column, column, max(6, min(60, width * 12)))
        rows = [(row, False) for row in table.rows]
        if table.total is not None:
            rows.append((table.total, True))
        for offset, (values, is_total) in enumerate(rows, 1):
            for column, value in enumerate(values):
                number = _number(value) if column in table.numeric else None
                if number is not None:
                    fmt = (
                        (bold_rate if is_total else rate)
                        if isinstance(number, float)
                        else (bold_amount if is_total else amount)
                    )
                    sheet.write_number(header_row + offset, column, number, fmt)
                else:
                    shown = "" if value is None else str(value)
                    sheet.write_string(header_row + offset, column, shown, bold_text if is_total else text)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)
    if not tables:
        book.add_worksheet("Van ban").write_string(0, 0, doc.title or doc.subject, title)
    book.close()
    return out.getvalue()
