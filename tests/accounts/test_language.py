"""The language switch is remembered on the account: a signed-in person gets the language they
chose on every browser; everyone else gets Vietnamese (or this browser's own switch), and the
browser's Accept-Language is never used."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from khuyencong.accounts.models import User
from khuyencong.audit.models import ObjectChange

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


def home_language(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response["Content-Language"]


def test_the_switch_keeps_the_choice_on_the_account_and_logs_it(hatinh_officer):
    client = Client(headers={"accept-language": "vi"})
    client.force_login(hatinh_officer)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    hatinh_officer.refresh_from_db()
    assert hatinh_officer.language == "en"
    change = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(hatinh_officer.pk)
    ).latest("pk")
    assert ("language", "", "en") in [tuple(row) for row in change.changed_fields]
    assert change.user == hatinh_officer


def test_the_choice_follows_the_person_to_another_browser(hatinh_officer):
    User.objects.filter(pk=hatinh_officer.pk).update(language="en")
    other = Client(headers={"accept-language": "vi"})  # no language cookie at all
    other.force_login(hatinh_officer)
    assert home_language(other) == "en"
    assert "Home" in other.get("/").content.decode()


def test_the_account_wins_over_a_cookie_left_in_the_browser(hatinh_officer):
    User.objects.filter(pk=hatinh_officer.pk).update(language="vi")
    client = Client()
    client.cookies["kc_language"] = "en"
    client.force_login(hatinh_officer)
    assert home_language(client) == "vi"


def test_no_choice_means_vietnamese_whatever_the_browser_says(hatinh_officer):
    client = Client(headers=ENGLISH_BROWSER)
    client.force_login(hatinh_officer)
    assert home_language(client) == "vi"
    anonymous = Client(headers=ENGLISH_BROWSER)
    assert anonymous.get(reverse("login"))["Content-Language"] == "vi"


def test_signing_out_leaves_the_account_language_behind(hatinh_officer):
    User.objects.filter(pk=hatinh_officer.pk).update(language="en")
    client = Client(headers=ENGLISH_BROWSER)
    client.force_login(hatinh_officer)
    assert home_language(client) == "en"
    client.post(reverse("logout"))
    assert client.get(reverse("login"))["Content-Language"] == "vi"


def test_an_unknown_code_is_not_kept(hatinh_officer):
    client = Client()
    client.force_login(hatinh_officer)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    hatinh_officer.refresh_from_db()
    assert hatinh_officer.language == ""
    assert home_language(client) == "vi"


def test_switching_while_signed_out_sets_only_the_browser(hatinh_officer):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert client.get(reverse("login"))["Content-Language"] == "en"
    hatinh_officer.refresh_from_db()
    assert hatinh_officer.language == ""


def test_the_switch_answers_only_post():
    assert Client().get(reverse("set_language")).status_code == 405
