"""Contracts for tests: approved projects ready for a contract, and contracts written directly."""

from __future__ import annotations

import datetime as dt
import itertools

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level
from tests.projects.factories import make_project

_n = itertools.count(1)
APPROVED_ON = dt.date(2026, 3, 2)


def approved_project(province_code: str | None = "42", *, level: str = Level.NATIONAL, state=ProjectState.APPROVED,
                     lines=None, approved_support: int | None = None, **fields) -> Project:  # fmt: skip
    """A project approved on 2/3/2026 with two beneficiaries (150 and 100 million support)."""
    lines = [(400_000_000, 150_000_000), (300_000_000, 100_000_000)] if lines is None else lines
    fields.setdefault("approved_on", APPROVED_ON)
    project = make_project(province_code, level=level, state=state, lines=lines, decision_number="123/QĐ-BCT",
                           **fields)  # fmt: skip
    project.approved_support = project.support_amount if approved_support is None else approved_support
    project.save()
    return project


def make_contract(project: Project, *, kind: str = ContractKind.MAIN, beneficiary=None, value: int | None = None,
                  state: str = ContractState.DRAFT, number: str | None = None, **fields) -> Contract:  # fmt: skip
    """A contract written directly (no checks): the main one by the Agency or the Department, a support
    one by the implementing unit with the project's first beneficiary."""
    n = next(_n)
    if kind == ContractKind.MAIN:
        party_a = OrgUnit.objects.get(
            code="CUC-DMST" if project.level == Level.NATIONAL else f"SCT-{project.province.code}"
        )
        extra = {"party_b_unit": project.implementing_unit}
        default_value = project.approved_support or 0
    else:
        beneficiary = beneficiary or project.beneficiaries.order_by("position").first()
        party_a = project.implementing_unit
        extra = {"beneficiary": beneficiary, "party_b_establishment": beneficiary.establishment}
        default_value = beneficiary.support
    signed = state != ContractState.DRAFT
    return Contract.objects.create(
        project=project,
        kind=kind,
        number=number or f"{n:03d}/HĐ-KC",
        party_a=party_a,
        value=default_value if value is None else value,
        signed_on=fields.pop("signed_on", dt.date(2026, 3, 10) if signed else None),
        start_date=fields.pop("start_date", dt.date(2026, 3, 15)),
        end_date=fields.pop("end_date", dt.date(2026, 11, 30)),
        deadline=fields.pop("deadline", dt.date(2026, 11, 30)),
        state=state,
        **extra,
        **fields,
    )
