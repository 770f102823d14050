"""A method an API path does not offer is a 405 in the API's one error shape, naming what is allowed."""

import pytest
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.organisation.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_a_method_the_path_does_not_offer_is_a_json_405(client, territory, agency_officer):
    units_before = OrgUnit.objects.count()
    _token, secret = issue_token(user=agency_officer, name="test")
    response = client.delete("/api/v1/org-units", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert "DELETE" in body["message"]
    assert "GET" in body["details"]["allowed"] and "DELETE" not in body["details"]["allowed"]
    assert "DELETE" not in response["Allow"]
    assert "no-store" in response["Cache-Control"]
    assert OrgUnit.objects.count() == units_before


def test_pages_outside_the_api_keep_django_405(client, territory, agency_officer):
    client.force_login(agency_officer)
    response = client.put(reverse("logout"))
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")
