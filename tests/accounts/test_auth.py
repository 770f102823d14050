import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_lands_on_home_with_roles_and_units(client, hatinh_officer):
    response = client.post(reverse("login"), {"username": "hatinh", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sở Công Thương tỉnh Hà Tĩnh" in body
    assert "Chuyên viên Sở Công Thương" in body or "provincial" not in body


def test_lockout_after_repeated_failed_logins(client, hatinh_officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "hatinh", "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(reverse("login"), {"username": "hatinh", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập bị khóa" in response.content.decode() or "khóa" in response.content.decode()


def test_failed_login_shows_vietnamese_error(client, hatinh_officer):
    response = client.post(reverse("login"), {"username": "hatinh", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_logs_out(client, hatinh_officer):
    client.force_login(hatinh_officer)
    response = client.post(reverse("logout"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "đăng xuất" in response.content.decode()


def test_password_change(client, hatinh_officer):
    client.force_login(hatinh_officer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Mot-mat-khau-moi-2026", "new_password2": "Mot-mat-khau-moi-2026"},
    )
    assert response.status_code == 302
    hatinh_officer.refresh_from_db()
    assert hatinh_officer.check_password("Mot-mat-khau-moi-2026")


def test_password_reset_sends_mail(client, hatinh_officer):
    hatinh_officer.email = "hatinh@example.vn"
    hatinh_officer.save()
    response = client.post(reverse("password_reset"), {"email": "hatinh@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "hatinh@example.vn" in mail.outbox[0].to


def test_pages_require_login(client):
    response = client.get(reverse("organisation:orgunit_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
