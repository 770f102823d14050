"""An officer of Hà Tĩnh imports a province file with errors, fixes the rejected rows from the error
report, re-imports them, finds establishments without typing accents, merges a duplicate and exports
the list — in Chromium, against a real server with its job worker."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from stdnum.vn import mst

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[2] / "khuyencong" / "territory" / "data" / "communes.csv.gz"
HEADERS = ["STT", "Tên cơ sở", "Loại hình", "Mã số thuế", "Mã xã", "Chủ cơ sở", "Sản phẩm chính", "Tổng lao động",
           "Lao động nữ", "Doanh thu năm (đồng)"]  # fmt: skip


def tax_code(seed: int) -> str:
    body = f"42{seed:07d}"
    return body + mst.calc_check_digit(body)


def ha_tinh_communes() -> list[str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["province"] == "42" and not r["valid_to"]]
    return sorted(r["code"] for r in rows)


def province_file(path: Path) -> Path:
    communes = ha_tinh_communes()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    rows = [
        ["Hợp tác xã Mây tre đan Thạch Hà", "Hợp tác xã", tax_code(11), communes[0], "Nguyễn Thị Hoa", "Rổ, rá", 40, 30,
         "2.080.000.000"],
        ["Cơ sở Rèn Trung Lương", "Hộ kinh doanh", tax_code(12), communes[1], "Trần Văn Nam", "Dao, kéo", 12, 2,
         "850.000.000"],
        ["Cơ sở nón lá Hà Tĩnh", "Hộ kinh doanh", "", communes[2], "Lê Thị Mai", "Nón lá", "15", "14", ""],
        # the same workshop typed again with a suffix: a keyless row with an identical (folded) name
        # and commune would be the same record (re-import); a similar one goes to the review queue
        ["Cơ sở nón lá Hà Tĩnh 2", "Hộ kinh doanh", "", communes[2], "Lê Thị Mai", "Nón lá", "16", "14", ""],
        ["Cơ sở mộc Đức Thọ", "Hộ kinh doanh", "4200000019", communes[3], "Phan Văn Đức", "Bàn ghế", 8, 1, ""],
        ["Cơ sở chế biến hải sản Cẩm Xuyên", "Doanh nghiệp nhỏ và vừa", tax_code(14), "99999", "Võ Thị Lệ",
         "Nước mắm", 20, 12, "1.500.000.000"],
    ]  # fmt: skip
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    book.save(path)
    return path


def ha_tinh_records(page, live_url) -> int:
    page.goto(f"{live_url}/establishments/?q=ha tinh")
    count = page.locator("#result-count")
    if not count.count():
        return 0  # the empty state has no count line
    return int(count.inner_text().rsplit(" ", 1)[-1].replace(".", ""))


def check_file(page, live_url, path: Path):
    page.goto(f"{live_url}/establishments/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-check")
    expect(page.locator("#import-counts")).to_be_visible(timeout=60000)


def commit(page):
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#import-commit")
    expect(page.get_by_role("link", name="Mở danh sách")).to_be_visible(timeout=60000)


def test_officer_imports_fixes_searches_merges_and_exports(page, live_url, tmp_path):
    log_in(page, live_url, "hatinh.chuyenvien")
    before = ha_tinh_records(page, live_url)  # other journeys share the server and may have added some

    # 1. A province file with two bad rows: a wrong check digit and an unknown commune.
    check_file(page, live_url, province_file(tmp_path / "co-so-ha-tinh.xlsx"))
    expect(page.locator("#count-new")).to_have_text("4")
    expect(page.locator("#count-rejected")).to_have_text("2")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("4200000019")
    expect(errors).to_contain_text("99999")

    # 2. The error report lists exactly the rejected rows with their row numbers and reasons.
    with page.expect_download() as download_info:
        page.click("#import-error-workbook")
    report = tmp_path / "loi.xlsx"
    download_info.value.save_as(report)
    book = openpyxl.load_workbook(report)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in r], strict=False)) for r in sheet.iter_rows(min_row=2)]
    assert sorted(r["Dòng"] for r in rows) == [6, 7]
    assert all(r["Lỗi"] for r in rows)

    # 3. Write the good rows, fix the bad ones in the report and import it again.
    commit(page)
    communes = ha_tinh_communes()
    for cells in sheet.iter_rows(min_row=2):
        by_header = dict(zip(header, cells, strict=False))
        if by_header["Tên cơ sở"].value == "Cơ sở mộc Đức Thọ":
            by_header["Mã số thuế"].value = tax_code(13)
        else:
            by_header["Mã xã"].value = communes[4]
    book.save(tmp_path / "da-sua.xlsx")
    check_file(page, live_url, tmp_path / "da-sua.xlsx")
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-rejected")).to_have_text("0")
    commit(page)

    # 4. Find establishments without typing accents.
    page.goto(f"{live_url}/establishments/")
    page.fill("#id_q", "may tre dan thach ha")
    expect(page.locator("#results")).to_contain_text("Hợp tác xã Mây tre đan Thạch Hà")
    expect(page.locator("#results")).not_to_contain_text("Rèn Trung Lương")
    page.goto(f"{live_url}/establishments/?q=che bien hai san cam xuyen")
    expect(page.locator("#results")).to_contain_text("Cơ sở chế biến hải sản Cẩm Xuyên")

    # 5. The two "nón lá" rows went to the review queue; merge them.
    page.goto(f"{live_url}/establishments/duplicates/")
    expect(page.get_by_text("Tên gần giống trong cùng xã")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Giữ hồ sơ bên trái, gộp hồ sơ bên phải vào").first.click()
    expect(page.get_by_text("Các hồ sơ đã gộp vào hồ sơ này")).to_be_visible()
    page.goto(f"{live_url}/establishments/?q=non la ha tinh")
    expect(page.locator("#result-count")).to_contain_text("1–1 trong tổng số 1")

    # 6. Export what the list shows.
    page.goto(f"{live_url}/establishments/?q=ha tinh")
    expect(page.locator("#result-count")).to_contain_text(f"trong tổng số {before + 5}")
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    exported = tmp_path / "xuat.xlsx"
    download_info.value.save_as(exported)
    names = [r[0] for r in openpyxl.load_workbook(exported).active.iter_rows(min_row=2, values_only=True)]
    assert "Hợp tác xã Mây tre đan Thạch Hà" in names
    assert "Cơ sở nón lá Hà Tĩnh" in names and names.count("Cơ sở nón lá Hà Tĩnh") == 1
