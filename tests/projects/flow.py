"""Walk a project through the steps another app's flow takes (``projects.actions.reserve_step``):
the acceptance record of every beneficiary line (the last passing one accepts the project), the
settlement dossier, and the settlement's approval (which settles it). Tests use these instead of
the bare ``accept`` / ``submit_settlement`` / ``settle`` / ``settle_local`` steps, refused to them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from khuyencong.finance.acceptance import record_acceptance
from khuyencong.finance.models import Settlement, SettlementState
from khuyencong.finance.settlement import approve_settlement, check_settlement, submit_settlement_dossier
from khuyencong.projects.models import Project
from khuyencong.rulebook.models import Level


def accept_lines(user, project: Project, on: dt.date, *, passed: bool = True) -> Project:
    """A passing (or failed) acceptance record for every line of ``project`` not yet passed."""
    from khuyencong.finance.acceptance import latest_records

    records = latest_records(project)
    for n, line in enumerate(project.beneficiaries.order_by("position", "pk"), 1):
        if line.pk in records and records[line.pk].passed:
            continue
        record_acceptance(user=user, line=line, passed=passed, accepted_on=on, achieved=f"Đạt kết quả dòng {n}",
                          record_number=f"BB-NT-{project.pk}-{n}")  # fmt: skip
    project.refresh_from_db()
    return project


def send_dossier(user, project: Project, on: dt.date | None = None) -> Project:
    submit_settlement_dossier(user=user, project=project, submitted_on=on)
    project.refresh_from_db()
    return project


def settle(
    approver,
    project: Project,
    *,
    decision_number: str = "45/QĐ-QT",
    decision_date: dt.date | None = None,
    checker=None,
    amount: int | None = None,
) -> Project:
    """Approve the project's settlement (a local one checked first by ``checker``); ``amount``
    defaults to what the dossier proposed."""
    found = Settlement.objects.get(project=project)
    decided = decision_date or timezone.localdate()
    if project.level == Level.LOCAL and found.state == SettlementState.SUBMITTED:
        found = check_settlement(user=checker, settlement=found, checked_on=found.submitted_on)
    approve_settlement(user=approver, settlement=found, decision_number=decision_number, decision_date=decided,
                       settled_amount=found.proposed_amount if amount is None else amount)  # fmt: skip
    project.refresh_from_db()
    return project
