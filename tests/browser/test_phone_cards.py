"""On a phone a list is a stack of cards: the name on top, every other value beside its column's
label, and nothing wider than the screen (the review saw wide tables scroll sideways)."""

from __future__ import annotations

import pytest

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


def test_a_list_on_a_phone_is_cards_with_labels_and_no_sideways_scroll(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_url, "admin")
        page.goto(f"{live_url}/org-units/")
        table = page.locator("#results")
        assert table.locator("tbody tr").count() > 1
        # The table fits its card: no inner sideways scrolling either.
        fits = page.evaluate(
            "() => { const t = document.getElementById('results');"
            " return t.scrollWidth <= t.parentElement.clientWidth + 1; }"
        )
        assert fits
        assert not table.locator("thead").is_visible() or table.locator("thead").bounding_box()["width"] <= 1
        first_row = table.locator("tbody tr").first
        cells = first_row.locator("td")
        labels = [
            page.evaluate("(td) => getComputedStyle(td, '::before').content", cells.nth(i).element_handle())
            for i in range(cells.count())
        ]
        is_name = [("kc-col-link" in (cells.nth(i).get_attribute("class") or "")) for i in range(cells.count())]
        headers = [h.replace("▲", "").replace("▼", "").strip() for h in table.locator("thead th").all_text_contents()]
        assert any(is_name)
        for label, header, name in zip(labels, headers, is_name, strict=True):
            # The name cell heads the card without a label; every other value is introduced by its header.
            assert label in ("none", "normal") if name else label.strip('"') == header
        # Rows are stacked one under another, each as wide as the card.
        boxes = [table.locator("tbody tr").nth(i).bounding_box() for i in range(2)]
        assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"] - 1
        assert boxes[0]["width"] <= 390
    finally:
        context.close()


def test_a_list_on_a_desktop_stays_a_table(browser, live_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_url, "admin")
        page.goto(f"{live_url}/org-units/")
        assert page.locator("#results thead").is_visible()
        display = page.evaluate("() => getComputedStyle(document.querySelector('#results tbody tr')).display")
        assert display == "table-row"
    finally:
        context.close()
