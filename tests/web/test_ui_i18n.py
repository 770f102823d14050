"""Vietnamese screens have no English left in them, and Vietnamese is what everyone gets first."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.registry.factories import make_establishment, make_village

pytestmark = pytest.mark.django_db

ENGLISH_LABELS = [
    "Business registration number",
    "Owner's gender",
    "Commune before 1/7/2025",
    "Women workers",
    "Annual revenue",
    "Founding year",
    "Employs ethnic-minority workers",
    "In a disadvantaged area",
]


def test_establishment_detail_labels_are_vietnamese(client_for, hatinh_officer):
    establishment = make_establishment(registration_number="2801234567", founding_year=2015)
    body = client_for(hatinh_officer).get(reverse("registry:establishment_detail", args=[establishment.pk])).content
    text = body.decode()
    for label in ENGLISH_LABELS:
        assert label not in text
    for label in ("Số đăng ký kinh doanh", "Giới tính chủ cơ sở", "Năm thành lập", "Thuộc vùng khó khăn"):
        assert label in text


def test_craft_village_list_headers_are_vietnamese(client_for, hatinh_officer):
    make_village()
    text = client_for(hatinh_officer).get(reverse("registry:craftvillage_list")).content.decode()
    assert "Recognition decision" not in text
    assert "Crafts" not in text
    assert "Số quyết định công nhận" in text
    assert "Ngày quyết định công nhận" in text


def test_excel_export_headers_are_vietnamese(client_for, agency_officer):
    make_establishment()
    response = client_for(agency_officer).get(reverse("registry:establishment_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert "Số ĐKKD" in header and "Doanh thu năm (đồng)" in header  # the import's headers (round trip)
    assert not [h for h in header if h in ENGLISH_LABELS or h == "Annual revenue (đồng)"]


def test_blank_choice_and_number_errors_read_naturally(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    form_page = client.get(reverse("registry:establishment_add")).content.decode()
    assert "Select an option" not in form_page
    assert "— Chọn —" in form_page
    response = client.post(
        reverse("registry:establishment_add"),
        {"name": "Cơ sở thử", "legal_form": "household", "workers_total": "abc", "founding_year": "2500"},
    )
    text = response.content.decode()
    assert "Nhập một số nguyên." in text
    assert "tổng thể" not in text
    assert "Giá trị không được lớn hơn" in text
    assert "bằng với" not in text


def test_english_browser_gets_vietnamese_login_page():
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(reverse("login"))
    text = response.content.decode()
    assert 'lang="vi"' in text
    assert "Đăng nhập" in text
    assert "Log in to your account" not in text
    assert response["Content-Language"] == "vi"


def test_english_only_by_the_switch_and_it_is_remembered(hatinh_officer):
    client = Client(headers={"accept-language": "vi"})
    client.force_login(hatinh_officer)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies["kc_language"]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 30 * 24 * 3600  # survives closing the browser
    assert "Home" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Trang chủ" in client.get("/").content.decode()


def test_unknown_language_cookie_falls_back_to_vietnamese(hatinh_officer):
    client = Client()
    client.cookies["kc_language"] = "fr"
    client.force_login(hatinh_officer)
    assert "Trang chủ" in client.get("/").content.decode()


def test_empty_detail_values_show_a_dash_not_a_collapsed_row(client_for, hatinh_officer):
    establishment = make_establishment(registration_number="", email="", workers_total=0)
    text = client_for(hatinh_officer).get(reverse("registry:establishment_detail", args=[establishment.pk])).content
    text = text.decode()
    dash = '<dd class="col-sm-9"><span class="text-secondary">—</span>'
    assert f'<dt class="col-sm-3">Số đăng ký kinh doanh</dt>{dash}' in text
    assert '<dt class="col-sm-3">Lao động</dt><dd class="col-sm-9">0</dd>' in text


def test_plain_wording_for_officials(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    form = client.get(reverse("password_change")).content.decode()
    assert re.search(r'<button type="submit"[^>]*>Đổi mật khẩu</button>', form)
    listing = client.get(reverse("registry:establishment_list")).content.decode()
    assert "Hồ sơ nghi trùng" in listing and "có thể trùng" not in listing
