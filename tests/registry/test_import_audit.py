"""The import faults of the security audit (19-26, 6, 11, 20): each hostile file is generated here,
and each test failed before its fix."""

from __future__ import annotations

import io
import re
import threading
import zipfile

import pytest
import xlsxwriter
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from khuyencong import tabular
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.registry import imports
from khuyencong.registry.models import DuplicateCandidate, Establishment, IndustryLine
from khuyencong.web import imports as web_imports
from tests.registry.fixtures.builders import row, tax_code, write_csv, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

STREAM = tabular.Limits(calamine_max_sheet_bytes=0)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# ---------------------------------------------------------------- 19: control characters


@pytest.mark.parametrize("limits", [tabular.LIMITS, STREAM], ids=["calamine", "stream"])
def test_19_a_nul_in_a_cell_is_rejected_in_the_dry_run_and_the_commit_alike(tmp_path, hatinh_officer, ht, limits):
    rows = [row(ht[0], **{"Tên cơ sở": "Cơ sở\x00 mây tre"}), row(ht[1], **{"Chủ cơ sở": "Lê\x07Văn"})]
    rows.append(row(ht[2], **{"Tên cơ sở": "Cơ sở sạch"}))
    path = write_xlsx(tmp_path / "nul.xlsx", rows)
    assert b"_x0000_" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")  # how Excel stores it
    dry = imports.dry_run(path, hatinh_officer, limits=limits)
    assert dry.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert dry.errors[0].messages == [
        "Tên cơ sở: ô A2 chứa ký tự điều khiển không nhìn thấy (U+0000) không lưu được; hãy xoá và gõ lại giá trị."
    ]
    assert "U+0007" in dry.errors[1].messages[0]
    committed = imports.commit(path, hatinh_officer, limits=limits)
    assert committed.counts == dry.counts
    assert list(Establishment.objects.values_list("name", flat=True)) == ["Cơ sở sạch"]


def test_19_a_control_character_in_a_header_does_not_reach_the_report(tmp_path, hatinh_officer, ht):
    path = tmp_path / "h.csv"
    path.write_text(f"Tên cơ sở,Loại hình,Mã xã,Cột\x01lạ\nA,Hộ kinh doanh,{ht[0]},x\n", encoding="utf-8")
    report = imports.dry_run(path, hatinh_officer)
    assert "Cột\ufffdlạ" in report.file_errors[-1] and "\x01" not in str(report.to_dict())


# ---------------------------------------------------------------- 21: stray cells far away


def stray_workbook(path, ht, *, stray_column: int, stray_row: int):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Tên cơ sở", "Loại hình", "Mã xã"])
    for index in range(20):
        sheet.write_row(index + 1, 0, [f"Cơ sở {index}", "Hộ kinh doanh", ht[0]])
    sheet.write_string(1, stray_column, "x")
    sheet.write_string(stray_row, 0, "ghi chú lạc")
    workbook.close()
    return path


def test_21_a_stray_cell_in_column_xfd_and_row_1048576_neither_bloats_nor_refuses(tmp_path, hatinh_officer, ht):
    path = stray_workbook(tmp_path / "stray.xlsx", ht, stray_column=16_383, stray_row=1_048_575)
    with tabular.open_sheet(path) as sheet:
        widths = [len(cells) for number, cells in sheet.rows if number != 2]
    # memory follows the cells present: calamine would give every row 16,384 cells
    assert max(widths) <= 3
    report = imports.dry_run(path, hatinh_officer)
    assert report.ok, report.file_errors
    assert report.counts["new"] == 20
    assert report.counts["rejected"] == 1  # the stray note at row 1,048,576 has no type or commune
    assert report.errors[0].row == 1_048_576


# ---------------------------------------------------------------- 6: one commit per dry run


def checked_upload(client, tmp_path, ht) -> Job:
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở đua {i}"}) for i in range(3)]
    content = write_csv(tmp_path / "race.csv", rows).read_bytes()
    client.post(reverse("registry_import:upload"), {"file": SimpleUploadedFile("race.csv", content)})
    dry = Job.objects.get(kind=web_imports.DRY_RUN)
    execute(str(dry.pk))
    dry.refresh_from_db()
    return dry


