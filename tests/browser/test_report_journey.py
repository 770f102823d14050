"""Periodic reports in the browser: Hà Tĩnh's Department officer finds the missing quarterly
report on the home page, fills the pre-filled form (an out-of-range figure is refused in place),
saves and submits it; the Agency's leader returns it with a comment, which the officer then reads.
Screenshots at desktop and phone widths go to /work/shots/reports/ (or $KC_SHOTS_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KC_SHOTS_DIR", "/work/shots/reports"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_officer_submits_and_the_agency_returns(browser, live_url):
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_url, "hatinh.chuyenvien")
    card = page.locator("#home-reports")
    expect(card).to_contain_text("Chưa nộp")
    shot(page, "home-desktop")
    card.locator("a", has_text="BC-KC-QUY").first.click()
    expect(page.locator("h1")).to_contain_text("Báo cáo tình hình thực hiện khuyến công hằng quý")
    report_url = page.url
    # The figures the system pre-fills (projects and, from the finance app, money) are taken as they are.
    for code in ("SL01", "SL02", "SL03", "SL04", "KP01", "KP02", "KP03"):
        page.fill(f"#value-{code}", page.locator(f"#row-{code} td").nth(2).inner_text().replace("—", "0"))
    page.fill("#value-TL01", "120")
    page.fill("#value-GC01", "Vốn trung ương về chậm, tiến độ giải ngân quý III thấp.")
    page.locator("#save-values").click()
    expect(page.locator("#row-TL01 .invalid-feedback")).to_contain_text("100")
    expect(page.locator("#save-message")).to_be_visible()
    shot(page, "report-error-desktop")
    page.fill("#value-TL01", "72,5")
    page.locator("#submit-report").click()
    expect(page.locator("#save-message")).to_contain_text("Đã gửi báo cáo")
    page.goto(report_url)
    expect(page.locator("#report-state")).to_contain_text("Đã gửi")
    shot(page, "report-submitted-desktop")
    context.close()

    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_url, "cuc.lanhdao")
    expect(page.locator("#home-reports")).to_contain_text("Cần xét duyệt")
    page.goto(report_url)
    expect(page.locator("#step-return")).to_be_visible()
    page.locator("#step-return button").click()  # no reason: the browser asks for one
    expect(page.locator("#report-state")).to_contain_text("Đã gửi")
    page.fill("#step-return textarea", "Kinh phí giải ngân quý III chưa khớp số liệu Kho bạc; đề nghị rà soát.")
    page.locator("#step-return button").click()
    expect(page.locator("#report-state")).to_contain_text("Bị trả lại")
    expect(page.locator("#return-comment")).to_contain_text("chưa khớp số liệu Kho bạc")
    shot(page, "report-returned-desktop")
    page.goto(f"{live_url}/reports/completeness/?form=BC-KC-QUY&year=2025")
    expect(page.locator("#completeness-matrix")).to_contain_text("Sở Công Thương tỉnh Hà Giang")
    expect(page.locator("#rate-on_time")).to_contain_text("%")
    shot(page, "completeness-desktop")
    context.close()

    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(report_url)
    expect(page.locator("#return-comment")).to_be_visible()
    shot(page, "report-returned-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(f"{live_url}/reports/")
    shot(page, "list-phone")
    page.goto(f"{live_url}/reports/completeness/?form=BC-KC-QUY&year=2025")
    shot(page, "completeness-phone")
    page.goto(f"{live_url}/")
    shot(page, "home-phone")
    context.close()
