"""The demo's history fills the 2021–2025 programme summary: projects and money in every year of
the period, in many provinces, the ledger still balanced; loading it again adds nothing."""

from __future__ import annotations

import pytest

from khuyencong.accounts.models import User
from khuyencong.demo.contracts import load_contracts
from khuyencong.demo.finance import load_finance
from khuyencong.demo.history import PROVINCES, load_history
from khuyencong.demo.planning import load_planning
from khuyencong.demo.projects import load_projects
from khuyencong.demo.registry import load_registry
from khuyencong.demo.rulebook import load_rulebook
from khuyencong.documents.kinds import programme_summary
from khuyencong.finance import accounts
from khuyencong.organisation.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_history_fills_the_2021_2025_summary(territory):
    load_demo()
    load_registry(establishments=300)
    load_planning()
    load_rulebook()
    load_projects()
    added = load_history()["added"]
    assert added >= 2 * len(PROVINCES)
    load_contracts()
    load_finance()
    assert accounts.reconcile() == []
    agency = User.objects.get(username="cuc.chuyenvien")
    document = programme_summary.build(agency, {"from_year": 2021, "to_year": 2025})
    provinces, years = document.tables()[0], document.tables()[1]
    placed = [row for row in provinces.rows if row[0] and row[2]]
    assert len(placed) >= 25
    disbursed = years.columns.index("Đã giải ngân")
    assert all(row[1] > 0 and row[disbursed] > 0 for row in years.rows)  # every year has projects and money
    assert load_history()["added"] == 0
