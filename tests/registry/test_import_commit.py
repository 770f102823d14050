"""What the import writes: dry run vs commit, upserts, legacy communes, the error workbook, CSV
variants, the change log, duplicates, resuming, the template."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from python_calamine import CalamineWorkbook

from khuyencong import tabular
from khuyencong.audit.models import ObjectChange
from khuyencong.registry import imports
from khuyencong.registry.models import DuplicateCandidate, Establishment, IndustryLine
from khuyencong.territory.models import Commune
from tests.registry.factories import make_establishment, make_village
from tests.registry.fixtures.builders import FIXTURES, row, tax_code, write_csv, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def legacy_only(territory):
    """A Hà Tĩnh commune code that names only a unit before 1/7/2025."""
    current = Commune.objects.current().values_list("code", flat=True)
    return (
        Commune.objects.legacy()
        .filter(province__code="42")
        .exclude(code__in=current)
        .select_related("successor")
        .order_by("code")
        .first()
    )


def sheet_rows(content: bytes) -> list[list]:
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
        return workbook.get_sheet_by_index(0).to_python()


def three_rows(ht):
    return [
        row(ht[0], **{"Mã số thuế": tax_code(1), "Tổng lao động": 10, "Lao động nữ": "4", "Chủ cơ sở": "Trần Thị Mai"}),
        row(ht[1], **{"Tên cơ sở": "Cơ sở nón lá", "Mã ngoài": "HT-2", "Doanh thu năm (đồng)": "2.080.000.000 đ"}),
        row(ht[2], **{"Tên cơ sở": "Cơ sở rèn", "Loại hình": "hop tac xa"}),
    ]


def test_dry_run_writes_nothing(tmp_path, hatinh_officer, ht):
    changes = ObjectChange.objects.count()
    report = imports.dry_run(write_xlsx(tmp_path / "f.xlsx", three_rows(ht)), hatinh_officer)
    assert report.ok and report.mode == "dry_run"
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Establishment.objects.count() == 0
    assert ObjectChange.objects.count() == changes
    assert DuplicateCandidate.objects.count() == 0


def test_commit_creates_then_the_same_file_is_unchanged_then_a_change_updates(tmp_path, hatinh_officer, ht):
    rows = three_rows(ht)
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    report = imports.commit(path, hatinh_officer)
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert report.committed_through_row == 4
    first = Establishment.objects.get(tax_code=tax_code(1))
    assert (first.workers_total, first.workers_women, first.owner_name) == (10, 4, "Trần Thị Mai")
    assert first.province.code == "42" and first.commune.code == ht[0] and first.created_by == hatinh_officer
    assert "tran thi mai" in first.search_text
    assert Establishment.objects.get(external_id="HT-2").annual_revenue == 2_080_000_000
    assert Establishment.objects.get(name="Cơ sở rèn").legal_form == "cooperative"

    # the change log has every create, attributed to the importer
    content_type = ContentType.objects.get_for_model(Establishment)
    creates = ObjectChange.objects.filter(content_type=content_type, action="create")
    assert creates.count() == 3 and set(creates.values_list("user_name", flat=True)) == {"hatinh"}

    again = imports.commit(path, hatinh_officer)
    # the row without tax code or external id is matched by its name in its commune
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert Establishment.objects.count() == 3 and not DuplicateCandidate.objects.exists()

    rows[0]["Tổng lao động"] = 12
    rows[1]["Tên cơ sở"] = "Cơ sở nón lá Hương Khê"
    del rows[2]
    changed = imports.commit(write_xlsx(tmp_path / "g.xlsx", rows), hatinh_officer)
    assert changed.counts == {"new": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    first.refresh_from_db()
    assert first.workers_total == 12 and first.owner_name == "Trần Thị Mai"
    second = Establishment.objects.get(external_id="HT-2")
    assert second.name == "Cơ sở nón lá Hương Khê" and "huong khe" in second.search_text
    # (the kernel's bulk_update currently logs each row twice: through update() too)
    updates = ObjectChange.objects.filter(content_type=content_type, action="update", object_id=str(first.pk))
    assert updates.exists()
    for update in updates:
        assert update.prechange_data["workers_total"] == 10 and update.postchange_data["workers_total"] == 12
        assert update.user_name == "hatinh"


def test_blank_cells_keep_stored_values_and_external_id_fills_the_tax_code(tmp_path, hatinh_officer, ht):
    existing = make_establishment(external_id="HT-7", owner_name="Lê Văn Tám", workers_total=9)
    rows = [row(existing.commune.code, **{"Tên cơ sở": existing.name, "Mã ngoài": "HT-7", "Mã số thuế": tax_code(3)})]
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts["updated"] == 1
    existing.refresh_from_db()
    assert existing.tax_code == tax_code(3)
    assert (existing.owner_name, existing.workers_total) == ("Lê Văn Tám", 9)


def test_legacy_commune_is_mapped_to_its_successor_with_a_note(tmp_path, hatinh_officer, legacy_only):
    path = write_xlsx(tmp_path / "f.xlsx", [row(legacy_only.code, **{"Mã số thuế": tax_code(4)})])
    dry = imports.dry_run(path, hatinh_officer)
    assert dry.counts["new"] == 1
    successor = legacy_only.successor
    assert dry.notes[0].row == 2
    assert dry.notes[0].message == (
        f"Mã xã {legacy_only.code} là {legacy_only.name}, đơn vị hành chính trước 1/7/2025; cơ sở được ghi vào "
        f"đơn vị kế thừa {successor.code} {successor.name} và giữ xã cũ làm thông tin lịch sử."
    )
    imports.commit(path, hatinh_officer)
    establishment = Establishment.objects.get(tax_code=tax_code(4))
    assert establishment.commune == successor and establishment.legacy_commune == legacy_only
    assert establishment.province == successor.province


def test_a_reused_code_means_the_current_unit(tmp_path, hatinh_officer, territory):
    current_codes = Commune.objects.current().filter(province__code="42").values("code")
    legacy = Commune.objects.legacy().filter(province__code="42", code__in=current_codes).order_by("code").first()
    current = Commune.objects.get(code=legacy.code, valid_to__isnull=True)
    imports.commit(write_xlsx(tmp_path / "f.xlsx", [row(legacy.code)]), hatinh_officer)
    establishment = Establishment.objects.get()
    assert establishment.commune == current and establishment.legacy_commune is None


def test_nfd_text_numbers_and_dates_from_the_sample(hatinh_officer, territory):
    """The shipped sample: a title above the header (row 3), NFD text, STT column, Vietnamese
    numbers, a date for the founding year, a number cell for a commune code, a legacy commune."""
    assert {"18073", "18100"} <= set(Commune.objects.current().values_list("code", flat=True))
    assert Commune.objects.legacy().filter(code="18077").exists()
    report = imports.commit(FIXTURES / "mau-hop-le.xlsx", hatinh_officer)
    assert report.header_row == 3
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}, report.to_dict()
    first = Establishment.objects.get(tax_code="4200000011")
    assert (first.annual_revenue, first.founding_year, first.workers_women) == (2_080_000_000, 2020, 8)
    hat = Establishment.objects.get(commune__code="18100")
    assert hat.name == "Cơ sở nón lá Hương Khê" and unicodedata.is_normalized("NFC", hat.name)
    assert hat.legal_form == "cooperative" and hat.annual_revenue == 950_000_000 and hat.workers_total == 25
    assert "non la huong khe" in hat.search_text
    smith = Establishment.objects.get(name="Cơ sở rèn Trung Lương")
    assert smith.owner_name == "Lê Văn Hùng" and smith.legacy_commune.code == "18077"
    assert [n.row for n in report.notes] == [6]
    assert Establishment.objects.filter(search_text__contains="may tre dan").count() == 1


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (",", True), (";", False), (";", True)])
def test_csv_with_and_without_bom_comma_or_semicolon(tmp_path, hatinh_officer, ht, delimiter, bom):
    rows = three_rows(ht)
    rows[0]["Doanh thu năm (đồng)"] = "1.234.000.000 đ"
    rows[1]["Tên cơ sở"] = unicodedata.normalize("NFD", "Cơ sở nón lá, mũ")
    path = write_csv(tmp_path / "f.csv", rows, delimiter=delimiter, bom=bom)
    report = imports.commit(path, hatinh_officer)
    assert report.file_kind == "csv"
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}, report.to_dict()
    assert Establishment.objects.get(tax_code=tax_code(1)).annual_revenue == 1_234_000_000
    assert Establishment.objects.filter(name="Cơ sở nón lá, mũ").exists()
    assert imports.commit(path, hatinh_officer).counts["unchanged"] == 3  # the keyless row by name and commune


def test_error_workbook_has_the_rejected_rows_only(tmp_path, hatinh_officer, ht):
    rows = [
        {"STT": 1, **row(ht[0], **{"Mã số thuế": tax_code(5)})},
        {"STT": 2, **row("99999", **{"Tên cơ sở": "Sai mã xã", "Tổng lao động": 7})},
        {"STT": 3, **row(ht[0], **{"Tên cơ sở": "Sai lao động", "Tổng lao động": 2, "Lao động nữ": 3})},
    ]
    headers = ["STT", "Tên cơ sở", "Loại hình", "Mã số thuế", "Mã xã", "Tổng lao động", "Lao động nữ"]
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows, headers), hatinh_officer)
    assert report.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    table = sheet_rows(report.error_workbook)
    assert table[0] == ["Dòng", *headers, "Lỗi"]
    assert len(table) == 3
    assert table[1][:3] == [3.0, 2.0, "Sai mã xã"] and table[1][5] == "99999"
    assert table[1][-1] == "Không có xã/phường/đặc khu nào mang mã 99999."
    assert table[2][0] == 4.0 and table[2][-1] == "Lao động nữ (3) không được lớn hơn Tổng lao động (2)."

    # fixed and imported again: "Dòng" and "Lỗi" are ignored columns
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(report.error_workbook)
    again = imports.dry_run(fixed, hatinh_officer)
    assert again.ok and again.counts["rejected"] == 2


def test_industry_lines_and_craft_villages(tmp_path, hatinh_officer, ht):
    weaving = IndustryLine.objects.create(code="1623", name="Sản xuất đồ mây tre đan")
    food = IndustryLine.objects.get(catalogue="VSIC-2018", code="1079")  # seeded by migration 0005
    village = make_village(name="Làng mây tre đan Thạch Hà")
    rows = [
        row(village.commune.code, **{"Mã số thuế": tax_code(6), "Ngành nghề": "1623; 1079",
                                     "Làng nghề": "lang may tre dan thach ha"}),
        row(ht[0], **{"Tên cơ sở": "B", "Mã ngoài": "B", "Ngành nghề": "9999", "Làng nghề": "Không có"}),
        row(ht[0], **{"Tên cơ sở": "C", "Mã ngoài": "C", "Làng nghề": "Làng không có"}),
    ]  # fmt: skip
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report.errors[0].messages == ["Không có mã ngành nghề: 9999."]
    assert report.notes[0].message == "Làng nghề “Làng không có” chưa có trong danh mục làng nghề của xã; để trống."
    first = Establishment.objects.get(tax_code=tax_code(6))
    assert set(first.industry_lines.all()) == {weaving, food} and first.craft_village == village

    rows[0]["Ngành nghề"] = "1623"
    again = imports.commit(write_xlsx(tmp_path / "g.xlsx", rows[:1]), hatinh_officer)
    assert again.counts["updated"] == 1
    assert set(first.industry_lines.all()) == {weaving}


def test_title_rows_above_the_header_keep_excel_row_numbers(tmp_path, hatinh_officer, ht):
    path = write_xlsx(tmp_path / "f.xlsx", [row(ht[0]), row("99999")], title="DANH SÁCH CƠ SỞ")
    report = imports.dry_run(path, hatinh_officer)
    assert report.header_row == 3 and report.errors[0].row == 5


def test_progress_is_reported_per_batch(tmp_path, hatinh_officer, ht):
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở {i}", "Mã ngoài": f"X{i}"}) for i in range(5)]
    calls = []
    report = imports.commit(
        write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer, lambda p, m: calls.append((p, m)), batch_size=2
    )
    assert report.counts["new"] == 5
    assert [p for p, _m in calls] == [40, 80, 99]
    assert calls[0][1] == "Đã ghi 2/5 dòng"


class FailingSecondBatch(imports.EstablishmentImport):
    """Writes its second batch, then fails inside the batch's transaction (a lost connection)."""

    def __init__(self):
        self.batches = 0

    def save(self, creates, updates):
        self.batches += 1
        super().save(creates, updates)
        if self.batches == 2:
            raise RuntimeError("mất kết nối")


