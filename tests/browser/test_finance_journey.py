"""Money in the browser: the Hà Tĩnh implementer requests a payment on its project's page, the
Agency officer approves it from the queue of payments to approve, and the project's disbursed
figure changes; every money page reads well on a desktop and on a phone (screenshots in
KC_SHOTS_DIR when set).

The server is the journeys' own (demo accounts, a fresh database) plus one contracted project of
Hà Tĩnh with its unit's allocation, written by ``seed`` through the test factories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser
CODE = "DA-TC-2026-01"


def seed() -> None:
    """A contracted national project of Hà Tĩnh (contract 250 M, 1 tỷ allocated to its unit), once."""
    from khuyencong.projects.models import Project
    from tests.finance.factories import contracted_project

    if not Project.objects.filter(code=CODE).exists():
        contracted_project(code=CODE, name="Hỗ trợ máy dệt thổ cẩm cho hợp tác xã Hương Khê")


@pytest.fixture(scope="module")
def seeded(live_url):
    # The live server's database: the same settings the conftest used (KC_VAR_DIR of its log file).
    server_env = _server_env(live_url)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from tests.browser.test_finance_journey import seed; seed()"],
        env=server_env, check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    return live_url


def _server_env(live_url) -> dict:
    from tests.browser import conftest

    return {**os.environ, **conftest.SERVER_ENV}


def _shot(page, name: str, width: int) -> None:
    folder = os.environ.get("KC_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)


def test_a_payment_is_requested_approved_and_disbursed(browser, seeded):
    live_url = seeded
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "hatinh.thuchien")
    page.goto(f"{live_url}/projects/?q={CODE}")
    page.click(f"text={CODE}")
    money = page.locator("#project-money")
    expect(money).to_contain_text("250.000.000 đ")
    expect(page.locator("#money-disbursed")).to_have_text("0 đ")
    page.select_option("#id_kind", "payment")
    page.fill("#id_amount", "80 triệu")
    page.fill("#id_entry_date", "20/03/2026")
    page.fill("#id_document_number", "GĐN-TC-01")
    page.click("#request-submit")
    expect(page.locator("#money-entries")).to_contain_text("Chờ duyệt")
    expect(page.locator("#money-entries")).to_contain_text("80.000.000 đ")
    context.close()

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "cuc.chuyenvien")
    expect(page.locator("#home-money")).to_contain_text(CODE)
    page.click("#home-queue-link")
    row = page.locator("#queue tr", has_text="GĐN-TC-01")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-action=approve]").click()
    expect(page.locator("#queue-empty")).to_be_visible()
    page.goto(f"{live_url}/projects/?q={CODE}")
    page.click(f"text={CODE}")
    expect(page.locator("#money-disbursed")).to_have_text("80.000.000 đ")
    expect(page.locator("#money-entries")).to_contain_text("Đã chi")
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_money_pages_fit_the_screen(browser, seeded, width):
    live_url = seeded
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "cuc.chuyenvien")
    pages = {
        "home": "/",
        "allocations": "/finance/allocations/",
        "allocate": "/finance/allocations/new/",
        "ledger": "/finance/ledger/",
        "queue": "/finance/ledger/queue/",
        "ledger-import": "/finance/ledger/import/",
    }
    for name, path in pages.items():
        page.goto(f"{live_url}{path}")
        expect(page.locator("h1").first).to_be_visible()
        _shot(page, name, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    page.goto(f"{live_url}/projects/?q={CODE}")
    page.click(f"text={CODE}")
    page.locator("#project-money").scroll_into_view_if_needed()
    _shot(page, "project", width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
