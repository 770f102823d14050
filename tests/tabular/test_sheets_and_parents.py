"""Engine features the establishment import does not use: a sheet chosen by name, children that
name their parent by key."""

from __future__ import annotations

import pytest
import xlsxwriter
from django.utils import translation

from khuyencong import tabular
from khuyencong.tabular import cells

pytestmark = pytest.mark.django_db

LINES = tabular.TableSpec(
    title="Nội dung",
    columns=(
        tabular.Column("Mã", "code", True, cells.text(20)),
        tabular.Column("Thuộc", "parent", False, cells.text(20)),
        tabular.Column("Kinh phí", "amount", True, cells.amount()),
    ),
    sheet_name="Nội dung",
    parent_key_field="parent",
    key_field="code",
)


class Lines(tabular.BaseImport):
    spec = LINES


def workbook(path):
    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("Tổng hợp")  # also a matching header: the name decides
    first.write_row(0, 0, ["Mã", "Thuộc", "Kinh phí"])
    first.write_row(1, 0, ["X", "", 1])
    sheet = book.add_worksheet("Nội dung")
    sheet.write_row(0, 0, ["Mã", "Thuộc", "Kinh phí"])
    for values in (["A", "", "150 triệu"], ["A.1", "A", "100 triệu"], ["B.1", "B", "5"]):
        sheet.write_row(sheet.dim_rowmax + 1, 0, values)
    book.close()
    return path


def test_the_named_sheet_is_read_and_children_find_their_parent(tmp_path, admin_user):
    with translation.override("vi"):
        report = tabular.dry_run(workbook(tmp_path / "f.xlsx"), admin_user, Lines())
    assert report.sheet == "Nội dung"
    assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report.errors[0].row == 4 and report.errors[0].messages == [
        "Thuộc: không có dòng nào phía trên mang giá trị B."
    ]


def test_a_missing_sheet_is_named(tmp_path, admin_user):
    spec = tabular.TableSpec(title="X", columns=LINES.columns, sheet_name="Kế hoạch")

    class Plans(tabular.BaseImport):
        pass

    Plans.spec = spec
    with translation.override("vi"):
        report = tabular.dry_run(workbook(tmp_path / "f.xlsx"), admin_user, Plans())
    assert report.file_errors == ["Bảng tính không có trang tên “Kế hoạch” (các trang: “Tổng hợp”, “Nội dung”)."]