def test_a_failed_batch_rolls_back_and_the_import_resumes_after_the_last_committed_row(tmp_path, hatinh_officer, ht):
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở không mã {i}"}) for i in range(5)]  # no keys: resuming must skip
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    checkpoints = []
    with pytest.raises(tabular.ImportInterrupted) as stopped:
        tabular.commit(path, hatinh_officer, FailingSecondBatch(), batch_size=2,
                       on_batch=lambda r: checkpoints.append(r.to_dict()))  # fmt: skip
    assert Establishment.objects.count() == 2  # the second batch was rolled back
    assert checkpoints[-1]["committed_through_row"] == 3
    report = stopped.value.report
    assert report.interrupted and report.committed_through_row == 3
    assert report.file_errors == [
        "Ghi các dòng 4–5 không thành công nên các dòng này chưa được ghi. Các dòng đến dòng 3 đã được ghi; "
        "hãy tiếp tục từ sau dòng 3."
    ]
    report = imports.commit(path, hatinh_officer, batch_size=2, start_after_row=3)
    assert report.counts["new"] == 3 and report.committed_through_row == 6
    assert Establishment.objects.count() == 5
    assert sorted(Establishment.objects.values_list("name", flat=True)) == [f"Cơ sở không mã {i}" for i in range(5)]


