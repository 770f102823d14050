import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_in_vietnamese_by_default(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/").content.decode()
    assert 'lang="vi"' in body
    assert "Trang chủ" in body


def test_english_browser_gets_a_working_page(hatinh_officer):
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(hatinh_officer)
    response = client.get("/")
    assert response.status_code == 200


def test_unknown_browser_language_falls_back_to_vietnamese(hatinh_officer):
    client = Client(headers={"accept-language": "fr-FR,fr;q=0.9"})
    client.force_login(hatinh_officer)
    assert "Trang chủ" in client.get("/").content.decode()


def test_navigation_depends_on_role(client_for, hatinh_officer, admin_user, outsider):
    officer = client_for(hatinh_officer).get("/").content.decode()
    assert reverse("organisation:orgunit_list") in officer
    assert reverse("audit:objectchange_list") not in officer
    assert reverse("audit:objectchange_list") in client_for(admin_user).get("/").content.decode()
    assert reverse("organisation:orgunit_list") not in client_for(outsider).get("/").content.decode()


def test_vietnamese_error_pages(client_for, outsider):
    client = client_for(outsider)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "không tồn tại" in response.content.decode()
    response = client.get(reverse("organisation:orgunit_list"))
    assert response.status_code == 403
    assert "không có quyền" in response.content.decode()


def test_security_headers(client_for, hatinh_officer):
    response = client_for(hatinh_officer).get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "job_queue": True}}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["migrations"] is True


def test_list_page_query_count_is_bounded(client_for, agency_officer, django_assert_max_num_queries):
    client = client_for(agency_officer)
    client.get("/org-units/")  # warm caches (content types, session)
    with django_assert_max_num_queries(12):
        response = client.get("/org-units/")
    assert response.status_code == 200
