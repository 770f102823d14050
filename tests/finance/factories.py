"""Money for tests: a national plan of 2026, a contracted project of Hà Tĩnh with its main contract
signed, and an allocation to its implementing unit, written directly (the actions are under test)."""

from __future__ import annotations

import datetime as dt

from khuyencong.contracts.models import ContractKind, ContractState
from khuyencong.finance import accounts
from khuyencong.finance.models import Allocation
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level
from tests.contracts.factories import approved_project, make_contract
from tests.planning.factories import make_plan

TRAINING_2012 = "2012-01"  # first advance 70% (TT 36/2013)
SIGNED = dt.date(2026, 3, 10)


def plan_of(year: int = 2026, *, province_code: str | None = None, total: int = 1_000_000_000) -> AnnualPlan:
    level = Level.LOCAL if province_code else Level.NATIONAL
    found = AnnualPlan.objects.filter(level=level, year=year, province__code=province_code).first()
    if found is None and province_code is None:
        found = AnnualPlan.objects.filter(level=level, year=year).first()
    return found or make_plan(province_code, year=year, total=total, approved=True)


def allocate_directly(plan: AnnualPlan, unit: OrgUnit, amount: int, source: str = "central") -> Allocation:
    row = Allocation.objects.create(
        year=plan.year, level=plan.level, plan=plan, unit=unit, province=unit.province, funding_source=source,
        amount=amount, decision_number=f"{Allocation.objects.count() + 1}/QĐ-TEST", decision_date=dt.date(2026, 1, 20),
    )  # fmt: skip
    account = accounts.allocation_account(unit_id=unit.pk, year=plan.year, funding_source=source)
    assert accounts.move(account, ceiling_delta=amount)
    return row


def contracted_project(*, content: str = TRAINING_2012, allocation: int | None = 1_000_000_000,
                       level=Level.NATIONAL, state=ProjectState.CONTRACTED, contract_value: int | None = None,
                       **fields) -> Project:  # fmt: skip
    """A project of Hà Tĩnh (approved support 250 M: lines of 150 M and 100 M) with its main contract
    signed on 10/3/2026 and, unless ``allocation`` is None, that much allocated to its unit for 2026."""
    plan = plan_of(2026, province_code="42" if level == Level.LOCAL else None)
    project = approved_project(level=level, state=state, content=content, plan=plan, contracted_on=SIGNED, **fields)
    make_contract(project, value=contract_value, state=ContractState.SIGNED, signed_on=SIGNED)
    if allocation:
        source = "central" if level == Level.NATIONAL else "local"
        allocate_directly(plan, project.implementing_unit, allocation, source)
    return project


def support_contract(project: Project, line, value: int):
    return make_contract(project, kind=ContractKind.SUPPORT, beneficiary=line, value=value,
                         state=ContractState.SIGNED, signed_on=SIGNED)  # fmt: skip