def test_template_has_headers_an_example_row_and_the_allowed_values(hatinh_officer, ht):
    content = imports.template_workbook(Commune.objects.get(code=ht[0], valid_to__isnull=True))
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
        assert workbook.sheet_names == ["Cơ sở CNNT", "Giá trị hợp lệ", "Hướng dẫn"]
        data = workbook.get_sheet_by_index(0).to_python()
        values = workbook.get_sheet_by_name("Giá trị hợp lệ").to_python()
    assert data[0] == [c.header for c in imports.COLUMNS]
    assert len(data) == 2
    columns = list(zip(*values, strict=True))
    assert columns[0][:3] == ("Loại hình", "Doanh nghiệp nhỏ và vừa", "Hợp tác xã") and "Hộ kinh doanh" in columns[0]
    assert "Đang hoạt động" in columns[1] and "Nữ" in columns[2] and columns[3][:3] == ("Có / Không", "Có", "Không")
    # the example row is importable as it is
    path = io.BytesIO(content)
    report = imports.dry_run(path, hatinh_officer)
    assert report.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0}, report.to_dict()


def test_messages_follow_the_active_language(tmp_path, hatinh_officer):
    path = write_xlsx(tmp_path / "f.xlsx", [row("99999")])
    with translation.override("en"):
        report = imports.dry_run(path, hatinh_officer)
    assert report.errors[0].messages == ["Unknown commune code 99999."]


