"""On a phone a list is a stack of cards: the name on top, every other value beside its column's
label, and nothing wider than the screen (the review saw wide tables scroll sideways)."""

from __future__ import annotations

import pytest

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser


OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def phone(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")


@pytest.mark.parametrize("path", ["/org-units/", "/users/"])
def test_a_list_on_a_phone_is_cards_with_labels_and_no_sideways_scroll(browser, live_url, path):
    context = phone(browser)
    page = context.new_page()
    try:
        log_in(page, live_url, "admin")
        page.goto(f"{live_url}{path}")
        assert page.evaluate(OVERFLOW) <= 1
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


@pytest.mark.parametrize("path", ["/org-units/", "/users/"])
def test_a_list_on_a_desktop_stays_a_table(browser, live_url, path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_url, "admin")
        page.goto(f"{live_url}{path}")
        assert page.locator("#results thead").is_visible()
        display = page.evaluate("() => getComputedStyle(document.querySelector('#results tbody tr')).display")
        assert display == "table-row"
    finally:
        context.close()


def _token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _dismiss(page, live_url, pair) -> None:
    """Leave the queue as it was for the other journeys sharing the server."""
    pk = pair.get_attribute("id").removeprefix("candidate-")
    form = {"csrfmiddlewaretoken": _token(page), "comment": "thử giao diện"}
    assert page.request.post(f"{live_url}/establishments/duplicates/{pk}/do/dismiss/", form=form).ok


def _add_twice(page, live_url, name: str) -> None:
    """The same establishment entered twice through the form: the pair joins the review queue."""
    token = _token(page)
    for _ in range(2):
        form = {"csrfmiddlewaretoken": token, "name": name, "legal_form": "household", "commune": "18562",
                "status": "active"}  # fmt: skip
        response = page.request.post(f"{live_url}/establishments/new/", form=form, max_redirects=0)
        assert response.status == 302, response.text()[:500]


def test_the_duplicate_queue_on_a_phone_is_one_card_per_record(browser, live_url):
    context = phone(browser)
    page = context.new_page()
    try:
        log_in(page, live_url, "hatinh.chuyenvien")
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        _add_twice(page, live_url, "Cơ sở gốm thử thẻ điện thoại")
        page.goto(f"{live_url}/establishments/duplicates/")
        assert page.evaluate(OVERFLOW) <= 1
        pair = page.locator(".kc-dup", has_text="Cơ sở gốm thử thẻ điện thoại").first
        sides = pair.locator(".kc-dup-side")
        assert sides.count() == 2
        labels = [sides.nth(i).locator(".kc-dup-side-label").inner_text() for i in range(2)]
        assert labels == ["Hồ sơ bên trái", "Hồ sơ bên phải"]  # the buttons' "left"/"right" still make sense
        first, second = (sides.nth(i).bounding_box() for i in range(2))
        assert second["y"] >= first["y"] + first["height"] - 1  # stacked, one card per record
        assert page.evaluate("(el) => getComputedStyle(el).borderTopStyle", sides.first.element_handle()) == "solid"
        card = pair.bounding_box()
        for button in pair.locator(".card-footer .btn").all():
            box = button.bounding_box()
            assert box["x"] >= card["x"] - 1 and box["x"] + box["width"] <= card["x"] + card["width"] + 1
        _dismiss(page, live_url, pair)
    finally:
        context.close()


def test_the_duplicate_queue_on_a_desktop_keeps_the_records_side_by_side(browser, live_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_url, "hatinh.chuyenvien")
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        _add_twice(page, live_url, "Cơ sở đúc đồng thử màn hình rộng")
        page.goto(f"{live_url}/establishments/duplicates/")
        pair = page.locator(".kc-dup", has_text="Cơ sở đúc đồng thử màn hình rộng").first
        sides = pair.locator(".kc-dup-side")
        first, second = (sides.nth(i).bounding_box() for i in range(2))
        assert abs(first["y"] - second["y"]) <= 1 and second["x"] > first["x"]
        assert not sides.first.locator(".kc-dup-side-label").is_visible()
        _dismiss(page, live_url, pair)
    finally:
        context.close()
