"""The empty workbook users fill in: the headers (required ones marked, a comment on each), one
example row, the allowed values on a sheet of their own (with drop-down lists), and a guide."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import xlsxwriter

from khuyencong.kernel.sheets import xlsx_options
from khuyencong.tabular.cells import YES
from khuyencong.tabular.columns import TableSpec
from khuyencong.tabular.sheet import column_letter

VALUES_SHEET = "Giá trị hợp lệ"
GUIDE_SHEET = "Hướng dẫn"


def template_workbook(spec: TableSpec, examples: Mapping[str, Any] | None = None) -> bytes:
    """``examples`` overrides the columns' example values (field -> value), e.g. with a commune of
    the user's province."""
    examples = examples or {}
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, xlsx_options(in_memory=True))
    sheet = workbook.add_worksheet(spec.title)
    values_sheet = workbook.add_worksheet(VALUES_SHEET)
    guide = workbook.add_worksheet(GUIDE_SHEET)
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    head_required = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "font_color": "#C00000"}
    )
    text = workbook.add_format({"num_format": "@"})
    lists = {name: (title, list(values())) for name, (title, values) in spec.choice_lists.items()}
    for col, (title, values) in enumerate(lists.values()):
        values_sheet.write_string(0, col, title, head)
        for row, value in enumerate(values, start=1):
            values_sheet.write_string(row, col, value)
        values_sheet.set_column(col, col, 26)
    for col, column in enumerate(spec.columns):
        sheet.write_string(0, col, column.header, head_required if column.required else head)
        sheet.set_column(col, col, 18, text if column.as_text else None)
        note = ("Bắt buộc. " if column.required else "") + column.guide
        if note.strip():
            sheet.write_comment(0, col, note.strip(), {"x_scale": 2, "y_scale": 1.5})
        value = examples.get(column.field, column.example)
        if isinstance(value, str):
            if value:
                sheet.write_string(1, col, value)
        else:
            sheet.write_number(1, col, value)
        if column.values in lists:
            letter = column_letter(list(lists).index(column.values))
            count = len(lists[column.values][1])
            source = f"='{VALUES_SHEET}'!${letter}$2:${letter}${count + 1}"
            sheet.data_validation(1, col, 10_000, col, {"validate": "list", "source": source, "error_type": "warning"})
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 1)
    guide.write_row(0, 0, ["Cột", "Bắt buộc", "Mô tả"], head)
    for row, column in enumerate(spec.columns, start=1):
        guide.write_row(row, 0, [column.header, YES if column.required else "", column.guide])
    last = len(spec.columns) + 2
    guide.write_string(last, 0, "Dòng 2 của trang đầu là ví dụ: xoá hoặc thay bằng dữ liệu thật trước khi nhập.")
    guide.write_string(last + 1, 0, "Ô trống khi cập nhật: giữ nguyên giá trị đã có.")
    guide.set_column(0, 0, 24)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 2, 100)
    workbook.close()
    return output.getvalue()
