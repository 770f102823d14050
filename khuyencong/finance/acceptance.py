"""Acceptance at the facility (nghiệm thu cơ sở) of each beneficiary line (DOMAIN.md §5 step 9).

``record_acceptance`` writes one ``AcceptanceRecord``: the outputs the line targeted (copied from
the line) against what was achieved, passed or failed, with the record's number and date. A line
that failed may be accepted again later: its latest record counts (``latest_records``).

When the record makes every line of an in-progress project pass, the project's ``accept`` step is
taken in the same transaction (dated the last acceptance): the facility acceptance of the project
*is* the acceptance of its lines, so nobody has to press a second button, and the settlement
dossier's deadline (15 days after the last acceptance) starts from that date.

Refusals (``ActionRefused``, nothing written): ``forbidden`` (403) / ``not_found`` (404),
``wrong_state`` (the project is neither in progress nor accepted), ``record_number_required``,
``achieved_required``, ``quantity_invalid`` (422), ``date_invalid``, ``date_in_future``,
``before_contract`` (422: before the main contract was signed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.finance.models import AcceptanceRecord
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict, user_scope
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState

ACCEPT_LINE = "accept_line"
P = ProjectState
# A line is accepted while the project runs, or again (a failed line) once the project is accepted.
ACCEPTANCE_STATES = frozenset({P.IN_PROGRESS, P.ACCEPTED})
MAX_QUANTITY = Decimal("999999999999")


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def require_project(user, permission: str, model, project: Project) -> None:
    """403 without ``permission`` on ``model`` (or when the project is seen but out of reach for
    it), 404 when the user may not even see the project."""
    if not can(user, permission, model):
        raise _forbidden()
    if not user_scope(user, permission, model).covers(
        province_id=project.province_id, org_unit_id=project.implementing_unit_id
    ):
        seen = restrict(Project.objects.filter(pk=project.pk), user, Action.VIEW).exists()
        raise _forbidden() if seen else _not_found()


def may_accept(user, project: Project) -> bool:
    """Whether ``user`` may record acceptances on ``project`` now (the page's buttons)."""
    if project.state not in ACCEPTANCE_STATES or not can(user, ACCEPT_LINE, AcceptanceRecord):
        return False
    return user_scope(user, ACCEPT_LINE, AcceptanceRecord).covers(
        province_id=project.province_id, org_unit_id=project.implementing_unit_id
    )


def latest_records(project: Project) -> dict[int, AcceptanceRecord]:
    """The acceptance record that counts for each line of ``project`` (its latest), by line id."""
    found: dict[int, AcceptanceRecord] = {}
    rows = AcceptanceRecord.objects.filter(project=project).order_by("beneficiary_id", "-accepted_on", "-pk")
    for record in rows:
        found.setdefault(record.beneficiary_id, record)
    return found


def lines_not_passed(project: Project, records: dict[int, AcceptanceRecord] | None = None) -> list[BeneficiaryLine]:
    """The project's lines whose latest acceptance record is missing or failed."""
    records = latest_records(project) if records is None else records
    lines = project.beneficiaries.select_related("establishment").order_by("position", "pk")
    return [line for line in lines if not (line.pk in records and records[line.pk].passed)]


def main_contract_signed_on(project: Project) -> dt.date | None:
    contract = (
        Contract.objects.filter(project=project, kind=ContractKind.MAIN)
        .exclude(state__in=[ContractState.DRAFT, ContractState.TERMINATED])
        .order_by("-pk")
        .first()
    )
    if contract is not None and contract.signed_on:
        return contract.signed_on
    return project.contracted_on


def _quantity(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number > MAX_QUANTITY:
        raise ActionRefused(
            "quantity_invalid", _("Give the quantity as a number zero or above."), field="achieved_quantity", status=422
        )
    return number.quantize(Decimal("0.01"))


def record_acceptance(
    *,
    user,
    line: BeneficiaryLine,
    passed: bool,
    achieved: str,
    accepted_on: dt.date,
    record_number: str,
    achieved_quantity: Any = None,
    note: str = "",
) -> AcceptanceRecord:
    """Record the acceptance at the facility of beneficiary ``line``: what it achieved against its
    target outputs, passed or failed. The last line to pass takes the project's ``accept`` step."""
    project = Project.objects.get(pk=line.project_id)
    require_project(user, ACCEPT_LINE, AcceptanceRecord, project)
    if project.state not in ACCEPTANCE_STATES:
        raise ActionRefused(
            "wrong_state",
            _("Acceptance is recorded while the project is in progress or accepted (it is now “%(state)s”).")
            % {"state": project.get_state_display()},
        )
    record_number = (record_number or "").strip()
    if not record_number:
        raise ActionRefused("record_number_required", _("Give the acceptance record's number."),
                            field="record_number", status=422)  # fmt: skip
    achieved = (achieved or "").strip()
    if not achieved:
        raise ActionRefused("achieved_required", _("Describe the outputs achieved."), field="achieved_outputs",
                            status=422)  # fmt: skip
    quantity = _quantity(achieved_quantity)
    if not isinstance(accepted_on, dt.date):
        raise ActionRefused("date_invalid", _("Give the date as dd/mm/yyyy."), field="accepted_on", status=422)
    if accepted_on > timezone.localdate():
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="accepted_on", status=422)
    signed_on = main_contract_signed_on(project)
    if signed_on is not None and accepted_on < signed_on:
        raise ActionRefused(
            "before_contract",
            _("The acceptance cannot be before the contract was signed (%(date)s).")
            % {"date": signed_on.strftime("%d/%m/%Y")},
            field="accepted_on",
            status=422,
        )
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        record = AcceptanceRecord.objects.create(
            project=locked, beneficiary=line, accepted_on=accepted_on, passed=bool(passed),
            record_number=record_number, target_outputs=line.outputs, achieved_outputs=achieved,
            achieved_quantity=quantity, note=(note or "").strip(), created_by=user,
        )  # fmt: skip
        ensure_in_scope(user, ACCEPT_LINE, record)
        # The line's own acceptance columns follow its latest record (the project page and reports read them).
        records = latest_records(locked)
        latest = records[line.pk]
        BeneficiaryLine.objects.filter(pk=line.pk).update(
            accepted=latest.passed, acceptance_note=f"{latest.record_number}: {latest.achieved_outputs}"[:4000]
        )
        if locked.state == P.IN_PROGRESS and not lines_not_passed(locked, records):
            last = max(r.accepted_on for r in records.values())
            project_actions.take_step(
                user=user, project=locked, action="accept", on=last, enforce=False,
                comment=_("Every beneficiary passed the acceptance at the facility."),
            )  # fmt: skip
    return record
