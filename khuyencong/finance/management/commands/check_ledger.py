"""``khuyencong check-ledger``: recompute every money account from the ledger's entries and list
the ones that differ (ADR 0007). Exits with status 1 when there is any, so a cron job or a
monitoring probe can alert on it; nothing is changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from khuyencong.finance import accounts
from khuyencong.finance.models import Account, LedgerEntry


class Command(BaseCommand):
    help = (
        "Check that every money account (project, beneficiary line, allocation) equals the sums of its "
        "ledger entries; list the differences and exit non-zero when there are any."
    )

    def handle(self, *args, **options):
        problems = accounts.reconcile()
        for problem in problems:
            self.stdout.write(problem)
        checked = f"{Account.objects.count()} account(s) and {LedgerEntry.objects.count()} ledger entry(ies)"
        if problems:
            raise CommandError(f"{len(problems)} account(s) differ from the ledger ({checked} checked)", returncode=1)
        self.stdout.write(f"Ledger consistent: {checked} checked.")