def test_6_requests_that_all_saw_the_commit_button_start_one_commit(client_for, hatinh_officer, tmp_path, ht):
    """Six requests that each read the dry run before any of them claimed it (a double click,
    two tabs): the conditional update lets exactly one start a commit job."""
    client = client_for(hatinh_officer)
    dry = checked_upload(client, tmp_path, ht)
    stale = [Job.objects.get(pk=dry.pk) for _ in range(6)]  # what each request had read
    started = [
        web_imports._claim(job, "commit_job", lambda: Job.objects.create(kind=web_imports.COMMIT, title="x"))
        for job in stale
    ]
    assert sum(job is not None for job in started) == 1
    assert Job.objects.filter(kind=web_imports.COMMIT).count() == 1
    dry.refresh_from_db()
    assert dry.result["commit_job"] == str(next(j for j in started if j).pk)
    # and through the page: every further click leads to that job
    response = client.post(reverse("registry_import:commit", args=[dry.pk]))
    assert response["Location"] == reverse("registry_import:status", args=[dry.result["commit_job"]])
    assert Job.objects.filter(kind=web_imports.COMMIT).count() == 1


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers need a server database (SQLite serialises the test connection)",
)
@pytest.mark.django_db(transaction=True)
def test_6_concurrent_commit_clicks_start_one_commit_job(hatinh_officer, tmp_path, ht):
    client = Client()
    client.force_login(hatinh_officer)
    dry = checked_upload(client, tmp_path, ht)
    barrier = threading.Barrier(6)
    answers = []

    def click():
        other = Client()
        other.cookies = client.cookies
        barrier.wait()
        try:
            answers.append(other.post(reverse("registry_import:commit", args=[dry.pk]))["Location"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    commits = Job.objects.filter(kind=web_imports.COMMIT)
    assert commits.count() == 1
    assert set(answers) == {reverse("registry_import:status", args=[commits.get().pk])}


# ---------------------------------------------------------------- 24: broken CSV quotes


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('Cơ sở A,Hộ kinh doanh,{c}\n"Cơ sở B,Hộ kinh doanh,{c}\nCơ sở C,Hộ kinh doanh,{c}\n', 3),  # never closed
        ('"Cơ sở A,Hộ kinh doanh,{c}\nCơ sở B,Hộ kinh doanh,{c}\nCơ sở "C",Hộ kinh doanh,{c}\n', 2),  # closed later
    ],
)
def test_24_a_broken_quote_is_refused_with_its_line(tmp_path, hatinh_officer, ht, body, line):
    path = tmp_path / "quote.csv"
    path.write_text("Tên cơ sở,Loại hình,Mã xã\n" + body.format(c=ht[0]), encoding="utf-8")
    report = imports.commit(path, hatinh_officer)
    assert f'dấu ngoặc kép (") mở ở dòng {line}' in report.file_errors[0]
    assert not Establishment.objects.exists()


def test_24_counts_add_up_to_the_data_rows_with_a_legitimate_multiline_cell(tmp_path, hatinh_officer, ht):
    path = tmp_path / "ok.csv"
    path.write_text(
        f'Tên cơ sở,Loại hình,Mã xã,Địa chỉ\nA,Hộ kinh doanh,{ht[0]},"Thôn 3\nxã Thạch Hà"\n'
        f"B,Hộ kinh doanh,{ht[0]},\nC,,{ht[0]},\n",
        encoding="utf-8",
    )
    report = imports.dry_run(path, hatinh_officer)
    assert report.rows == 3 and sum(report.counts.values()) == 3


# ---------------------------------------------------------------- 22: re-importing keyless rows


