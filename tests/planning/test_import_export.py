"""A plan's lines from the officials' workbook and back: the dry run, row-numbered errors in the
error workbook, negative amounts refused, Vietnamese amounts accepted, and an export that imports
back to the same lines."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from python_calamine import CalamineWorkbook

from khuyencong import tabular
from khuyencong.demo.planning import load_planning
from khuyencong.organisation.demo import load_demo
from khuyencong.planning import actions, imports
from khuyencong.planning.models import AnnualPlan
from khuyencong.planning.services import line_rows, line_total, plan_lines, version_diff
from tests.planning.factories import make_plan

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Nội dung", "Nội dung khuyến công", "Nguồn kinh phí", "Kinh phí (đồng)", "Số lượng", "Đơn vị tính"]


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["KẾ HOẠCH KHUYẾN CÔNG ĐỊA PHƯƠNG NĂM 2020"])  # a title above the table
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["I", "Đào tạo nghề, tư vấn", "2012-01", None, "400.000.000"],
    ["1", "Đào tạo nghề mây tre đan", "2012-01", "Ngân sách địa phương", "280 triệu", 60, "học viên"],
    ["2", "Tư vấn nhãn hiệu", "Tư vấn, trợ giúp", "NSĐP", "120.000.000"],
    ["II", "Mô hình trình diễn", "2012-03"],
    ["3", "Máy móc thiết bị cơ sở mộc", "2012-03", "Ngân sách địa phương", "1,68 tỷ", 2, "cơ sở"],
    ["3.1", "Cơ sở mộc Thái Yên", "2012-03", "Ngân sách địa phương", "1.000.000.000"],
]


@pytest.fixture
def draft(territory):
    return make_plan("42", total=2_080_000_000).versions.get()


def test_dry_run_then_commit_replaces_the_draft_lines(draft, hatinh_officer):
    rows = GOOD
    with translation.override("vi"):
        report = tabular.dry_run(workbook(rows), hatinh_officer, imports.PlanLineImport(draft))
    assert report.ok and report.counts == {"new": 6, "updated": 0, "unchanged": 0, "rejected": 0}, report.errors
    assert draft.lines.count() == 3  # the dry run wrote nothing
    report = tabular.commit(workbook(rows), hatinh_officer, imports.PlanLineImport(draft))
    assert report.counts["new"] == 6
    tree = [(r.line.number, r.depth, r.amount) for r in line_rows(plan_lines(draft))]
    assert tree == [("I", 0, 400_000_000), ("1", 1, 280_000_000), ("2", 1, 120_000_000), ("II", 0, 1_000_000_000),
                    ("3", 1, 1_000_000_000), ("3.1", 2, 1_000_000_000)]  # fmt: skip
    assert draft.lines.get(number="2").content.code == "2012-06"  # found by its name


def test_bad_rows_are_named_by_their_excel_row_and_nothing_is_written(draft, hatinh_officer):
    rows = [*GOOD, ["4", "Dòng âm", "2012-01", "Ngân sách địa phương", "-5.000.000"],
            ["5", "Nội dung lạ", "2099-01", "Ngân sách địa phương", "1"],
            ["7.1", "Không có dòng cha", "2012-01", "Ngân sách địa phương", "1"]]  # fmt: skip
    with translation.override("vi"):
        report = tabular.dry_run(workbook(rows), hatinh_officer, imports.PlanLineImport(draft))
    errors = {e.row: " ".join(e.messages) for e in report.errors}
    assert set(errors) == {9, 10, 11}, errors  # the title is row 1, the header row 2
    assert "âm" in errors[9]
    assert "2099-01" in errors[10]
    assert "7" in errors[11] and "7.1" in errors[11]
    with CalamineWorkbook.from_filelike(io.BytesIO(report.error_workbook)) as book:
        table = book.get_sheet_by_index(0).to_python()
    assert table[0][0] == "Dòng" and table[0][-1] == "Lỗi" and [r[0] for r in table[1:]] == [9.0, 10.0, 11.0]
    assert draft.lines.count() == 3


def test_an_approved_version_cannot_be_imported_into(territory, hatinh_officer):
    version = make_plan("42", approved=True).versions.get()
    report = tabular.dry_run(workbook(GOOD), hatinh_officer, imports.PlanLineImport(version))
    assert report.file_errors and not report.ok


def test_the_ha_tinh_plan_round_trips_through_excel(territory, hatinh_officer):
    load_demo()
    load_planning()
    plan = AnnualPlan.objects.get(level="local", year=2020, province__code="42")
    approved = plan.versions.get()
    exported = imports.export_workbook(approved)
    draft = actions.start_change(user=hatinh_officer, plan=plan, kind="adjusted")
    report = tabular.commit(exported, hatinh_officer, imports.PlanLineImport(draft))
    assert report.counts == {"new": 15, "updated": 0, "unchanged": 0, "rejected": 0}, report.errors
    assert version_diff(draft).is_empty  # same lines, same keys, same amounts
    assert line_total(plan_lines(draft)) == 2_080_000_000
    assert imports.export_workbook(draft) == imports.export_workbook(approved) or _same_cells(draft, approved)


def _same_cells(a, b) -> bool:
    def cells(version):
        book = openpyxl.load_workbook(io.BytesIO(imports.export_workbook(version)))
        return [list(r) for r in book.active.iter_rows(values_only=True)]

    return cells(a) == cells(b)


def test_the_import_page_checks_then_writes(client_for, draft, hatinh_officer):
    client = client_for(hatinh_officer)
    url = f"/plans/{draft.plan_id}/versions/{draft.pk}/import/"
    assert client.get(url).status_code == 200
    rows = [["I", "Đào tạo nghề", "2012-01"], ["1", "Lớp mây tre đan", "2012-01", "NSĐP", "2,08 tỷ"]]
    upload = SimpleUploadedFile("ke-hoach.xlsx", workbook(rows))
    page = client.post(url, {"file": upload}).content.decode()
    assert 'id="import-commit"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert line_total(plan_lines(draft)) == 2_080_000_000
    bad = SimpleUploadedFile("sai.xlsx", workbook([["1.1", "Không có cha", "2012-01", "NSĐP", "-1"]]))
    page = client.post(url, {"file": bad}).content.decode()
    assert 'id="error-workbook"' in page and 'id="import-commit"' not in page
    token = page.split("?errors=")[1].split('"')[0]
    assert client.get(url, {"errors": token})["Content-Type"].startswith("application/vnd.openxml")
    export = client.get(f"/plans/{draft.plan_id}/versions/{draft.pk}/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
