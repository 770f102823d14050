import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def log_in(page, live_url, username, password="khuyencong2026"):
    page.goto(f"{live_url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")


def test_provincial_officer_logs_in_sees_vietnamese_navigation_and_logs_out(page, live_url):
    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", name="Đăng nhập vào tài khoản")).to_be_visible()
    log_in(page, live_url, "hatinh.chuyenvien")

    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="Trang chủ")).to_be_visible()
    expect(nav.get_by_role("link", name="Đơn vị")).to_be_hidden()  # inside the "Quản trị" drop-down
    nav.get_by_role("button", name="Quản trị").click()
    expect(nav.get_by_role("link", name="Đơn vị")).to_be_visible()
    expect(nav.get_by_role("link", name="Nhật ký thay đổi")).to_have_count(0)  # not for this role
    expect(page.locator("#my-roles")).to_contain_text("Sở Công Thương tỉnh Hà Tĩnh")

    page.click("#user-menu")
    page.click("#logout-button")
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    page.goto(f"{live_url}/org-units/")
    expect(page.locator("#login-button")).to_be_visible()


def test_officer_sees_only_own_province_units(page, live_url):
    log_in(page, live_url, "hatinh.chuyenvien")
    page.goto(f"{live_url}/org-units/?q=nghe an")
    expect(page.locator("#results")).to_contain_text("Không có bản ghi")
    page.goto(f"{live_url}/org-units/?q=ha tinh")
    expect(page.locator("#results")).to_contain_text("Sở Công Thương tỉnh Hà Tĩnh")


def test_english_browser_still_gets_a_working_page(browser, live_url):
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/")
    expect(page.locator("#login-button")).to_be_visible()
    context.close()
