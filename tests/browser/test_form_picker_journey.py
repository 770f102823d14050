"""An officer adds an establishment by typing its commune's name without accents, picks a commune
from before 1/7/2025 and is told where the record goes, types the revenue as "2,08 tỷ" — in
Chromium, under the real Content-Security-Policy (no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


def test_officer_picks_a_commune_by_name_and_types_the_revenue_in_words(page, live_url):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/establishments/new/")
    page.fill("#id_name", "Cơ sở đan lát Thạch Hạ")
    page.select_option("#id_legal_form", "household")

    page.fill("#id_commune", "thanh vinh")  # Nghệ An: not this officer's
    expect(page.locator("#id_commune-list")).to_contain_text("Không có xã/phường nào bạn quản lý")
    page.fill("#id_commune", "phuong thach ha")
    option = page.locator("#id_commune-list [data-code]").first
    expect(option).to_contain_text("Phường Thạch Hạ → Phường Trần Phú, Tỉnh Hà Tĩnh")
    option.click()
    expect(page.locator("#id_commune")).to_have_value("Phường Trần Phú, Tỉnh Hà Tĩnh")
    expect(page.locator("#id_commune-list ~ [data-picker-note]")).to_contain_text("nay thuộc Phường Trần Phú")
    expect(page.locator("#id_commune-list [data-code]")).to_have_count(0)  # the list closed

    page.fill("#id_annual_revenue", "2,08 tỷ")
    page.locator("form.card button[type=submit]").click()
    expect(page.get_by_text("Đã lưu")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Phường Trần Phú")
    expect(page.locator("body")).to_contain_text("2.080.000.000")

    page.click("text=Chỉnh sửa")
    expect(page.locator("#id_annual_revenue")).to_have_value("2.080.000.000")
    expect(page.locator("#id_commune")).to_have_value("Phường Trần Phú, Tỉnh Hà Tĩnh")
    assert errors == []
