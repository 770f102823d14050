"""Screenshots of the main pages, desktop (1366×900) and phone (390×844), from a running server.

    KC_VAR_DIR=/tmp/kc DEBUG=false khuyencong serve --bind 127.0.0.1:8765 &   # after `khuyencong demo`
    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8765 docs/screenshots

The browser is set to English on purpose: the pages must still come out in Vietnamese.
Console errors (a CSP violation, a missing file) are printed at the end.
"""

from __future__ import annotations

import shutil
import sys

from playwright.sync_api import sync_playwright

from khuyencong.organisation.demo import DEMO_PASSWORD

PAGES = [  # name, path (None: the first record of the list), full page
    ("login", "/accounts/login/", False),
    ("home", "/", False),
    ("establishment-list", "/establishments/", False),
    ("establishment-detail", None, True),
    ("establishment-form", "/establishments/new/", False),
    ("craft-villages", "/establishments/craft-villages/", False),
]
DEVICES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def main(url: str, out: str, user: str = "hatinh.chuyenvien", password: str = DEMO_PASSWORD) -> int:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--headless", "--no-sandbox"])
        for device, viewport in DEVICES.items():
            context = browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": "en-US"})
            page = context.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            for name, path, full_page in PAGES:
                if path is None:
                    page.goto(f"{url}/establishments/?sort=name")
                    page.locator("a.kc-row-link").first.click()
                    page.wait_for_load_state()
                else:
                    page.goto(url + path)
                page.screenshot(path=f"{out}/{name}-{device}.png", full_page=full_page)
                if name == "login":
                    page.fill("#id_username", user)
                    page.fill("#id_password", password)
                    page.click("#login-button")
                    page.wait_for_load_state()
            picker(page, url, out, device)
            context.close()
        browser.close()
    print("console errors:", errors or "none")
    return 1 if errors else 0


def picker(page, url: str, out: str, device: str) -> None:
    """The establishment form with the commune picker open on a search without accents."""
    page.goto(url + "/establishments/new/")
    page.locator("#id_commune").scroll_into_view_if_needed()
    page.fill("#id_commune", "thach")
    page.wait_for_selector("[data-commune-picker] [data-code]")
    page.evaluate("window.scrollBy(0, document.getElementById('id_commune').getBoundingClientRect().top - 120)")
    page.screenshot(path=f"{out}/establishment-form-picker-{device}.png")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