def test_agency_officer_imports_anywhere(tmp_path, agency_officer, ht, territory):
    na = Commune.objects.current().filter(province__code="40").order_by("code").first()
    rows = [row(ht[0]), row(na.code, **{"Tên cơ sở": "Cơ sở Nghệ An"})]
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), agency_officer)
    assert report.counts["new"] == 2
    assert set(Establishment.objects.values_list("province__code", flat=True)) == {"40", "42"}


def test_an_update_can_move_the_establishment_to_another_commune(tmp_path, hatinh_officer, ht, legacy_only):
    existing = make_establishment(tax_code=tax_code(12), legacy_commune=legacy_only, commune=legacy_only.successor)
    path = write_xlsx(
        tmp_path / "f.xlsx", [row(ht[5], **{"Tên cơ sở": existing.name, "Mã số thuế": existing.tax_code})]
    )
    report = imports.commit(path, hatinh_officer)
    assert report.counts["updated"] == 1
    existing.refresh_from_db()
    assert existing.commune.code == ht[5] and existing.legacy_commune is None  # the old unit led elsewhere
    assert existing.province.code == "42"
    assert existing.build_search_text() == existing.search_text  # place names follow the commune


def test_a_craft_village_of_another_commune_is_not_linked(tmp_path, hatinh_officer, ht):
    """The registry's rule (validation.establishment_errors): a village of the establishment's own
    commune only, whatever the province holds."""
    village = make_village(name="Làng nón lá Thạch Kim")
    other = next(code for code in ht if code != village.commune.code)
    rows = [row(other, **{"Mã số thuế": tax_code(31), "Làng nghề": "Làng nón lá Thạch Kim"})]
    report = imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer)
    assert report.counts["new"] == 1
    assert "chưa có trong danh mục làng nghề của xã" in report.notes[0].message
    assert Establishment.objects.get().craft_village is None
