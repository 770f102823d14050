"""Every bad input the import refuses: a clear Vietnamese message, and nothing written.

File-level problems stop the whole file; row-level problems reject the row (the other rows of
the file are still imported). Each test commits (not only dry-runs) to prove nothing is written.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from khuyencong import tabular
from khuyencong.audit.models import ObjectChange
from khuyencong.registry import imports
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune
from tests.registry.factories import make_establishment
from tests.registry.fixtures.builders import FIXTURES, bad_check_digit, row, tax_code, write_csv, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def written() -> tuple[int, int]:
    return Establishment.objects.count(), ObjectChange.objects.count()


def commit(path, user, **kwargs):
    before = written()
    report = imports.commit(path, user, **kwargs)
    return report, before


def only_error(report) -> str:
    assert report.counts["rejected"] == 1, report.to_dict()
    assert report.counts["new"] == report.counts["updated"] == 0
    return " ".join(report.errors[0].messages)


# ------------------------------------------------------------------- row-level rejections


def test_wrong_tax_code_check_digit(tmp_path, hatinh_officer, ht):
    bad = bad_check_digit(tax_code(7))
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Mã số thuế": bad})])
    report, before = commit(path, hatinh_officer)
    assert f"Mã số thuế: “{bad}” không phải mã số thuế hợp lệ: sai chữ số kiểm tra." in only_error(report)
    assert report.errors[0].row == 2  # the header is row 1, as in Excel
    assert written() == before


def test_same_tax_code_twice_in_the_file(tmp_path, hatinh_officer, ht):
    code = tax_code(8)
    rows = [row(ht[0], **{"Mã số thuế": code}), row(ht[1], **{"Tên cơ sở": "Khác", "Mã số thuế": code})]
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report.errors[0].row == 3
    assert report.errors[0].messages == [f"Mã số thuế {code} trùng với dòng 2."]
    assert Establishment.objects.filter(tax_code=code).count() == 1
    assert written()[0] == before[0] + 1


def test_same_external_id_twice_in_the_file(tmp_path, hatinh_officer, ht):
    rows = [row(ht[0], **{"Mã ngoài": "HT-1"}), row(ht[0], **{"Tên cơ sở": "Khác", "Mã ngoài": "HT-1"})]
    report, _before = commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.errors[0].messages == ["Mã ngoài HT-1 trùng với dòng 2."]
    assert Establishment.objects.filter(external_id="HT-1").count() == 1


def test_unknown_commune(tmp_path, hatinh_officer):
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", [row("99999")]), hatinh_officer)
    assert only_error(report) == "Không có xã/phường/đặc khu nào mang mã 99999."
    assert written() == before


def test_commune_code_that_is_not_a_code(tmp_path, hatinh_officer):
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", [row("Thạch Hà")]), hatinh_officer)
    assert "Mã xã: “Thạch Hà” không phải mã xã (5 chữ số)." in only_error(report)
    assert written() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "Tổng lao động không được là số âm (“-3”)."),
        (-3, "Tổng lao động không được là số âm (“-3”)."),
        ("mười", "Tổng lao động: “mười” không phải số nguyên."),
        ("2,5", "Tổng lao động: “2,5” không phải số nguyên."),
    ],
)
def test_negative_or_non_numeric_worker_counts(tmp_path, hatinh_officer, ht, value, message):
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Tổng lao động": value})])
    report, before = commit(path, hatinh_officer)
    assert only_error(report) == message
    assert written() == before


def test_more_women_than_workers(tmp_path, hatinh_officer, ht):
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Tổng lao động": 10, "Lao động nữ": 12})])
    report, before = commit(path, hatinh_officer)
    assert only_error(report) == "Lao động nữ (12) không được lớn hơn Tổng lao động (10)."
    assert written() == before


def test_more_women_than_the_stored_total(tmp_path, hatinh_officer, ht):
    """A file that only sets the women count is checked against the total already stored."""
    code = tax_code(9)
    make_establishment(tax_code=code, workers_total=5)
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Mã số thuế": code, "Lao động nữ": 6})])
    report, before = commit(path, hatinh_officer)
    assert only_error(report) == "Lao động nữ (6) không được lớn hơn Tổng lao động (5)."
    assert written() == before


def test_province_outside_the_users_scope(tmp_path, nghean_officer, ht):
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", [row(ht[0])]), nghean_officer)
    commune = Commune.objects.get(code=ht[0], valid_to__isnull=True)
    assert only_error(report) == f"{commune.name} (mã {ht[0]}, Tỉnh Hà Tĩnh) nằm ngoài phạm vi phụ trách của bạn."
    assert written() == before


def test_tax_code_of_an_establishment_outside_the_users_scope(tmp_path, nghean_officer, ht, na):
    """Nghệ An's officer cannot take over Hà Tĩnh's record by putting its tax code on a Nghệ An row."""
    code = tax_code(10)
    existing = make_establishment(tax_code=code, name="Cơ sở của Hà Tĩnh")
    path = write_xlsx(tmp_path / "f.xlsx", [row(na[0], **{"Mã số thuế": code, "Tên cơ sở": "Đổi tên"})])
    report, before = commit(path, nghean_officer)
    assert only_error(report) == f"Mã số thuế {code} đã được đăng ký."  # nothing about where (audit F12)
    assert written() == before
    existing.refresh_from_db()
    assert existing.name == "Cơ sở của Hà Tĩnh"


def test_external_id_of_another_establishment_than_the_tax_code(tmp_path, hatinh_officer, ht):
    first = make_establishment(tax_code=tax_code(11))
    make_establishment(external_id="HT-9")
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Mã số thuế": first.tax_code, "Mã ngoài": "HT-9"})])
    report, before = commit(path, hatinh_officer)
    assert "Mã ngoài HT-9 thuộc một cơ sở khác" in only_error(report)
    assert written() == before


def test_formula_errors_and_formulas_without_values(hatinh_officer, territory):
    """calamine reads a #REF! cell (and a formula saved without its value) as empty: the import
    finds them in the sheet XML and rejects the row instead of taking an empty value."""
    assert Commune.objects.filter(code="18073", valid_to__isnull=True).exists()
    report, before = commit(FIXTURES / "cong-thuc.xlsx", hatinh_officer)
    errors = {e.row: " ".join(e.messages) for e in report.errors}
    assert errors[2] == "Tên cơ sở: không đọc được ô A2 (công thức bị lỗi #REF!)."
    assert errors[3] == "Tổng lao động: không đọc được ô D3 (công thức bị lỗi #DIV/0!)."
    assert report.counts["new"] == 1  # row 4: =2+3 with its computed value 5
    assert Establishment.objects.get(name="Cơ sở C").workers_total == 5
    assert written()[0] == before[0] + 1

    report, before = commit(FIXTURES / "cong-thuc-chua-tinh.xlsx", hatinh_officer)
    assert "ô D2 chứa công thức chưa có giá trị tính sẵn" in only_error(report)
    assert written() == before


def test_excel_error_texts_in_a_csv(tmp_path, hatinh_officer, ht):
    path = write_csv(tmp_path / "f.csv", [row(ht[0], **{"Tổng lao động": "#VALUE!"})])
    report, before = commit(path, hatinh_officer)
    assert "công thức bị lỗi #VALUE!" in only_error(report)
    assert written() == before


def test_merged_cells_leave_required_values_missing(hatinh_officer, territory):
    report, before = commit(FIXTURES / "o-gop.xlsx", hatinh_officer)
    assert report.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    for error in report.errors:
        assert error.messages[0].startswith(f"Mã xã là bắt buộc; ô C{error.row} nằm trong vùng ô gộp")
    assert [e.row for e in report.errors] == [3, 4]
    assert written()[0] == before[0] + 1


def test_missing_required_value(tmp_path, hatinh_officer, ht):
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **{"Loại hình": ""})])
    report, before = commit(path, hatinh_officer)
    assert only_error(report) == "Loại hình là bắt buộc."
    assert written() == before


def test_every_problem_of_a_row_is_listed(tmp_path, hatinh_officer, ht):
    values = {"Loại hình": "Công ty lớn", "Tổng lao động": "-1", "Email": "khong-phai-email", "Vĩ độ": 50}
    report, _before = commit(write_xlsx(tmp_path / "f.xlsx", [row(ht[0], **values)]), hatinh_officer)
    assert len(report.errors[0].messages) == 4


# ------------------------------------------------------------------- file-level refusals


def file_error(report) -> str:
    assert not report.ok
    assert report.counts == {"new": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    return " ".join(report.file_errors)


def test_missing_required_columns_are_listed(tmp_path, hatinh_officer, ht):
    path = write_xlsx(tmp_path / "f.xlsx", [{"Tên cơ sở": "A", "Số điện thoại": "0912345678"}])
    report, before = commit(path, hatinh_officer)
    assert "Thiếu các cột bắt buộc: “Loại hình”, “Mã xã”." in file_error(report)
    assert written() == before


def test_renamed_header_is_refused_and_named(tmp_path, hatinh_officer, ht):
    rows = [{"Tên cơ sở sản xuất": "A", "Loại hình": "Hộ kinh doanh", "Mã xã": ht[0], "MST ": tax_code(1)}]
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    message = file_error(report)
    assert "Thiếu các cột bắt buộc: “Tên cơ sở”." in message
    assert "Không nhận ra các cột: “Tên cơ sở sản xuất”." in message
    assert written() == before


def test_duplicate_column(tmp_path, hatinh_officer, ht):
    path = tmp_path / "f.csv"
    path.write_text(f"Tên cơ sở,Loại hình,Mã xã,TÊN CƠ SỞ\nA,Hộ kinh doanh,{ht[0]},B\n", encoding="utf-8")
    report, _before = commit(path, hatinh_officer)
    assert "Cột “Tên cơ sở” xuất hiện nhiều lần." in file_error(report)


def test_file_too_large(tmp_path, hatinh_officer, ht):
    path = write_csv(tmp_path / "f.csv", [row(ht[0])] * 50)
    limits = tabular.Limits(max_file_bytes=1024)
    report, before = commit(path, hatinh_officer, limits=limits)
    assert file_error(report).startswith("Tệp có dung lượng 0.0 MB; chỉ nhập được tệp tối đa")
    assert written() == before


def test_file_too_large_default_limit(tmp_path, hatinh_officer):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    report, before = commit(path, hatinh_officer)
    assert file_error(report) == "Tệp có dung lượng 21.0 MB; chỉ nhập được tệp tối đa 20 MB. Hãy chia nhỏ tệp."
    assert written() == before


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_too_many_rows(tmp_path, hatinh_officer, ht, kind):
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở {i}"}) for i in range(6)]
    path = write_xlsx(tmp_path / "f.xlsx", rows) if kind == "xlsx" else write_csv(tmp_path / "f.csv", rows)
    report, before = commit(path, hatinh_officer, limits=tabular.Limits(max_rows=5))
    assert file_error(report) == "Tệp có 6 dòng; mỗi lần chỉ nhập được tối đa 5 dòng. Hãy chia nhỏ tệp."
    assert written() == before


WORKBOOK_XML = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)


def zip_bomb(path, member_size: int):
    """A zip with the members of a workbook, one of which unpacks to ``member_size`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", WORKBOOK_XML)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(block)):
                member.write(block)
    return path


def test_zip_bomb_is_refused_before_opening(tmp_path, hatinh_officer):
    path = zip_bomb(tmp_path / "bomb.xlsx", 201 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024  # 201 MB of zeros compress to ~200 KB
    report, before = commit(path, hatinh_officer)
    assert file_error(report).startswith("Bảng tính khi giải nén vượt quá 200 MB nên bị từ chối")
    assert written() == before


def test_zip_member_lying_about_its_size_is_refused(tmp_path, hatinh_officer):
    """The declared sizes pass the check, but unpacking gives more: zipfile's CRC/size check stops it."""
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", WORKBOOK_XML)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", b"<x>" + b"a" * 100_000 + b"</x>")  # the last member
    data = bytearray(source.getvalue())
    # Patch the declared uncompressed size (local header and central directory) down to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.rfind(signature)
        data[start + offset : start + offset + 4] = (10).to_bytes(4, "little")
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    report, before = commit(path, hatinh_officer)
    assert "Bảng tính bị hỏng hoặc không đầy đủ, không đọc được" in file_error(report)
    assert written() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pdf.xlsx", (FIXTURES / "khong-phai-bang-tinh.xlsx").read_bytes(), "không phải bảng tính Excel"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "không phải bảng tính Excel"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Không đọc được tệp Excel cũ (.xls)"),
        ("empty.xlsx", b"", "Tệp trống."),
    ],
)
def test_not_a_workbook_or_csv(tmp_path, hatinh_officer, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    report, before = commit(path, hatinh_officer)
    assert message in file_error(report)
    assert written() == before


def test_a_zip_that_is_not_a_workbook(tmp_path, hatinh_officer):
    path = tmp_path / "document.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    report, _before = commit(path, hatinh_officer)
    assert "không phải bảng tính Excel" in file_error(report)


def test_csv_that_is_not_utf8(tmp_path, hatinh_officer, ht):
    path = tmp_path / "ansi.csv"
    path.write_bytes(f"Tên cơ sở,Loại hình,Mã xã\nCơ sở A,Hộ kinh doanh,{ht[0]}\n".encode("cp1258", errors="replace"))
    report, before = commit(path, hatinh_officer)
    assert "Tệp CSV phải được mã hoá UTF-8" in file_error(report)
    assert written() == before


def test_user_who_may_not_add_establishments(tmp_path, implementer, ht):
    report, before = commit(write_xlsx(tmp_path / "f.xlsx", [row(ht[0])]), implementer)
    assert file_error(report) == "Bạn không có quyền thêm cơ sở CNNT."
    assert written() == before


def test_a_csv_record_the_reader_cannot_hold_stops_the_file_before_anything_is_written(tmp_path, hatinh_officer, ht):
    """CSV is parsed once completely before the first row is used, so a record past the first
    batch that cannot be read stops the file with nothing written."""
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở {i}", "Mã ngoài": f"X{i}"}) for i in range(3)]
    rows.append(row(ht[0], **{"Tên cơ sở": "x" * 200_000}))  # beyond the csv module's field limit
    report, before = commit(write_csv(tmp_path / "f.csv", rows), hatinh_officer, batch_size=2)
    assert file_error(report).startswith("Không đọc được tệp CSV")
    assert written() == before
