"""Councils in the browser: the Hà Tĩnh officer finds the councils under Planning, sets up a new
council (default criteria, members), and the page reads well on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_an_officer_sets_up_a_council(browser, live_url, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/councils/")
    expect(page.get_by_role("heading", name="Hội đồng thẩm định")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Sở Công Thương Hà Tĩnh")
    page.click("#add-council")
    name = f"Hội đồng thẩm định bổ sung {width}"
    page.fill("#id_name", name)
    page.fill("#id_decision_number", "45/QĐ-SCT")
    page.fill("#id_decision_date", "02/03/2026")
    page.select_option("#id_province", index=1)  # the only province in reach
    page.click("#form-submit")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("#criteria")).to_contain_text("Sự cần thiết của đề án")
    expect(page.locator("#threshold")).to_contain_text("70 / 100")
    page.click("#edit-members")
    page.fill("#id_members-0-full_name", "Nguyễn Văn Hải")
    page.select_option("#id_members-0-role", "chair")
    page.fill("#id_members-1-full_name", "Phạm Thị Dung")
    page.select_option("#id_members-1-role", "secretary")
    page.fill("#id_members-1-username", "hatinh.chuyenvien")
    page.click("#form-submit")
    members = page.locator("#members")
    expect(members).to_contain_text("Chủ tịch")
    expect(members).to_contain_text("Thư ký")
    expect(page.locator("#no-projects")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # nothing wider than the screen
    context.close()