def test_22_reimporting_a_file_without_keys_matches_rows_by_name_and_commune(tmp_path, hatinh_officer, ht):
    rows = [row(ht[0], **{"Tên cơ sở": "Cơ sở rèn Trung Lương", "Tổng lao động": 5}),
            row(ht[1], **{"Tên cơ sở": "Cơ sở nón lá"})]  # fmt: skip
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    assert imports.commit(path, hatinh_officer).counts["new"] == 2
    again = imports.commit(path, hatinh_officer)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    rows[0]["Tên cơ sở"] = "CƠ SỞ RÈN  trung lương"  # the same name, folded
    rows[0]["Tổng lao động"] = 7
    changed = imports.commit(write_xlsx(tmp_path / "g.xlsx", rows), hatinh_officer)
    assert changed.counts == {"new": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert Establishment.objects.count() == 2
    assert Establishment.objects.get(commune__code=ht[0]).workers_total == 7


def test_22_the_same_keyless_row_twice_in_a_file_is_reported(tmp_path, hatinh_officer, ht):
    rows = [
        row(ht[0], **{"Tên cơ sở": "Cơ sở bánh đa Cẩm Trung"}),
        row(ht[0], **{"Tên cơ sở": "cơ sở bánh đa cẩm trung"}),
    ]
    report = imports.dry_run(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts["new"] == 1
    assert report.errors[0].messages == ["Dòng này có cùng Tên cơ sở, Mã xã với dòng 2."]


# ---------------------------------------------------------------- 23: duplicates per batch


def keyless_rows(ht, count: int, prefix: str) -> list[dict]:
    return [row(ht[i % 5], **{"Tên cơ sở": f"{prefix} cơ sở số {i:03d}"}) for i in range(count)]


def test_23_duplicate_detection_runs_per_batch_not_per_row(tmp_path, hatinh_officer, ht):
    small = write_xlsx(tmp_path / "s.xlsx", keyless_rows(ht, 5, "Nhỏ"))
    big = write_xlsx(tmp_path / "b.xlsx", keyless_rows(ht, 60, "Lớn"))
    with CaptureQueriesContext(connection) as few:
        assert imports.commit(small, hatinh_officer).counts["new"] == 5
    with CaptureQueriesContext(connection) as many:
        assert imports.commit(big, hatinh_officer).counts["new"] == 60
    assert len(many) <= len(few) + 2  # the same queries, whatever the number of rows
    # and the duplicates are still found: similar names in one commune
    assert DuplicateCandidate.objects.filter(reason="similar_name").exists()


# ---------------------------------------------------------------- 26: small readings


def test_26_industry_line_names_with_commas_and_decimal_money(tmp_path, hatinh_officer, ht):
    carpets = IndustryLine.objects.create(code="1393", name="Sản xuất thảm, chăn, đệm")
    food = IndustryLine.objects.get(catalogue="VSIC-2018", code="1079")
    rows = [row(ht[0], **{"Mã số thuế": tax_code(30), "Ngành nghề": "Sản xuất thảm, chăn, đệm; 1079",
                          "Doanh thu năm (đồng)": "120.000.000,00"})]  # fmt: skip
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts["new"] == 1, report.to_dict()
    establishment = Establishment.objects.get()
    assert set(establishment.industry_lines.all()) == {carpets, food}
    assert establishment.annual_revenue == 120_000_000


def test_26_csv_restores_lost_leading_zeros_and_drops_zero_width_spaces(tmp_path, hatinh_officer, ht):
    path = tmp_path / "z.csv"
    path.write_text(
        f"Tên cơ sở,Loại hình,Mã xã,Mã số thuế,Điện thoại\n\u200bCơ sở\u200b mây tre\ufeff,Hộ kinh doanh,{ht[0]},"
        f"100112437,912345678\n",
        encoding="utf-8",
    )
    report = imports.commit(path, hatinh_officer)
    assert report.counts["new"] == 1, report.to_dict()
    establishment = Establishment.objects.get()
    assert (establishment.name, establishment.tax_code, establishment.phone) == (
        "Cơ sở mây tre",
        "0100112437",
        "0912345678",
    )


def prefixed(source, target):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')  # fmt: skip
                data = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s>/])", rb"<\1x:\2", data)
            zout.writestr(info, data)
    return target


