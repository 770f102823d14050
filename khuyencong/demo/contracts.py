"""Demo contracts, written through the contract actions: for every demo project that is contracted
or further along and has no contract yet, its main contract (Agency or Department ↔ implementing
unit) and a support contract per beneficiary; some amended (a later end date, a lower value),
those of settled or closed projects liquidated.

Runs after the projects demo (``khuyencong.demo.projects``) and only reads what it finds: no
project in those states, nothing to do. Projects still ``approved`` are never contracted here (the
2020 directive scenario needs approved national projects unsigned after 15/5/2020).
Deterministic and idempotent: a project that has a contract is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.contracts import actions
from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.projects.models import Project, ProjectState

S = ProjectState
RUNNING = (S.CONTRACTED, S.IN_PROGRESS)
LATER = (S.ACCEPTED, S.SETTLEMENT_SUBMITTED, S.SETTLED, S.CLOSED)
LIQUIDATED = (S.SETTLED, S.CLOSED)


def _dates(project: Project) -> tuple[dt.date, dt.date, dt.date]:
    today = timezone.localdate()
    signed = project.contracted_on or project.approved_on or dt.date(project.year, 4, 1)
    signed = min(max(signed, project.approved_on or signed), today)
    start = max(project.start_date or signed, signed)
    end = project.end_date if project.end_date and project.end_date >= start else start + dt.timedelta(days=180)
    return signed, start, end


def _main(user, project: Project) -> Contract:
    signed, start, end = _dates(project)
    values = {"number": f"{project.code}/HĐ", "value": project.approved_support, "signed_on": signed,
              "start_date": start, "end_date": end, "deadline": end,
              "subject": f"Thực hiện đề án {project.name}"[:500]}  # fmt: skip
    contract = actions.save_contract(user=user, project=project, kind=ContractKind.MAIN, values=values)
    return actions.sign_contract(user=user, contract=contract, signed_on=signed)


def _supports(user, project: Project, main: Contract) -> list[Contract]:
    made, left = [], main.value
    for line in project.beneficiaries.select_related("establishment").order_by("position"):
        value = min(line.support, left)
        if value <= 0:
            break
        values = {"number": f"{project.code}/HĐHT-{line.position}", "value": value, "signed_on": main.signed_on,
                  "start_date": main.start_date, "end_date": main.end_date, "deadline": main.deadline,
                  "subject": f"Hỗ trợ {line.establishment.name}"[:500]}  # fmt: skip
        contract = actions.save_contract(user=user, project=project, kind=ContractKind.SUPPORT, beneficiary=line,
                                         values=values)  # fmt: skip
        made.append(actions.sign_contract(user=user, contract=contract, signed_on=main.signed_on))
        left -= value
    return made


def _amend(user, contract: Contract, index: int) -> None:
    contract.refresh_from_db()
    on = min(contract.signed_on + dt.timedelta(days=60), timezone.localdate())
    actions.amend_contract(user=user, contract=contract, number="PL-01", signed_on=on,
                           reason="Gia hạn thời gian thực hiện do thời tiết và dịch bệnh",
                           new_end_date=contract.end_date + dt.timedelta(days=30 + index % 3 * 15))  # fmt: skip


def _contract_project(user, project: Project, index: int) -> int:
    """Contracts of one project; a project already past ``in_progress`` is contracted as it was
    then (the state is set back for the writes and restored, inside the transaction)."""
    later = project.state if project.state in LATER else None
    if later:
        Project.objects.filter(pk=project.pk).update(state=S.IN_PROGRESS)
        project.refresh_from_db()
    main = _main(user, project)
    supports = _supports(user, project, main)
    if index % 3 == 0:
        _amend(user, main, index)
    if supports and index % 4 == 1:
        _amend(user, supports[0], index)
    if later:
        Project.objects.filter(pk=project.pk).update(state=later)
        project.refresh_from_db()
        if later in LIQUIDATED:
            day = max(project.accepted_on or main.end_date, main.signed_on)
            day = min(day, timezone.localdate())
            for contract in [*supports, main]:
                contract.refresh_from_db()
                actions.liquidate_contract(user=user, contract=contract, liquidation_number=f"TL-{contract.number}",
                                           liquidated_on=max(day, contract.signed_on))  # fmt: skip
    return 1 + len(supports)


def load_contracts() -> dict:
    """Contracts for the demo projects found contracted or later without one; returns the counts."""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return {"contracts": Contract.objects.count(), "added": 0}
    candidates = (
        Project.objects.filter(state__in=[*RUNNING, *LATER], approved_support__gt=0)
        .exclude(contracts__isnull=False)
        .select_related("province", "implementing_unit")
        .order_by("year", "code")
    )
    added = skipped = 0
    with acting_as(admin):
        for index, project in enumerate(candidates):
            try:
                with transaction.atomic():
                    added += _contract_project(admin, project, index)
            except ActionRefused:
                skipped += 1  # a demo project whose dates or money do not allow a contract
    return {
        "contracts": Contract.objects.count(),
        "added": added,
        "skipped_projects": skipped,
        "amended": Contract.objects.filter(state=ContractState.AMENDED).count(),
    }
