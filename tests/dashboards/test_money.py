"""Money on the dashboards comes from the finance rollups (``finance.rollups.rollup``), never added
up here: the KPI figures equal the rollup's totals, and a payment shows in the month it was paid.
"""

import datetime as dt

import pytest

from khuyencong.finance import actions, rollups
from khuyencong.finance.models import EntryKind
from tests.finance.factories import contracted_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_project(territory, agency_officer):
    project = contracted_project()
    entry = actions.request_payment(
        user=agency_officer, project=project, kind=EntryKind.ADVANCE, amount=100_000_000, entry_date=dt.date(2026, 4, 2)
    )
    actions.approve_payment(user=agency_officer, entry=entry)
    return project


def test_money_kpis_equal_the_rollup(paid_project, agency_officer, client_for):
    body = client_for(agency_officer).get("/api/v1/dashboard", {"year": 2026}).json()
    total = rollups.rollup(agency_officer, year=2026, group_by=["province"]).total
    money = body["money"]
    assert money is not None
    assert (money["plan"], money["allocated"], money["disbursed"], money["settled"]) == (
        total.plan,
        total.allocated,
        total.disbursed,
        total.settled,
    )
    assert money["disbursed"] == 100_000_000
    assert body["disbursement_by_month"] == [{"year": 2026, "month": 4, "amount": 100_000_000}]
    hatinh = next(p for p in body["provinces"] if p["code"] == "42")
    assert hatinh["disbursed"] == 100_000_000 and hatinh["allocated"] == total.allocated


def test_money_cards_link_to_the_ledger(paid_project, agency_officer, client_for):
    page = client_for(agency_officer).get("/dashboards/", {"year": 2026})
    html = page.content.decode()
    assert 'data-kpi="money-3"' in html and "100.000.000 đ" in html
    assert page.context["links"]["ledger"].startswith("/finance/ledger/?year=2026")


def test_money_is_scoped_like_the_ledger(paid_project, nghean_officer, hatinh_officer, client_for):
    other = client_for(nghean_officer).get("/api/v1/dashboard", {"year": 2026}).json()
    assert other["money"]["disbursed"] == 0 and other["disbursement_by_month"] == []
    assert all(p["code"] != "42" for p in other["provinces"])
    own = client_for(hatinh_officer).get("/api/v1/dashboard", {"year": 2026}).json()
    assert own["money"]["disbursed"] == 100_000_000
