"""Inspections in the browser: the Agency's officer sets up a 2026 plan and a mission to Hà Tĩnh,
starts it, records a finding and a follow-up for Hà Tĩnh's khuyến công centre; the centre's
implementer finds it on the home page and reports it done. Screenshots at desktop and phone
width go to /work/shots/inspections/ (``KC_SHOTS_DIR``) when that directory exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("KC_SHOTS_DIR", "/work/shots/inspections"))


def _shot(page, name: str, width: int) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _pick(page, selector: str, *words: str) -> None:
    """Choose the option of ``selector`` whose text holds every word."""
    value = page.eval_on_selector(
        selector, "(s, words) => [...s.options].find(o => words.every(w => o.text.includes(w))).value", list(words)
    )
    page.select_option(selector, value)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_mission_from_plan_to_a_closed_follow_up(browser, live_url, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "cuc.chuyenvien")
    page.goto(f"{live_url}/inspections/plans/new/")
    plan = f"Kế hoạch kiểm tra năm 2026 ({width})"
    page.fill("#id_name", plan)
    page.fill("#id_decision_number", "12/QĐ-ĐMST")
    page.fill("#id_decision_date", "2026-02-10")
    _pick(page, "#id_owner", "Cục Đổi mới")
    page.click("#form-submit")
    expect(page.get_by_role("heading", name="Đoàn kiểm tra mới")).to_be_visible()
    mission = f"Đoàn kiểm tra đề án tại Hà Tĩnh ({width})"
    page.fill("#id_name", mission)
    _pick(page, "#id_lead_unit", "Cục Đổi mới")
    page.fill("#id_start_date", "2026-03-02")
    page.fill("#id_end_date", "2026-02-20")  # before the start: refused with a message
    _pick(page, "#id_provinces", "Hà Tĩnh")
    page.fill("#id_members", "Đỗ Văn Minh; trưởng đoàn; Cục ĐMST\nNguyễn Văn An; thành viên")
    page.click("#form-submit")
    expect(page.locator("#form-errors")).to_contain_text("trước ngày bắt đầu")
    page.fill("#id_end_date", "2026-03-20")
    page.click("#form-submit")
    expect(page.get_by_role("heading", name=mission)).to_be_visible()
    expect(page.locator("#mission-members")).to_contain_text("Trưởng đoàn")
    expect(page.locator("#mission-provinces")).to_contain_text("Hà Tĩnh")
    page.click("#step-start")
    page.click("#form-submit")
    expect(page.locator("#mission-state")).to_contain_text("Đang kiểm tra")
    page.click("#add-finding")
    page.select_option("#id_severity", "major")
    page.fill("#id_text", "Đơn vị thực hiện chưa lập sổ theo dõi thiết bị hỗ trợ.")
    page.fill("#id_recorded_on", "2026-03-05")
    page.click("#form-submit")
    expect(page.locator("#mission-findings")).to_contain_text("chưa lập sổ theo dõi")
    page.locator("#mission-findings a", has_text="Thêm kiến nghị").first.click()
    page.fill("#id_action", f"Lập sổ theo dõi thiết bị và báo cáo Cục ({width})")
    _pick(page, "#id_responsible_unit", "Trung tâm Khuyến công", "Hà Tĩnh")
    page.fill("#id_due_date", "2026-02-01")  # before the mission: refused
    page.click("#form-submit")
    expect(page.locator("#form-errors")).to_contain_text("02/03/2026")
    page.fill("#id_due_date", "2026-04-30")
    page.click("#form-submit")
    expect(page.locator("#mission-findings")).to_contain_text("Quá hạn")  # 30/4/2026 has passed
    _shot(page, "mission", width)
    page.goto(f"{live_url}/inspections/")
    expect(page.locator("#results")).to_contain_text(mission)
    _shot(page, "missions", width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()

    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "hatinh.thuchien")
    card = page.locator("#home-follow-ups")
    expect(card).to_contain_text(f"Lập sổ theo dõi thiết bị và báo cáo Cục ({width})")
    _shot(page, "home", width)
    card.get_by_role("link", name=f"Lập sổ theo dõi thiết bị và báo cáo Cục ({width})").click()
    page.click("#step-close")
    page.fill("#id_note", "Đã lập sổ theo dõi, gửi bản chụp kèm báo cáo.")
    page.click("#form-submit")
    expect(page.locator("#follow-up-status")).to_contain_text("Đã thực hiện")
    expect(page.locator("#follow-up-history")).to_contain_text("Đã báo cáo thực hiện")
    _shot(page, "follow-up", width)
    page.goto(f"{live_url}/inspections/follow-ups/")
    _shot(page, "follow-ups", width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
