"""Done when: an administrator adds a new norm version effective next month without a code change,
and the lookup — the rulebook page and the API — answers the old version today and the new one
from that date. Also: the rulebook pages on a desktop and a phone (screenshots for review)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("KC_SCREENSHOT_DIR", "/tmp/kc-screenshots"))


def first_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def test_administrator_adds_a_norm_version_and_the_lookup_follows_the_date(page, live_url):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    today = dt.date.today()
    starts = first_of_next_month(today)
    log_in(page, live_url, "admin")
    page.goto(f"{live_url}/rulebook/rules/?kind=norm&jurisdiction=national&content=2025-03&on={today:%d/%m/%Y}")
    machinery = page.locator("a.kc-rule-link", has_text="máy móc thiết bị").first
    machinery.click()
    expect(page.locator("#figures")).to_contain_text("300.000.000 đ")
    expect(page.locator("#versions")).to_contain_text("đang có hiệu lực")

    page.click("#new-version")
    expect(page.locator("#id_code")).to_have_value("machinery")
    page.select_option("#id_legal_document", label="Thông tư 28/2018/TT-BTC")
    page.fill("#id_effective_from", starts.strftime("%d/%m/%Y"))
    page.fill("#id_amount_cap", "400 triệu")
    page.click("#save")
    expect(page.get_by_text("Đã lưu")).to_be_visible()
    expect(page.locator("#figures")).to_contain_text("400.000.000 đ")
    expect(page.locator("#versions")).to_contain_text("sắp có hiệu lực")
    expect(page.locator("#versions")).to_contain_text(f"{starts - dt.timedelta(days=1):%d/%m/%Y}")

    page.goto(f"{live_url}/rulebook/rules/?kind=norm&jurisdiction=national&content=2025-03&on={today:%d/%m/%Y}")
    expect(page.locator("#rules")).to_contain_text("300.000.000 đ")
    expect(page.locator("#rules")).not_to_contain_text("400.000.000 đ")
    page.fill("#id_on", starts.strftime("%d/%m/%Y"))
    page.click("#show-rules")
    expect(page.locator("#rules")).to_contain_text("400.000.000 đ")
    expect(page.locator("#rules")).not_to_contain_text("300.000.000 đ")

    def caps(on: dt.date) -> list[int]:
        response = page.request.get(
            f"{live_url}/api/v1/rules?kind=norm&jurisdiction=national&code=machinery&on={on.isoformat()}"
        )
        assert response.status == 200, response.text()
        return [item["values"]["amount_cap"] for item in response.json()["items"]]

    assert caps(today) == [300_000_000]
    assert caps(starts) == [400_000_000]
    assert errors == []


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1366, 900)), ("phone", (390, 844))])
def test_rulebook_pages_screenshots(browser, live_url, device, viewport):
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=device == "phone", locale="vi-VN"
    )
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(page, live_url, "admin")
        pages = {
            "legal-documents": "/rulebook/legal-documents/",
            "rulebook": "/rulebook/rules/?kind=norm&on=01/06/2019",
            "rulebook-local": "/rulebook/rules/?kind=norm&jurisdiction=66",
            "rulebook-deadlines": "/rulebook/rules/?kind=deadline&on=01/03/2020",
        }
        for name, path in pages.items():
            page.goto(f"{live_url}{path}")
            fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
            assert fits, f"{name} scrolls sideways on {device}"
            page.screenshot(path=str(SHOTS / f"{name}-{device}.png"), full_page=True)
        page.goto(f"{live_url}/rulebook/legal-documents/?q=28/2018")
        page.locator("#results a.kc-row-link", has_text="28/2018/TT-BTC").first.click()
        expect(page.locator("#rules-resting")).to_contain_text("máy móc")
        page.screenshot(path=str(SHOTS / f"legal-document-detail-{device}.png"), full_page=True)
        page.goto(f"{live_url}/rulebook/rules/?kind=norm&on=01/06/2019&content=2012-05")
        page.locator("a.kc-rule-link", has_text="sạch hơn").first.click()
        expect(page.locator("#unconfirmed-note")).to_be_visible()
        page.screenshot(path=str(SHOTS / f"rule-detail-{device}.png"), full_page=True)
        page.click("#new-version")
        page.screenshot(path=str(SHOTS / f"rule-form-{device}.png"), full_page=True)
    finally:
        context.close()
