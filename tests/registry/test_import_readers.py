"""The two .xlsx readers give the same rows: python-calamine (fast, holds the sheet in memory) and
the expat stream (flat memory) used above ``Limits.calamine_max_sheet_bytes``."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlsxwriter
from django.utils import translation

from khuyencong import tabular
from khuyencong.registry import imports
from khuyencong.registry.models import Establishment
from tests.registry.fixtures.builders import FIXTURES

CALAMINE = tabular.Limits()
STREAM = tabular.Limits(calamine_max_sheet_bytes=0)


def rows_of(path, limits) -> dict[int, list]:
    with tabular.open_sheet(path, limits) as sheet:
        out = {}
        for row, cells in sheet.rows:
            cells = [""] * sheet.first_column + list(cells)
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                out[row] = cells
        return out


def rich_workbook(path, *, shared_strings: bool):
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": not shared_strings})
    sheet = workbook.add_worksheet()
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    stamp = workbook.add_format({"num_format": "d/m/yyyy hh:mm"})
    money = workbook.add_format({"num_format": '#,##0 "đ"'})
    sheet.write_row(0, 0, ["Tên cơ sở", "Ngày", "Số", "Đúng", "Tiền"])
    sheet.write_row(1, 0, ["Cơ sở & <mây> tre", None, 12, True, None])
    sheet.write_datetime(1, 1, dt.datetime(2020, 5, 15), date)
    sheet.write_number(1, 4, 2_080_000_000, money)
    sheet.write_row(3, 1, ["", 2.5, False])  # row 3 is empty; row 4 starts in column B
    sheet.write_datetime(3, 4, dt.datetime(2021, 1, 2, 8, 30), stamp)
    sheet.write_formula(4, 0, '="Cơ sở "&"C"', None, "Cơ sở C")
    sheet.write_formula(4, 2, "=1/0", None, "#DIV/0!")
    workbook.close()
    return path


@pytest.mark.parametrize("shared_strings", [True, False])
def test_both_readers_read_the_same_cells(tmp_path, shared_strings):
    path = rich_workbook(tmp_path / "rich.xlsx", shared_strings=shared_strings)
    calamine, stream = rows_of(path, CALAMINE), rows_of(path, STREAM)
    assert calamine == stream
    assert stream[2] == ["Cơ sở & <mây> tre", dt.date(2020, 5, 15), 12.0, True, 2_080_000_000.0]
    assert stream[4] == ["", "", 2.5, False, dt.datetime(2021, 1, 2, 8, 30)]
    assert stream[5] == ["Cơ sở C"]  # the #DIV/0! cell reads as empty, like calamine; the scan flags it


@pytest.mark.parametrize("name", ["mau-hop-le.xlsx", "cong-thuc.xlsx", "o-gop.xlsx"])
def test_both_readers_agree_on_the_samples(name):
    assert rows_of(FIXTURES / name, CALAMINE) == rows_of(FIXTURES / name, STREAM)


def test_openpyxl_workbooks_stream_too(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tên cơ sở", "Năm thành lập"])
    sheet.append(["Cơ sở A", dt.date(2015, 3, 1)])
    workbook.save(tmp_path / "o.xlsx")
    assert rows_of(tmp_path / "o.xlsx", STREAM) == rows_of(tmp_path / "o.xlsx", CALAMINE)


@pytest.mark.django_db
@pytest.mark.parametrize("limits", [CALAMINE, STREAM], ids=["calamine", "stream"])
def test_import_is_the_same_with_either_reader(hatinh_officer, territory, limits):
    with translation.override("vi"):
        valid = imports.commit(FIXTURES / "mau-hop-le.xlsx", hatinh_officer, limits=limits)
        formulas = imports.dry_run(FIXTURES / "cong-thuc.xlsx", hatinh_officer, limits=limits)
        merged = imports.dry_run(FIXTURES / "o-gop.xlsx", hatinh_officer, limits=limits)
    assert valid.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}, valid.to_dict()
    assert valid.header_row == 3 and [n.row for n in valid.notes] == [6]
    assert Establishment.objects.get(tax_code="4200000011").founding_year == 2020
    assert {e.row: e.messages for e in formulas.errors} == {
        2: ["Tên cơ sở: không đọc được ô A2 (công thức bị lỗi #REF!)."],
        3: ["Tổng lao động: không đọc được ô D3 (công thức bị lỗi #DIV/0!)."],
    }
    assert [e.row for e in merged.errors] == [3, 4] and "vùng ô gộp" in merged.errors[0].messages[0]


def test_prefixed_sheet_xml_streams(tmp_path):
    """Some writers (the .NET Open XML SDK) prefix every element: <x:row><x:c>…"""
    import re
    import zipfile

    source = rich_workbook(tmp_path / "plain.xlsx", shared_strings=True)
    target = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')  # fmt: skip
                data = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s>/])", rb"<\1x:\2", data)
            zout.writestr(info, data)
    assert b"<x:row" in zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml")
    assert rows_of(target, STREAM) == rows_of(source, CALAMINE)
