"""Documents in the browser: the Hà Tĩnh officer opens the 2020 local plan, finds its signed
decision, uploads a submission to "Other documents" through the panel (HTMX), uploads a second
version, is refused a renamed program with the message next to the slot, and downloads a version
under its own name; on a phone the panel fits the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("width", [1366, 390])
def test_documents_of_a_plan_version(browser, live_url, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/plans/?level=local&year=2020")
    page.get_by_role("link", name="Kế hoạch khuyến công địa phương năm 2020 tỉnh Hà Tĩnh").click()
    panel = page.locator(".attachments-panel")
    decision = panel.locator("[data-slot=decision]")
    expect(decision).to_contain_text("Đã có")
    other = panel.locator("[data-slot=other]")
    name = f"Tờ trình {width}.pdf"
    for version in (1, 2):
        other.locator("input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
        )
        other.locator(".attachments-upload").click()
        expect(other).to_contain_text(f"phiên bản {version}")
    expect(other.locator("details")).to_contain_text("phiên bản trước")
    page.wait_for_load_state("networkidle")  # the panel's last swap is done before choosing the next file
    other.locator("input[type=file]").set_input_files(
        files=[{"name": "hop-dong.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + b"\x00" * 64}]
    )
    other.locator(".attachments-upload").click()
    expect(other.locator("[role=alert]")).to_contain_text("Loại tệp này không được chấp nhận", timeout=15_000)
    with page.expect_download() as download:
        other.get_by_role("link", name=name).first.click()
    assert download.value.suggested_filename == name
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
