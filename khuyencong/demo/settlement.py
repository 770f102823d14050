"""Demo acceptance records and settlements for the demo projects that have reached them.

Runs after the projects, contracts and money demos (``khuyencong.demo.finance`` when present) and
only reads what it finds:

- every beneficiary line of a project accepted or further along gets a passing acceptance record
  dated the project's acceptance (target outputs copied, achieved outputs written out);
- a project whose settlement dossier was sent gets a ``Settlement`` in state ``submitted`` (a
  local one of Hà Tĩnh already checked by ``hatinh.taichinh``, so ``hatinh.chuyenvien`` has one
  to approve); a settled or closed project an approved one, its amount the ledger's settlement
  entries when the money demo wrote them, else what was disbursed (zero without a ledger);
- up to three Hà Tĩnh projects in progress with two lines or more get their first line accepted
  through ``finance.acceptance.record_acceptance`` (they stay in progress, so the section shows a
  line still to accept; the projects demo's states are left as they were).

The projects demo takes the acceptance and settlement steps through the real flow
(``demo/projects.py``: an acceptance record per line, the dossier, the check and the approval) before
any money exists, so here those settlements get the ledger's amounts. Only projects without a
beneficiary line (group projects of provinces outside the demo registry, whose steps the projects
demo records as the flows do) get their rows written directly. Nothing is written for a project that
already has acceptance records or a settlement, so running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.finance.acceptance import record_acceptance
from khuyencong.finance.models import (
    AcceptanceRecord,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    Settlement,
    SettlementState,
    SettlementTransition,
)
from khuyencong.finance.settlement import disbursed_of
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level

S = ProjectState
ACCEPTED_OR_LATER = (S.ACCEPTED, S.SETTLEMENT_SUBMITTED, S.SETTLED, S.CLOSED)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _accepted_on(project: Project) -> dt.date:
    return project.accepted_on or (project.end_date or dt.date(project.year, 11, 15))


def _records(project: Project, author) -> int:
    on = _accepted_on(project)
    added = 0
    for n, line in enumerate(project.beneficiaries.order_by("position", "pk"), 1):
        AcceptanceRecord.objects.create(
            project=project, beneficiary=line, accepted_on=on, passed=True, record_number=f"{n:02d}/BB-NT",
            target_outputs=line.outputs,
            achieved_outputs=line.outputs or "Hoàn thành các nội dung theo hợp đồng hỗ trợ",
            created_by=author,
        )  # fmt: skip
        added += 1
    return added


def _settled_amount(project: Project) -> tuple[int, int]:
    disbursed = disbursed_of(project)
    settled = LedgerEntry.objects.filter(project=project, kind=EntryKind.SETTLEMENT, status=EntryStatus.PAID).aggregate(
        total=Sum("amount")
    )["total"]
    return (settled if settled is not None else disbursed), disbursed


def _settlement(project: Project, users: dict) -> None:
    accepted = _accepted_on(project)
    sent = min(accepted + dt.timedelta(days=12), timezone.localdate())
    settled, disbursed = _settled_amount(project)
    state = SettlementState.SUBMITTED
    extra: dict = {}
    if project.state in (S.SETTLED, S.CLOSED):
        state = SettlementState.APPROVED
        decided = project.settled_on or sent
        extra = {"settled_amount": settled, "recover_amount": max(disbursed - settled, 0),
                 "decision_number": f"{project.code}/QĐ-QT", "decision_date": decided,
                 "approved_by": users["agency" if project.level == Level.NATIONAL else "department"]}  # fmt: skip
    elif project.level == Level.LOCAL and project.province and project.province.code == "42":
        state = SettlementState.CHECKED
        extra = {"checked_by": users["finance"], "checked_on": sent}
    settlement = Settlement.objects.create(
        project=project, state=state, submitted_on=sent, proposed_amount=settled, disbursed_amount=disbursed,
        year=project.year, level=project.level, province_id=project.province_id,
        unit_id=project.implementing_unit_id, submitted_by=users["implementer"], **extra,
    )  # fmt: skip
    SettlementTransition.objects.create(settlement=settlement, action="submit", from_state="", to_state="submitted",
                                        user_name="demo")  # fmt: skip
    if state != SettlementState.SUBMITTED:
        SettlementTransition.objects.create(
            settlement=settlement, action="approve" if state == SettlementState.APPROVED else "check",
            from_state="submitted", to_state=state, user_name="demo",
            decision_number=extra.get("decision_number", ""), decision_date=extra.get("decision_date"),
        )  # fmt: skip


def _sync_amounts(settlement: Settlement) -> None:
    """A settlement the projects demo made through the flow (before any money was written: 0 đ)
    gets the amounts of the ledger the money demo wrote since: what was disbursed, the settlement
    entry's amount (else everything disbursed) and what is left to recover."""
    settled, disbursed = _settled_amount(settlement.project)
    values = {"disbursed_amount": disbursed, "proposed_amount": settled}
    if settlement.state == SettlementState.APPROVED:
        entry = LedgerEntry.objects.filter(project_id=settlement.project_id, kind=EntryKind.SETTLEMENT,
                                           status=EntryStatus.PAID).order_by("pk").first()  # fmt: skip
        values.update(settled_amount=settled, recover_amount=max(disbursed - settled, 0),
                      ledger_entry_id=entry.pk if entry else None)  # fmt: skip
    if any(getattr(settlement, name) != value for name, value in values.items()):
        Settlement.objects.filter(pk=settlement.pk).update(**values)


def load_settlement() -> dict:
    users = {
        "implementer": _user("hatinh.thuchien"),
        "agency": _user("cuc.chuyenvien"),
        "department": _user("hatinh.chuyenvien"),
        "finance": _user("hatinh.taichinh"),
    }
    added = {"acceptance_records": 0, "settlements": 0, "accepted_in_progress": 0}
    done = set(AcceptanceRecord.objects.values_list("project_id", flat=True).distinct())
    settled = set(Settlement.objects.values_list("project_id", flat=True))
    projects = Project.objects.filter(state__in=ACCEPTED_OR_LATER).select_related("province").order_by("code")
    with transaction.atomic():
        for found in Settlement.objects.filter(project__in=projects, by_agency_from_acceptance=False).select_related(
            "project"
        ):
            _sync_amounts(found)
        for project in projects:
            if project.pk not in done:
                added["acceptance_records"] += _records(project, users["implementer"])
            if project.state != S.ACCEPTED and project.pk not in settled:
                _settlement(project, users)
                added["settlements"] += 1
    implementer = users["implementer"]
    if implementer is not None:
        running = (
            Project.objects.filter(state=S.IN_PROGRESS, province__code="42", implementing_unit__code="TTKC-42")
            .exclude(pk__in=done)
            .order_by("code")[:3]
        )
        with acting_as(implementer):
            for project in running:
                lines = list(project.beneficiaries.order_by("position", "pk")[:2])
                if len(lines) < 2:
                    continue  # accepting its only line would accept the project: leave its state alone
                line = lines[0]
                on = max(project.contracted_on or project.approved_on or timezone.localdate(),
                         timezone.localdate() - dt.timedelta(days=20))  # fmt: skip
                try:
                    record_acceptance(
                        user=implementer, line=line, passed=True, accepted_on=min(on, timezone.localdate()),
                        achieved=line.outputs or "Hoàn thành nội dung hỗ trợ", record_number="01/BB-NT",
                    )  # fmt: skip
                except ActionRefused:
                    continue
                added["accepted_in_progress"] += 1
    return added
