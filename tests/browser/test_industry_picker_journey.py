"""An officer picks an establishment's industry lines by typing their names without accents, with
the keyboard only, sees them as chips, removes one, and the record keeps exactly the chosen lines —
in Chromium, under the real Content-Security-Policy (no inline script or style)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

FISH = "1020 – Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản"
BAMBOO = "1629 – Sản xuất sản phẩm khác từ gỗ; sản xuất sản phẩm từ tre, nứa, rơm, rạ và vật liệu tết bện"


def chips(page) -> list[str]:
    return [text.replace("×", "").strip() for text in page.locator("[data-multi-chips] .kc-chip").all_inner_texts()]


def submitted(page) -> list[str]:
    return page.eval_on_selector("#id_industry_lines", "s => Array.from(s.selectedOptions).map(o => o.text)")


def test_officer_picks_industry_lines_by_name_with_the_keyboard(page, live_url):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/establishments/new/")
    page.fill("#id_name", "Cơ sở chế biến cá khô Thạch Kim")
    page.select_option("#id_legal_form", "household")
    page.fill("#id_commune", "thach ha")
    page.locator("[data-commune-picker] [data-code]").first.click()

    # The plain multi-select gives way to a search box the field's label names.
    expect(page.locator("#id_industry_lines")).to_be_hidden()
    search = page.get_by_label("Ngành nghề", exact=True)
    expect(search).to_have_attribute("role", "combobox")
    search.focus()
    page.keyboard.type("thuy san")  # without accents
    listbox = page.locator("[data-multi-list]")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    expect(listbox).to_contain_text(FISH)
    page.keyboard.press("Enter")
    assert chips(page) == [FISH]
    expect(search).to_have_value("")

    page.keyboard.type("tre nua")
    expect(listbox.locator("[role=option]")).to_have_text([BAMBOO])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert chips(page) == [FISH, BAMBOO]
    expect(listbox).not_to_contain_text(FISH)  # a chosen line is not offered again

    page.keyboard.type("khong co nganh nay")
    expect(listbox).to_contain_text("Không có mục nào khớp")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    page.fill("#id_industry_lines_search", "")
    page.keyboard.press("Backspace")  # on an empty box: removes the last chip
    assert chips(page) == [FISH]

    page.keyboard.type("go tre")
    page.keyboard.press("Enter")
    assert chips(page) == [FISH, BAMBOO]
    remove = page.get_by_role("button", name=f"Bỏ: {FISH}")
    remove.focus()
    page.keyboard.press("Enter")  # a chip's × is a real button
    assert chips(page) == [BAMBOO]
    assert submitted(page) == [BAMBOO]

    page.locator("form.card button[type=submit]").click()
    expect(page.get_by_text("Đã lưu")).to_be_visible()
    expect(page.locator("body")).to_contain_text(BAMBOO)
    expect(page.locator("body")).not_to_contain_text(FISH)

    page.click("text=Chỉnh sửa")
    assert chips(page) == [BAMBOO]
    assert errors == []
