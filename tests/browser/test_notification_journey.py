"""Notifications in the browser: the implementer sees one unread on the bell, opens it from the
drop-down (it leads to its page and is read), then finds the centre with nothing unread; on a phone
the centre and the drop-down fit the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


def test_open_a_notification_from_the_bell_and_find_nothing_unread(browser, live_url):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, live_url, "hatinh.thuchien")
    expect(page.locator("#unread-badge")).to_have_text("1")
    page.wait_for_load_state("load")  # HTMX listens for the drop-down once the page's scripts ran
    page.click("#notification-bell")
    item = page.locator("#notification-menu").get_by_role("button", name="Quá hạn 3 ngày", exact=False)
    expect(item).to_be_visible()
    item.click()
    page.wait_for_url(f"{live_url}/plans/")
    expect(page.locator("#unread-badge")).to_have_count(0)
    page.goto(f"{live_url}/notifications/?show=unread")
    expect(page.locator("#empty-state")).to_contain_text("Không có thông báo chưa đọc")
    page.get_by_role("link", name="Xem tất cả thông báo").click()
    expect(page.locator("#notifications")).to_contain_text("Quá hạn 3 ngày")
    context.close()


def test_mark_all_read_on_a_phone(browser, live_url):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_url, "hatinh.lanhdao")
    page.goto(f"{live_url}/notifications/")
    expect(page.locator("#notifications .kc-unread")).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#read-all")
    expect(page.locator(".alert-success")).to_contain_text("là đã đọc")
    expect(page.locator("#notifications .kc-unread")).to_have_count(0)
    expect(page.locator("#unread-badge")).to_have_count(0)
    context.close()
