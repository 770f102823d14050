"""A new importer is a column spec plus three hooks: a toy plan importer that keeps its records in
a list, run through dry run, error workbook, commit, interruption and resume."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from khuyencong import tabular
from khuyencong.tabular import cells

pytestmark = pytest.mark.django_db  # each batch runs in a transaction

SPEC = tabular.TableSpec(
    title="Kế hoạch",
    columns=(
        tabular.Column("Loại dòng", "kind", True, cells.choice(lambda: {"ke hoach": "plan", "noi dung": "line"},
                                                                lambda: ["Kế hoạch", "Nội dung"])),
        tabular.Column("Mã", "code", True, cells.text(20)),
        tabular.Column("Kinh phí", "amount", False, cells.amount(signed=True)),
        tabular.Column("Ngày quyết định", "decided", False, cells.date),
    ),
    unique_keys=("code",),
    kind_field="kind",
    parent_kinds=frozenset({"plan"}),
)  # fmt: skip


class PlanImport(tabular.BaseImport):
    spec = SPEC
    store: list[tuple[str, str | None, int | None]] = []  # (code, parent code, amount)
    fail_on_batch = 0

    def check(self, row):
        if row.values.get("kind") == "line" and "amount" not in row.values:
            row.errors.append("Nội dung cần có kinh phí.")

    def apply(self, rows, *, write):
        self.batches = getattr(self, "batches", 0) + 1
        if write and self.batches == self.fail_on_batch:
            raise ConnectionError("mất kết nối")
        for row in rows:
            row.outcome = "new"
            if write:
                parent = row.parent.values["code"] if row.parent else None
                self.store.append((row.values["code"], parent, row.values.get("amount")))


def plan_csv() -> bytes:
    lines = [
        "Loại dòng;Mã;Kinh phí;Ngày quyết định",
        "Kế hoạch;KH-2026;2,08 tỷ;15/01/2026",
        "Nội dung;ND-1;150 triệu;",
        "Nội dung;ND-2;;",  # rejected by check: no amount
        "Nội dung;ND-3;-1.000.000;46040",  # a signed adjustment; an Excel serial date
        "Nội dung;ND-1;5;",  # the code again
        "Kế hoạch;KH-2027;120.000.000,00;31/02/2027",  # not a date
        "Nội dung;ND-4;1;",  # its parent was rejected
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def importer():
    PlanImport.store = []
    with translation.override("vi"):
        yield PlanImport


def test_dry_run_reports_every_row_and_writes_nothing(importer, admin_user):
    report = tabular.dry_run(plan_csv(), admin_user, importer())
    assert report.ok and report.file_kind == "csv"
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 4}
    assert {e.row: e.messages for e in report.errors} == {
        4: ["Nội dung cần có kinh phí."],
        6: ["Mã ND-1 trùng với dòng 3."],
        7: ["Ngày quyết định: “31/02/2027” không phải ngày hợp lệ (ngày/tháng/năm, ví dụ 15/05/2025)."],
        8: ["Dòng cha (dòng 7) của dòng này bị từ chối."],
    }
    assert importer.store == []
    with CalamineWorkbook.from_filelike(io.BytesIO(report.error_workbook)) as workbook:
        table = workbook.get_sheet_by_index(0).to_python()
    assert table[0] == ["Dòng", "Loại dòng", "Mã", "Kinh phí", "Ngày quyết định", "Lỗi"]
    assert [r[0] for r in table[1:]] == [4.0, 6.0, 7.0, 8.0]


def test_commit_writes_children_under_their_parent_and_parses_vietnamese_values(importer, admin_user):
    report = tabular.commit(plan_csv(), admin_user, importer())
    assert report.counts["new"] == 3 and report.committed_through_row == 8
    assert importer.store == [("KH-2026", None, 2_080_000_000), ("ND-1", "KH-2026", 150_000_000),
                              ("ND-3", "KH-2026", -1_000_000)]  # fmt: skip
    assert cells.date(46040.0, SPEC.columns[3]) == dt.date(2026, 1, 18)


def test_an_interrupted_commit_resumes_without_writing_anything_twice(importer, admin_user):
    failing = importer()
    failing.fail_on_batch = 2
    with pytest.raises(tabular.ImportInterrupted) as stopped:
        tabular.commit(plan_csv(), admin_user, failing, batch_size=2)
    assert stopped.value.report.committed_through_row == 3
    assert [code for code, _p, _a in importer.store] == ["KH-2026", "ND-1"]
    resumed = tabular.commit(plan_csv(), admin_user, importer(), batch_size=2, start_after_row=3)
    assert resumed.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 4}
    assert [code for code, _p, _a in importer.store] == ["KH-2026", "ND-1", "ND-3"]
    # rows before the resume point still count for repeated keys: row 6 repeats ND-1 of row 3
    assert {e.row for e in resumed.errors} == {4, 6, 7, 8}
