"""Acceptance and settlement in the browser: the implementer records the acceptance of the line
through the project page's HTMX form (the project becomes accepted), sends the settlement dossier,
the Agency approves it with its decision; the settlement list and a phone's view of the section."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_project_journey import Desk, _propose, _today

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KC_SHOTS_DIR_SETTLEMENT", "/work/shots/settlement"))


def _shot(page, name: str) -> None:
    if os.environ.get("KC_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _to_in_progress(browser, live_url, code: str) -> tuple[Desk, str]:
    implementer = Desk(browser, live_url, "hatinh.thuchien")
    url = _propose(implementer, code=code, level="national")
    implementer.take("submit")
    province = Desk(browser, live_url, "hatinh.chuyenvien")
    province.open(url)
    province.take("province_pass")
    province.take("send_to_agency")
    province.close()
    officer = Desk(browser, live_url, "cuc.chuyenvien")
    officer.open(url)
    officer.take("agency_pass")
    leader = Desk(browser, live_url, "cuc.lanhdao")
    leader.open(url)
    leader.take("approve", plan_line="", decision_number="777/QĐ-BCT", decision_date=_today())
    leader.close()
    officer.open(url)
    officer.take("contract")
    officer.close()
    implementer.open(url)
    implementer.take("start")
    return implementer, url


def test_acceptance_then_settlement_sent_and_approved(browser, live_url):
    implementer, url = _to_in_progress(browser, live_url, "KCQG-2026-HT-QT")
    page = implementer.page
    section = page.locator("#project-settlement")
    expect(section).to_contain_text("Chưa nghiệm thu")
    page.locator("#acceptance-lines a[id^=accept-]").first.click()
    form = page.locator("#settlement-form")
    expect(form).to_be_visible()
    page.fill("#id_achieved_outputs", "Lắp đặt và vận hành 01 máy chẻ nan")
    page.fill("#id_record_number", "01/BB-NT")
    page.fill("#id_accepted_on", _today())
    _shot(page, "acceptance-form-desktop")
    page.locator("#settlement-go").click()
    expect(page.locator("#project-settlement .kc-pass")).to_have_count(1, timeout=30000)
    expect(page.locator("#project-state")).to_have_text("Đã nghiệm thu cơ sở")
    _shot(page, "project-accepted-desktop")

    page.locator("#settlement-submit").click()
    expect(page.locator("#settlement-form")).to_be_visible()
    page.fill("#id_submitted_on", _today())
    page.locator("#settlement-go").click()
    expect(page.locator("#settlement-state")).to_have_text("Đã gửi hồ sơ", timeout=30000)
    implementer.close()

    officer = Desk(browser, live_url, "cuc.chuyenvien")
    page = officer.open(url)
    expect(page.locator("#settlement-approve")).to_be_visible()
    page.locator("#settlement-approve").click()
    expect(page.locator("#settlement-form")).to_be_visible()
    page.fill("#id_settled_amount", "0")
    page.fill("#id_decision_number", "88/QĐ-QT")
    page.fill("#id_decision_date", _today())
    _shot(page, "settlement-approve-desktop")
    page.locator("#settlement-go").click()
    expect(page.locator("#settlement-state")).to_have_text("Đã phê duyệt", timeout=30000)
    expect(page.locator("#project-state")).to_have_text("Đã thanh lý, quyết toán")
    expect(page.locator("#project-settlement")).to_contain_text("88/QĐ-QT")
    _shot(page, "project-settled-desktop")
    page = officer.open("/finance/settlements/")
    expect(page.locator("body")).to_contain_text("KCQG-2026-HT-QT")
    _shot(page, "settlement-list-desktop")
    officer.close()

    phone = Desk(browser, live_url, "hatinh.thuchien", width=390)
    page = phone.open(url)
    expect(page.locator("#project-settlement")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "project-settled-phone")
    page = phone.open("/finance/settlements/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "settlement-list-phone")
    phone.close()
