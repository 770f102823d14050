"""Plans in the browser: the agency leader finds the 2026 national plan on the home page and reads
the 2020 plan's three versions with their diffs; the Hà Tĩnh officer finds the 2020 local plan of
2.080.000.000 đ, round-trips the 2026 draft through Excel, and the provincial leader approves it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_2020_national_plan_shows_three_versions_and_their_diffs(browser, live_url):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, live_url, "cuc.lanhdao")
    waiting = page.locator("#plans-to-approve")
    expect(waiting).to_contain_text("Kế hoạch khuyến công quốc gia năm 2026")
    page.goto(f"{live_url}/plans/?level=national&year=2020")
    page.get_by_role("link", name="Kế hoạch khuyến công quốc gia năm 2020").click()
    versions = page.locator("#versions a")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("Ban đầu")
    page.get_by_role("link", name=re.compile("Điều chỉnh \\(phiên bản 2\\)")).click()
    diff = page.locator("#diff")
    expect(diff.locator(".kc-diff-changed")).to_have_count(3)
    expect(diff).to_contain_text("đánh dấu ảnh hưởng")
    expect(page.locator("#lines")).to_contain_text("Dịch bệnh: Dịch COVID-19")
    page.screenshot(path=str(SHOTS / "plan-versions-desktop.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Bổ sung \\(phiên bản 3\\)")).click()
    expect(diff.locator(".kc-diff-added")).to_contain_text("Hỗ trợ máy móc thiết bị cho cơ sở bị ảnh hưởng")
    expect(page.locator("#diff-totals")).to_contain_text("+6.000.000.000 đ")
    context.close()


def test_ha_tinh_plan_totals_round_trip_and_approval(browser, live_url, tmp_path):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/plans/?level=local&year=2020")
    page.get_by_role("link", name="Kế hoạch khuyến công địa phương năm 2020 tỉnh Hà Tĩnh").click()
    expect(page.locator("#line-total")).to_contain_text("2.080.000.000 đ")
    expect(page.locator("#lines .kc-group-row")).to_have_count(4)
    page.screenshot(path=str(SHOTS / "plan-ha-tinh-2020-phone.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(f"{live_url}/plans/local/")  # the province's latest local plan: the 2026 draft
    expect(page.locator("h1")).to_contain_text("2026")
    with page.expect_download() as download:
        page.locator("#export-lines").click()
    exported = tmp_path / "ke-hoach-2026.xlsx"
    download.value.save_as(exported)
    page.locator("#import-lines").click()
    page.set_input_files("#id_file", str(exported))
    page.locator("#import-check").click()
    expect(page.locator("#import-counts")).to_contain_text("0 dòng bị từ chối")
    page.locator("#import-commit").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("Đã nhập")
    context.close()

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, live_url, "hatinh.lanhdao")
    page.locator("#plans-to-approve a").first.click()
    page.locator("#approve").click()
    expect(page.locator("#form-confirm")).to_contain_text("Sau khi phê duyệt không thể sửa")
    page.fill("#id_decision_number", "15/QĐ-UBND")
    page.fill("#id_decision_date", "2026-01-15")
    page.fill("#id_signer", "Chủ tịch UBND tỉnh")
    page.locator("#form-submit").click()
    expect(page.locator("#versions")).to_contain_text("Quyết định 15/QĐ-UBND ngày 15/01/2026")
    expect(page.locator("#history")).to_contain_text("đã phê duyệt phiên bản")
    context.close()
