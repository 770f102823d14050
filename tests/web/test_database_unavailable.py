"""A database that is restarting or unreachable answers 503 with Retry-After and a clear message
(page and API), not the 500 of a server fault; a wrong query stays a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from khuyencong.accounts.tokens import issue_token
from khuyencong.api.errors import database_unavailable
from khuyencong.registry import api as registry_api
from khuyencong.registry.models import Establishment
from khuyencong.registry.views import EstablishmentListView
from tests.registry.factories import commune_of

pytestmark = pytest.mark.django_db

LOST = OperationalError("server closed the connection unexpectedly\n\tThis probably means the server terminated")


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (LOST, True),
        (OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'), True),
        (OperationalError("FATAL: the database system is starting up"), True),
        (InterfaceError("connection already closed"), True),
        (OperationalError("no such column: foo"), False),
        (ValueError("connection"), False),
        (None, False),
    ],
)
def test_what_counts_as_an_unreachable_database(exc, unavailable):
    assert database_unavailable(exc) is unavailable


def test_the_list_page_answers_503_in_vietnamese(hatinh_officer):
    client = Client(raise_request_exception=False)
    client.force_login(hatinh_officer)
    with mock.patch.object(EstablishmentListView, "selector", mock.Mock(side_effect=LOST)):
        response = client.get("/establishments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "cơ sở dữ liệu" in response.content.decode()


def test_a_wrong_query_is_still_a_500(hatinh_officer):
    client = Client(raise_request_exception=False)
    client.force_login(hatinh_officer)
    with mock.patch.object(
        EstablishmentListView, "selector", mock.Mock(side_effect=OperationalError("no such column"))
    ):
        response = client.get("/establishments/")
    assert response.status_code == 500


def test_the_api_answers_503_in_the_error_shape(hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="t")
    client = Client(raise_request_exception=False)
    with mock.patch("khuyencong.registry.api.establishment_list", side_effect=LOST):
        response = client.get("/api/v1/establishments", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "unavailable" and body["message"]


def test_a_create_whose_answer_cannot_be_read_back_stores_nothing(hatinh_officer):
    """The database lost between the write and the read of the answer: nothing is stored, so the
    client's retry after the 503 creates the record once (it used to be stored behind a 500)."""
    client = Client(raise_request_exception=False)
    client.force_login(hatinh_officer)
    payload = {"name": "Cơ sở thử mất kết nối", "legal_form": "household", "commune_code": commune_of("42").code}
    before = Establishment.objects.count()
    real = registry_api._queryset

    def lost_on_read(user, action):
        if action == "view":
            raise LOST
        return real(user, action)

    with mock.patch.object(registry_api, "_queryset", side_effect=lost_on_read):
        response = client.post("/api/v1/establishments", payload, "application/json")
    assert response.status_code == 503
    assert Establishment.objects.count() == before
    retry = client.post("/api/v1/establishments", payload, "application/json")
    assert retry.status_code == 201
    assert Establishment.objects.filter(name="Cơ sở thử mất kết nối").count() == 1