def test_26_the_stream_reader_decodes_escapes_and_counts_prefixed_rows_once(tmp_path, hatinh_officer, ht):
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở {i}", "Địa chỉ": "Thôn 3\r\nxã X"}) for i in range(5)]
    source = write_xlsx(tmp_path / "plain.xlsx", rows)
    assert b"_x000D_" in zipfile.ZipFile(source).read("xl/sharedStrings.xml")
    path = prefixed(source, tmp_path / "x.xlsx")
    limits = tabular.Limits(calamine_max_sheet_bytes=0, max_rows=5)  # five data rows are allowed
    report = imports.commit(path, hatinh_officer, limits=limits)
    assert report.ok, report.file_errors
    assert report.counts["new"] == 5
    assert set(Establishment.objects.values_list("address", flat=True)) == {"Thôn 3 xã X"}


def test_26_the_command_prints_the_resume_point_when_a_batch_fails(tmp_path, hatinh_officer, ht, monkeypatch):
    from django.core.management import CommandError, call_command

    class Failing(imports.EstablishmentImport):
        def save(self, creates, updates):
            super().save(creates, updates)
            if any(item.row > 3 for item, _e in creates):
                raise RuntimeError("mất kết nối")

    monkeypatch.setattr(tabular.engine, "BATCH_SIZE", 2)
    path = write_xlsx(tmp_path / "f.xlsx", keyless_rows(ht, 5, "CLI"))
    out = io.StringIO()
    with tabular.replaced_importer(imports.NAME, Failing), pytest.raises(CommandError, match="dừng lại"):
        call_command("import_establishments", "establishments", str(path), "--commit", "--user", "hatinh",
                     stdout=out, stderr=io.StringIO())  # fmt: skip
    assert "committed_through_row=3" in out.getvalue()
    assert "--resume-after 3" in out.getvalue()
    assert Establishment.objects.count() == 2


# ---------------------------------------------------------------- 25: what file is this


def two_sheets(path, ht, *, hidden_lookup: bool):
    workbook = xlsxwriter.Workbook(str(path))
    lookup = workbook.add_worksheet("Danh mục")
    lookup.write_row(0, 0, ["Mã", "Tên"])
    lookup.write_row(1, 0, ["HKD", "Hộ kinh doanh"])
    if hidden_lookup:
        lookup.hide()
    data = workbook.add_worksheet("Dữ liệu")
    data.write_row(0, 0, ["Tên cơ sở", "Loại hình", "Mã xã"])
    data.write_row(1, 0, ["Cơ sở A", "Hộ kinh doanh", ht[0]])
    data.activate()
    workbook.close()
    return path


@pytest.mark.parametrize("hidden_lookup", [True, False])
def test_25_the_sheet_whose_header_matches_is_read_and_named(tmp_path, hatinh_officer, ht, hidden_lookup):
    report = imports.dry_run(two_sheets(tmp_path / "f.xlsx", ht, hidden_lookup=hidden_lookup), hatinh_officer)
    assert report.counts["new"] == 1 and report.sheet == "Dữ liệu"
    assert report.notes[0].message == "Đã đọc trang “Dữ liệu” (bảng tính có 2 trang)."


def test_25_a_header_below_row_10_is_found_and_said(tmp_path, hatinh_officer, ht):
    path = tmp_path / "low.csv"
    path.write_text("\n".join(f"Ghi chú {i}" for i in range(12)) + f"\nTên cơ sở,Loại hình,Mã xã\nA,HTX,{ht[0]}\n",
                    encoding="utf-8")  # fmt: skip
    report = imports.dry_run(path, hatinh_officer)
    assert report.header_row == 13 and report.counts["new"] == 1
    assert report.notes[0].message == "Dòng tiêu đề nằm ở dòng 13; các dòng phía trên được bỏ qua."


def test_25_a_title_line_does_not_decide_the_delimiter(tmp_path, hatinh_officer, ht):
    path = tmp_path / "title.csv"
    path.write_text(f"DANH SÁCH CƠ SỞ, NĂM 2025\nTên cơ sở;Loại hình;Mã xã\nCơ sở A;Hộ kinh doanh;{ht[0]}\n",
                    encoding="utf-8")  # fmt: skip
    report = imports.dry_run(path, hatinh_officer)
    assert report.ok, report.file_errors
    assert report.header_row == 2 and report.counts["new"] == 1


