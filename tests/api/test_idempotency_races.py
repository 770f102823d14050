"""The same create sent ten times at once with one Idempotency-Key is one record (PostgreSQL: one
connection per thread; the second insert of the key waits for the first transaction)."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from khuyencong.accounts.tokens import issue_token
from khuyencong.api.idempotency import HEADER
from khuyencong.kernel.models import IdempotentRequest
from khuyencong.registry.models import Establishment
from tests.projects.test_races import reference  # noqa: F401 (fixture)
from tests.registry.factories import commune_of

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writers need a server database (SQLite serialises the test connection)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_ten_concurrent_requests_with_one_key_create_one_record(reference, django_user_model):  # noqa: F811
    from tests.conftest import _user

    officer = _user(django_user_model, "race-idem", "provincial_officer", "SCT-42")
    _token, secret = issue_token(user=officer, name="t")
    data = json.dumps({"name": "Cơ sở đua", "legal_form": "household", "commune_code": commune_of("42").code})
    before = Establishment.objects.count()
    n = 10
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
            barrier.wait()
            response = client.post("/api/v1/establishments", data, content_type="application/json",
                                   headers={HEADER: "race-key"})  # fmt: skip
            outcome = (response.status_code, response.json().get("id") or response.json().get("code"),
                       response.get("Idempotent-Replayed"))  # fmt: skip
        except Exception as exc:
            outcome = ("error", f"{type(exc).__name__}: {exc}", None)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == n and not [r for r in results if r[0] == "error"], results
    assert Establishment.objects.count() == before + 1
    created = [r for r in results if r[0] == 201 and r[2] is None]
    assert len(created) == 1, results
    ids = {r[1] for r in results if r[0] == 201}
    assert ids == {created[0][1]}
    assert all(r[0] == 201 or r[1] == "idempotency_in_progress" for r in results), results
    assert IdempotentRequest.objects.filter(key="race-key").count() == 1
