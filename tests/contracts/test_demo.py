"""The contracts demo: contracts for projects found contracted or later, none for approved ones
(the 2020 directive scenario), idempotent, nothing when there are no projects."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.demo.contracts import load_contracts
from khuyencong.organisation.demo import load_demo
from khuyencong.projects.models import ProjectState
from tests.contracts.factories import approved_project

pytestmark = pytest.mark.django_db
S = ProjectState


def test_nothing_to_do_without_projects(territory):
    load_demo()
    assert load_contracts()["added"] == 0


def test_contracts_for_contracted_and_later_projects_only(territory):
    load_demo()
    running = [approved_project(state=state, contracted_on=dt.date(2026, 3, 10))
               for state in (S.CONTRACTED, S.IN_PROGRESS, S.IN_PROGRESS)]  # fmt: skip
    settled = approved_project(state=S.SETTLED, contracted_on=dt.date(2026, 3, 10), accepted_on=dt.date(2026, 5, 1))
    unsigned_2020 = approved_project(year=2020, approved_on=dt.date(2020, 3, 2))
    first = load_contracts()
    assert first["added"] == 12 and first["skipped_projects"] == 0  # a main and two support contracts each
    assert not unsigned_2020.contracts.exists()
    for project in running:
        project.refresh_from_db()
        main = project.contracts.get(kind=ContractKind.MAIN)
        assert main.value == project.approved_support and main.state in (ContractState.SIGNED, ContractState.AMENDED)
        assert project.state in (S.CONTRACTED, S.IN_PROGRESS)
    assert Contract.objects.filter(state=ContractState.AMENDED).exists()
    settled.refresh_from_db()
    assert settled.state == S.SETTLED
    assert set(settled.contracts.values_list("state", flat=True)) == {ContractState.LIQUIDATED}
    assert load_contracts()["added"] == 0
