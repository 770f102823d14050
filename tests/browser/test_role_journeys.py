"""Every demo account walks its own menu in an English-speaking browser, on a desktop and on a phone:
each page answers, speaks Vietnamese (no English sentence of the catalogue, none of Django's own
English), logs no console error or CSP violation, and on the phone never scrolls sideways."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "khuyencong" / "locale" / "vi" / "LC_MESSAGES" / "django.po"

ACCOUNTS = [
    "admin",
    "cuc.chuyenvien",
    "cuc.lanhdao",
    "ttkc1.chuyenvien",
    "hatinh.chuyenvien",
    "hatinh.lanhdao",
    "hatinh.taichinh",
    "hatinh.thuchien",
    "nghean.chuyenvien",
    "thanhtra",
    "coso.maytre",
    "xem",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

# Django's and the browser's own English that a page could show if a string escaped translation.
DJANGO_ENGLISH = [
    "Select an option",
    "This field is required",
    "Page not found",
    "Server Error",
    "Log out",
    "Log in",
    "Change password",
    "Enter a valid",
    "Ensure this value",
    "Currently:",
    "Clear",
    "No file chosen",
    "Previous",
    "Next",
    "Search",
    "Forbidden",
    "Bad Request",
    "Are you sure",
]

# A violation reported by the page itself, in case a build of Chromium stops echoing it to the console.
CSP_LISTENER = """
window.__kcViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__kcViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
# On a phone, innerWidth grows with a too-wide page (the browser zooms out); clientWidth is the screen.
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@cache
def catalogue_english() -> tuple[str, ...]:
    """English msgids of three words or more that Vietnamese translates to something else.

    Placeholders (``%(name)s``, ``{n}``) split a msgid; the fragments of three words or more count."""
    spec = importlib.util.spec_from_file_location("check_catalogue", ROOT / "scripts" / "check_catalogue.py")
    module = sys.modules.setdefault("check_catalogue", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    _, entries = module.parse_po(PO_FILE)
    phrases = set()
    for entry in entries.values():
        if not entry.translated or entry.fuzzy:
            continue
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            if msgid in entry.msgstr.values():
                continue
            for fragment in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|\n", msgid):
                fragment = fragment.strip(" .,:;!?()\"'")
                if len(fragment.split()) >= 3:
                    phrases.add(fragment)
    return tuple(sorted(phrases))


def english_on(text: str) -> list[str]:
    found = [phrase for phrase in catalogue_english() if phrase in text]
    found += [phrase for phrase in DJANGO_ENGLISH if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]
    return found


def test_the_catalogue_gives_the_journeys_english_to_look_for():
    phrases = catalogue_english()
    assert len(phrases) > 100
    assert "Skip to main content" in phrases
    assert english_on("Bỏ qua, đến nội dung chính") == []
    assert english_on("Please Log out now") == ["Log out"]


class Tab:
    """One browser context in one viewport, English-speaking, that records console and CSP errors."""

    def __init__(self, browser, viewport: str, storage_state=None):
        phone = viewport == "phone"
        self.viewport = viewport
        self.context = browser.new_context(
            locale="en-US",
            extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
            viewport=VIEWPORTS[viewport],
            is_mobile=phone,
            has_touch=phone,
            storage_state=storage_state,
        )
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"script: {error}"))

    def problems(self) -> list[str]:
        """What is wrong with the page on screen: English text, CSP violations, console errors."""
        found = []
        # All the text, hidden too (the user menu, the collapsed phone menu, a select's options).
        if english := english_on(" ".join(self.page.text_content("body").split())):
            found.append(f"English {english}")
        if violations := self.page.evaluate("window.__kcViolations"):
            found.append(f"CSP {violations}")
        if self.errors:
            found.append(f"console {self.errors}")
        self.errors.clear()
        return found


def test_the_net_catches_a_blocked_inline_script_and_a_too_wide_page(browser, live_url):
    """The journeys' checks can fail: an inline script the CSP refuses is reported, and a block wider
    than a phone's screen counts as sideways scrolling."""
    tab = Tab(browser, "phone")
    try:
        tab.page.goto(f"{live_url}/accounts/login/", wait_until="load")
        assert tab.problems() == []
        tab.page.evaluate(
            "document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.x = 1'}))"
        )
        tab.page.wait_for_function("window.__kcViolations.length > 0")
        problems = tab.problems()
        assert any(problem.startswith("CSP ['script-src") for problem in problems), problems
        assert any("Content Security Policy" in problem for problem in problems), problems
        assert tab.page.evaluate(OVERFLOW) <= 1
        tab.page.evaluate(
            "document.body.append(Object.assign(document.createElement('div'), {style: 'width: 600px; height: 10px'}))"
        )
        assert tab.page.evaluate(OVERFLOW) > 1
    finally:
        tab.context.close()


@pytest.mark.parametrize("username", ACCOUNTS)
def test_role_walks_its_menu_in_vietnamese_without_errors(browser, live_url, username):
    """Desktop first (it logs in), then a phone sharing the session: one login per role."""
    desktop = Tab(browser, "desktop")
    tabs = [desktop]
    problems: list[str] = []
    overflow: list[str] = []
    try:
        log_in(desktop.page, live_url, username)
        desktop.page.wait_for_url(lambda url: "/accounts/login" not in url)
        assert desktop.page.locator("html").get_attribute("lang") == "vi"
        nav = desktop.page.locator("#main-nav a[href]:not([data-bs-toggle])")  # links and drop-down entries
        links = nav.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert links, "the role has no menu"
        # The user menu's own page; the API docs are for developers and stay out of the journey.
        links.append(desktop.page.locator("#user-menu + .dropdown-menu a.dropdown-item").first.get_attribute("href"))
        tabs.append(Tab(browser, "phone", storage_state=desktop.context.storage_state()))
        for tab in tabs:
            for path in ["/", *dict.fromkeys(links)]:
                response = tab.page.goto(f"{live_url}{path}", wait_until="load")
                if response is None or response.status != 200:
                    problems.append(f"{tab.viewport} {path}: HTTP {response and response.status}")
                    continue
                problems += [f"{tab.viewport} {path}: {problem}" for problem in tab.problems()]
                if tab.viewport == "phone" and tab.page.evaluate(OVERFLOW) > 1:
                    overflow.append(path)
    finally:
        for tab in tabs:
            tab.context.close()
    assert problems == [], username
    assert overflow == [], f"{username} scrolls sideways on a phone"
