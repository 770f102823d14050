"""``khuyencong gen-data --only ledger``: synthetic money for the rollup benchmark whose accounts
equal the sums of its entries and whose rollup equals the plain sums of the rows written."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from khuyencong.contracts.models import Contract
from khuyencong.demo import generate as gen
from khuyencong.demo.generate_ledger import generate_ledger
from khuyencong.demo.generate_projects import generate_projects
from khuyencong.finance import accounts
from khuyencong.finance.models import Allocation, EntryStatus, LedgerEntry
from khuyencong.finance.rollups import rollup

pytestmark = pytest.mark.django_db


def test_generated_ledger_is_consistent(territory, admin_user):
    gen.mark_database("benchmark")
    ctx = gen.Context(scale="demo", seed=3, log=lambda _text: None)
    gen.generate_establishments(ctx, 300)
    generate_projects(ctx, 400)
    written = generate_ledger(ctx, 2_000)
    assert 1_900 <= written <= 2_100 and LedgerEntry.objects.count() == written
    assert accounts.reconcile() == []
    assert generate_ledger(ctx, 2_000) == 0  # already there: nothing to do
    result = rollup(admin_user, group_by=["year"])
    paid = LedgerEntry.objects.filter(status=EntryStatus.PAID)
    assert result.total.allocated == Allocation.objects.aggregate(s=Sum("amount"))["s"]
    assert result.total.settled == paid.filter(kind="settlement").aggregate(s=Sum("amount"))["s"]
    contracted = Contract.objects.filter(state__in=["signed", "liquidated"]).aggregate(s=Sum("value"))["s"]
    assert result.total.contracted == contracted
    assert result.total.plan > result.total.allocated > 0
    assert [row.key["year"] for row in result.rows] == list(range(2007, 2027))  # money in every year
