"""``khuyencong check-ledger``: silent success while the accounts equal the ledger; the differing
accounts listed and a non-zero exit as soon as one does not (e.g. a counter changed by hand)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from khuyencong import cli
from khuyencong.finance import actions
from khuyencong.finance.models import Account, EntryKind
from tests.finance.factories import contracted_project

pytestmark = pytest.mark.django_db


def test_check_ledger_passes_on_true_books_and_fails_on_a_tampered_account(implementer, capsys):
    project = contracted_project()
    actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=100_000_000,
                            entry_date=dt.date(2026, 3, 20))  # fmt: skip
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "Ledger consistent" in out.getvalue() and "account(s)" in out.getvalue()

    Account.objects.filter(project=project).update(committed=99_000_000)  # someone edits the database by hand
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("check_ledger", stdout=out)
    assert caught.value.returncode == 1 and "1 account(s) differ" in str(caught.value)
    assert f"project:{project.pk}" in out.getvalue() and "99000000" in out.getvalue()

    with pytest.raises(SystemExit) as exited:  # the console command: a non-zero exit status for cron
        cli.main(["check-ledger"])
    assert exited.value.code == 1
    assert f"project:{project.pk}" in capsys.readouterr().out
