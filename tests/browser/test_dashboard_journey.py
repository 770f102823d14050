"""The dashboard in the browser: a Hà Tĩnh officer opens it from the menu, sees the province map
with Hoàng Sa and Trường Sa labelled, switches to a year before the reform (the map changes to the
63 provinces of the time) and clicks Hà Tĩnh on the map to open the list of projects behind it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KC_SHOTS_DIR", "/work/shots/dashboard"))
HA_TINH = (105.75, 18.3)  # a point inside Hà Tĩnh (legacy and current alike)


def _shot(page, name: str) -> None:
    if os.environ.get("KC_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _map_ready(page):
    page.wait_for_selector("#province-map[data-ready='1']")
    return page.evaluate(
        "() => { var o = window.kcDashboardMap.getOption(); var m = echarts.getMap('vn');"
        " return {islands: o.series[1].data.map(function (d) { return d.name; }),"
        " regions: (m.geoJSON || m.geoJson).features.length}; }"
    )


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
def test_officer_opens_the_dashboard_switches_year_and_drills_into_a_province(browser, live_url, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, "hatinh.chuyenvien")
    if width < 768:
        page.click(".navbar-toggler")
    page.locator("#main-nav").get_by_role("link", name="Bảng điều khiển").click()
    expect(page).to_have_url(re.compile(r"/dashboards/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Tĩnh")
    shown = _map_ready(page)
    assert shown["islands"] == ["Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)"]
    assert shown["regions"] == 34
    _shot(page, f"journey-current-{width}")

    page.select_option("#year-select", "2019")
    expect(page).to_have_url(re.compile(r"year=2019"))
    expect(page.locator("#generation-note")).to_contain_text("63")
    shown = _map_ready(page)
    assert shown["regions"] == 63
    _shot(page, f"journey-2019-{width}")

    page.locator("#province-map").scroll_into_view_if_needed()
    x, y = page.evaluate("(point) => window.kcDashboardMap.convertToPixel({geoIndex: 0}, point)", list(HA_TINH))
    box = page.locator("#province-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(r"/projects/\?year=2019&legacy_province=42$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
