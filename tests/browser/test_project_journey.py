"""Projects in the browser, each step taken by the role that takes it, through the project page's
buttons and their HTMX forms: the national path from the implementer's proposal to closure at
the Agency, and the local path approved by the provincial leader. Acceptance and settlement go
through their sections (each line's acceptance record, the dossier, the check, the approval):
their bare steps are no buttons. The timeline shows every step."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KC_SHOTS_DIR", "/work/shots/pages"))
ESTABLISHMENT = "Cơ sở mây tre đan Thạch Hà"  # the demo establishment account's own record


def _today() -> str:
    """The server's today (Vietnam), as a date input takes it."""
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def _shot(page, name: str) -> None:
    if os.environ.get("KC_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


class Desk:
    """One person's browser: signs in once, then opens the project page and takes steps."""

    def __init__(self, browser, live_url, username, width=1366):
        self.context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.live_url = live_url
        log_in(self.page, live_url, username)
        expect(self.page.locator("#main-nav")).to_be_attached()  # signed in (folded away on a phone)

    def open(self, url: str):
        self.page.goto(f"{self.live_url}{url}")
        return self.page

    def take(self, action: str, shot: str = "", **fields) -> None:
        page = self.page
        page.locator(f"#step-{action}").click()
        form = page.locator(f'#step-form[data-step="{action}"]')
        expect(form).to_be_visible()
        for name, value in fields.items():
            if name == "plan_line":
                page.select_option("#id_plan_line", index=1)
            else:
                page.fill(f"#id_{name}", value)
        if shot:
            _shot(page, shot)
        form.locator("#step-go").click()
        expect(page.locator(f'#timeline [data-action="{action}"]')).to_be_visible()

    def accept_lines(self, outputs: str = "Lắp đặt và vận hành 01 máy chẻ nan") -> None:
        """The acceptance section's form for each line not yet passed (the last accepts the
        project); the bare step is no button, the page points to the section instead."""
        page = self.page
        expect(page.locator("#step-accept")).to_have_count(0)
        expect(page.locator("#flow-accept a")).to_have_attribute("href", "#project-settlement")
        buttons = page.locator("#acceptance-lines a[id^=accept-]")
        for n in range(1, buttons.count() + 1):
            buttons.first.click()
            expect(page.locator("#settlement-form")).to_be_visible()
            page.fill("#id_achieved_outputs", outputs)
            page.fill("#id_record_number", f"{n:02d}/BB-NT")
            page.fill("#id_accepted_on", _today())
            page.locator("#settlement-go").click()
            expect(page.locator("#project-settlement .kc-pass")).to_have_count(n, timeout=30000)
        expect(page.locator('#timeline [data-action="accept"]')).to_be_visible()

    def send_dossier(self) -> None:
        page = self.page
        expect(page.locator("#step-submit_settlement")).to_have_count(0)
        page.locator("#settlement-submit").click()
        expect(page.locator("#settlement-form")).to_be_visible()
        page.fill("#id_submitted_on", _today())
        page.locator("#settlement-go").click()
        expect(page.locator("#settlement-state")).to_have_text("Đã gửi hồ sơ", timeout=30000)

    def settlement_step(self, action: str, **fields) -> None:
        """A button of the settlement panel (check, approve, approve_local) with its form."""
        page = self.page
        expect(page.locator("#step-settle, #step-settle_local")).to_have_count(0)
        page.locator(f"#settlement-{action}").click()
        expect(page.locator("#settlement-form")).to_be_visible()
        for name, value in fields.items():
            page.fill(f"#id_{name}", value)
        page.locator("#settlement-go").click()
        expect(page.locator(f"#settlement-{action}")).to_have_count(0, timeout=30000)

    def close(self) -> None:
        self.context.close()


def _propose(desk: Desk, *, code: str, level: str) -> str:
    page = desk.open("/projects/new/")
    page.fill("#id_code", code)
    page.fill("#id_name", "Ứng dụng máy chẻ nan mây tre tự động")
    page.select_option("#id_level", level)
    page.fill("#id_year", "2026")
    content = page.locator("#id_content option", has_text="(2012)").filter(has_text=re.compile(r"^3\. ")).first
    page.select_option("#id_content", content.get_attribute("value"))
    page.fill("#id_norm_code", "machinery")
    page.select_option("#id_implementing_unit", index=1)
    province = page.locator("#id_province option", has_text="Hà Tĩnh").first
    page.select_option("#id_province", province.get_attribute("value"))
    page.fill("#id_total_cost", "400 triệu")
    picker = page.locator("#id_lines-0-establishment")
    picker.fill("may tre thach")
    page.locator("#id_lines-0-establishment-list [data-code]").first.click()
    page.fill("#id_lines-0-eligible_cost", "400.000.000")
    page.fill("#id_lines-0-support", "150 triệu")
    page.fill("#id_lines-0-counterpart", "250 triệu")
    page.fill("#id_lines-0-outputs", "01 máy chẻ nan")
    _shot(page, f"project-form-{level}")
    page.locator("#form-submit").click()
    expect(page.locator("#beneficiary-lines")).to_contain_text(ESTABLISHMENT)
    expect(page.locator("#money")).to_contain_text("150.000.000 đ")
    return page.url.removeprefix(desk.live_url)


def test_the_national_path_end_to_end_each_step_by_its_role(browser, live_url):
    implementer = Desk(browser, live_url, "hatinh.thuchien")
    url = _propose(implementer, code="KCQG-2026-HT-JOURNEY", level="national")
    page = implementer.page
    expect(page.locator("#step-approve")).to_have_count(0)
    implementer.take("submit", shot="project-step-submit")

    province = Desk(browser, live_url, "hatinh.chuyenvien")
    province.open(url)
    province.take("province_pass", comment="Hội đồng thẩm định cấp tỉnh: đạt")
    province.take("send_to_agency")
    province.close()

    officer = Desk(browser, live_url, "cuc.chuyenvien")
    officer.open(url)
    officer.take("agency_pass")

    leader = Desk(browser, live_url, "cuc.lanhdao")
    leader.open(url)
    leader.take("approve", shot="project-step-approve", plan_line="", decision_number="1234/QĐ-BCT",
                decision_date=_today(), approved_support="140 triệu")  # fmt: skip
    expect(leader.page.locator("#approved-support")).to_contain_text("140.000.000 đ")
    leader.close()

    officer.open(url)
    officer.take("contract")

    implementer.open(url)
    implementer.take("start")
    implementer.accept_lines()
    expect(implementer.page.locator("#project-state")).to_have_text("Đã nghiệm thu cơ sở")
    implementer.send_dossier()
    implementer.close()

    officer.open(url)
    officer.settlement_step("approve", settled_amount="0", decision_number="45/BB-TL", decision_date=_today())
    expect(officer.page.locator("#project-state")).to_have_text("Đã thanh lý, quyết toán")
    officer.take("close")
    page = officer.page
    expect(page.locator("#project-state")).to_have_text("Đã đóng")
    expect(page.locator("#timeline [data-action]")).to_have_count(11)
    expect(page.locator("#timeline")).to_contain_text("1234/QĐ-BCT")
    expect(page.locator("#step-buttons")).to_have_count(0)  # nothing left to do
    _shot(page, "project-page-closed-desktop")
    officer.close()


def test_the_local_path_is_approved_by_the_provincial_leader(browser, live_url):
    implementer = Desk(browser, live_url, "hatinh.thuchien")
    url = _propose(implementer, code="KCDP-2026-HT-JOURNEY", level="local")
    implementer.take("submit")

    province = Desk(browser, live_url, "hatinh.chuyenvien")
    province.open(url)
    province.take("province_pass")
    expect(province.page.locator("#step-send_to_agency")).to_have_count(0)  # a local project stays here
    expect(province.page.locator("#step-approve_local")).to_have_count(0)  # the leader approves

    leader = Desk(browser, live_url, "hatinh.lanhdao")
    leader.open(url)
    leader.take("approve_local", plan_line="", decision_number="88/QĐ-UBND", decision_date=_today())
    leader.close()

    province.open(url)
    province.take("contract_local")
    implementer.open(url)
    implementer.take("start")
    implementer.accept_lines()
    implementer.send_dossier()
    implementer.close()
    finance = Desk(browser, live_url, "hatinh.taichinh")
    finance.open(url)
    finance.settlement_step("check", checked_on=_today())
    finance.close()
    province.open(url)
    province.settlement_step("approve_local", settled_amount="0", decision_number="12/BB-TL", decision_date=_today())
    province.take("close_local")
    expect(province.page.locator("#timeline [data-action]")).to_have_count(9)
    expect(province.page.locator("#timeline")).to_contain_text("88/QĐ-UBND")
    province.close()


def test_phone_project_page_and_step_form_fit_the_screen(browser, live_url):
    desk = Desk(browser, live_url, "hatinh.thuchien", width=390)
    url = _propose(desk, code="KCDP-2026-HT-PHONE", level="local")
    page = desk.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "project-page-phone")
    page.locator("#step-submit").click()
    expect(page.locator("#step-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "project-step-phone")
    desk.open("/projects/new/")
    _shot(page, "project-form-phone")
    assert url.startswith("/projects/")
    desk.close()