def ods_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Tên cơ sở,Loại hình,Mã xã\nA,B,C\n".encode("utf-16"), "Đây là tệp văn bản mã hoá UTF-16"),
        ("Tên cơ sở\tLoại hình\n".encode("utf-16-le"), "Đây là tệp văn bản mã hoá UTF-16"),
        (ods_bytes(), "Đây là bảng tính OpenDocument (.ods"),
        (None, "Bảng tính bị hỏng hoặc không đầy đủ"),
    ],
    ids=["utf16-bom", "utf16-le", "ods", "truncated"],
)
def test_25_files_that_cannot_be_read_say_what_they_are(tmp_path, hatinh_officer, ht, content, message):
    if content is None:
        whole = write_xlsx(tmp_path / "whole.xlsx", [row(ht[0])]).read_bytes()
        content = whole[: len(whole) * 2 // 3]
    path = tmp_path / "f.bin"
    path.write_bytes(content)
    report = imports.dry_run(path, hatinh_officer)
    assert message in " ".join(report.file_errors)


# ---------------------------------------------------------------- 11: no cross-province oracle


def test_11_keys_of_records_out_of_reach_are_only_already_registered(tmp_path, nghean_officer, na):
    from tests.registry.factories import make_establishment

    make_establishment(tax_code=tax_code(40), external_id="HT-BI-MAT", name="Cơ sở bí mật Hà Tĩnh")
    rows = [row(na[0], **{"Mã số thuế": tax_code(40)}), row(na[0], **{"Tên cơ sở": "B", "Mã ngoài": "HT-BI-MAT"})]
    report = imports.dry_run(write_xlsx(tmp_path / "f.xlsx", rows), nghean_officer)
    messages = [m for e in report.errors for m in e.messages]
    assert messages == [f"Mã số thuế {tax_code(40)} đã được đăng ký.", "Mã ngoài HT-BI-MAT đã được đăng ký."]
    assert not any("phạm vi" in m or "Hà Tĩnh" in m or "bí mật" in m for m in messages)


# ---------------------------------------------------------------- 20: resuming an interrupted commit


@pytest.mark.parametrize("status", [Job.Status.FAILED, web_imports.INTERRUPTED])
def test_20_a_stopped_commit_is_resumed_once_and_nothing_is_doubled(client_for, hatinh_officer, tmp_path, ht, status):
    client = client_for(hatinh_officer)
    rows = keyless_rows(ht, 5, "Dừng")
    content = write_xlsx(tmp_path / "f.xlsx", rows).read_bytes()
    client.post(reverse("registry_import:upload"), {"file": SimpleUploadedFile("f.xlsx", content)})
    dry = Job.objects.get(kind=web_imports.DRY_RUN)
    execute(str(dry.pk))
    client.post(reverse("registry_import:commit", args=[dry.pk]))
    commit = Job.objects.get(kind=web_imports.COMMIT)
    # the worker wrote rows 2-3 (one batch, checkpointed) and then died
    with tabular.replaced_importer(imports.NAME, imports.EstablishmentImport):
        imports.commit(write_xlsx(tmp_path / "part.xlsx", rows[:2]), hatinh_officer)
    Job.objects.filter(pk=commit.pk).update(status=status, result={"mode": "commit", "committed_through_row": 3})
    page = client.get(reverse("registry_import:status", args=[commit.pk])).content.decode()
    assert 'id="import-resume"' in page and "Tiếp tục từ sau dòng 3" in page
    for _click in range(3):
        client.post(reverse("registry_import:commit", args=[commit.pk]))
    resumed = Job.objects.get(kind=web_imports.COMMIT, params__resumes=str(commit.pk))
    assert resumed.params["start_after_row"] == 3
    execute(str(resumed.pk))
    resumed.refresh_from_db()
    assert resumed.status == Job.Status.SUCCEEDED and resumed.result["counts"]["new"] == 3
    assert Establishment.objects.count() == 5
    assert 'id="import-resume"' not in client.get(reverse("registry_import:status", args=[commit.pk])).content.decode()
