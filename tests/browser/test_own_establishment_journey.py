"""The establishment account (demo coso.maytre) finds its own record under “Cơ sở của tôi”, updates
its phone and workers, and sees the change in the record's history — and the registry stays closed
to it. In Chromium, under the real Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


def test_establishment_account_keeps_its_own_record_up_to_date(page, live_url):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_url, "coso.maytre")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    nav = page.locator("#main-nav")
    expect(nav).to_contain_text("Cơ sở của tôi")
    expect(nav).not_to_contain_text("Cơ sở CNNT")
    expect(page.locator("#own-records")).to_contain_text("Cơ sở mây tre đan Thạch Hà")
    page.click("#action-own")
    expect(page.locator("h1")).to_have_text("Cơ sở của tôi")
    expect(page.locator("body")).to_contain_text("Xã Thạch Hà")

    page.click("#own-edit")
    expect(page.locator("#id_name")).to_have_count(0)  # only contacts, products and workers
    page.fill("#id_phone", "0239 3856 123")
    page.fill("#id_workers_total", "30")
    page.fill("#id_workers_women", "40")  # more women than workers: refused, said at the field
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#form-errors")).to_contain_text("Lao động nữ")
    page.fill("#id_workers_women", "21")
    page.locator("form.card button[type=submit]").click()
    expect(page.get_by_text("Đã lưu")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("0239 3856 123")
    history = page.locator("table.kc-diff").first
    expect(history).to_contain_text("Điện thoại")
    expect(history).to_contain_text("0239 3856 123")
    expect(page.locator("body")).to_contain_text("Ngô Thị Nga")  # who made the change

    assert page.goto(f"{live_url}/establishments/").status == 403
    assert errors == [] or all("403" in error for error in errors)
