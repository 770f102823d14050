"""The settlement demo: acceptance records and settlements for the projects the other demos left
accepted or further along, robust without any ledger entry, and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.demo.settlement import load_settlement
from khuyencong.finance.models import AcceptanceRecord, Settlement, SettlementState
from khuyencong.organisation.demo import load_demo
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level
from tests.contracts.factories import approved_project, make_contract

pytestmark = pytest.mark.django_db
S = ProjectState


def test_records_and_settlements_once(territory):
    load_demo()
    signed = {"contracted_on": dt.date(2026, 3, 10), "accepted_on": dt.date(2026, 10, 1)}
    accepted = approved_project(state=S.ACCEPTED, **signed)
    sent = approved_project(state=S.SETTLEMENT_SUBMITTED, level=Level.LOCAL, **signed)
    settled = approved_project(state=S.SETTLED, settled_on=dt.date(2026, 11, 1), **signed)
    running = approved_project(state=S.IN_PROGRESS, contracted_on=dt.date(2026, 3, 10))
    for project in (accepted, sent, settled, running):
        make_contract(project, state="signed")
    first = load_settlement()
    assert first["acceptance_records"] == 6 and first["settlements"] == 2
    assert AcceptanceRecord.objects.filter(project=running).count() == 1
    assert Settlement.objects.get(project=sent).state == SettlementState.CHECKED
    done = Settlement.objects.get(project=settled)
    assert done.state == SettlementState.APPROVED and done.settled_amount == 0  # no ledger: nothing disbursed
    assert not Settlement.objects.filter(project=accepted).exists()
    again = load_settlement()
    assert again == {"acceptance_records": 0, "settlements": 0, "accepted_in_progress": 0}
