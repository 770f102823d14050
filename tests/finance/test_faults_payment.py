"""kill -9 in the middle of payment requests, on PostgreSQL (the scripted run is
scripts/faults/kill_payment.py, docs/quality.md "Money faults"): a child process requests payments
with idempotency keys and is killed twice — once wherever it is, once inside a payment's
transaction; every key is then sent once more. Nothing acknowledged is lost, nothing is doubled, the
killed transaction leaves nothing behind and the accounts equal the ledger."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.projects.test_races import reference  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the child process needs a server database it can share with the test",
    ),
    pytest.mark.django_db(transaction=True),
]
FAULTS = Path(__file__).resolve().parents[2] / "scripts" / "faults"


def test_killing_a_paying_process_loses_and_doubles_nothing(reference):  # noqa: F811
    sys.path.insert(0, str(FAULTS))
    try:
        import kill_payment
    finally:
        sys.path.remove(str(FAULTS))
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "khuyencong.settings"}
    facts, failures = [], []

    def check(passed, text):
        facts.append(f"{'PASS' if passed else 'FAIL'}: {text}")
        if not passed:
            failures.append(text)

    kill_payment.scenario(env, 40, facts.append, check, prefix="test-pay")
    assert not failures, "\n".join(facts)
    assert sum(f.startswith("PASS") for f in facts) >= 9, facts
