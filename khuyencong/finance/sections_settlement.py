"""The project page's "Acceptance and settlement" section (registered from ``apps.FinanceConfig``):
each beneficiary line's latest acceptance (targets against achievements, passed or not, a form per
line), the settlement with its amounts and the buttons the user may press now, and when the
contract must be liquidated."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from khuyencong.contracts.models import IN_FORCE_STATES, Contract, ContractKind, ContractState
from khuyencong.finance import acceptance, settlement
from khuyencong.finance.models import AcceptanceRecord, Settlement
from khuyencong.kernel.scoping import Action, can
from khuyencong.projects.models import ProjectState

P = ProjectState
SHOWN_STATES = frozenset({P.IN_PROGRESS, P.ACCEPTED, P.SETTLEMENT_SUBMITTED, P.SETTLED, P.CLOSED})


def project_settlement(request, project):
    if request is None or project.state not in SHOWN_STATES:
        return None
    user = request.user
    if not can(user, Action.VIEW, AcceptanceRecord):
        return None
    return "finance/settlement_section.html", settlement_context(project, user)


def settlement_context(project, user) -> dict:
    records = acceptance.latest_records(project)
    counts: dict[int, int] = {}
    for line_id in AcceptanceRecord.objects.filter(project=project).values_list("beneficiary_id", flat=True):
        counts[line_id] = counts.get(line_id, 0) + 1
    may_accept = acceptance.may_accept(user, project)
    lines = []
    for line in project.beneficiaries.select_related("establishment").order_by("position", "pk"):
        record = records.get(line.pk)
        can_accept = may_accept and not (record is not None and record.passed)
        lines.append({"line": line, "record": record, "count": counts.get(line.pk, 0), "can_accept": can_accept})
    passed = sum(1 for item in lines if item["record"] and item["record"].passed)
    found = Settlement.objects.filter(project=project).select_related("checked_by", "approved_by").first()
    steps = settlement.available_steps(found, user) if found is not None else []
    main = (
        Contract.objects.filter(project=project, kind=ContractKind.MAIN)
        .exclude(state=ContractState.TERMINATED)
        .order_by("-pk")
        .first()
    )
    disbursed = settlement.disbursed_of(project) if can(user, Action.VIEW, Settlement) else None
    may_submit = (
        (found is None and project.state == P.ACCEPTED) or (found is not None and found.state == "returned")
    ) and _may(user, settlement.SUBMIT, project)
    late = None
    if (
        project.level == "national"
        and project.state in (P.ACCEPTED, P.SETTLEMENT_SUBMITTED)
        and (found is None or found.state != "approved")
        and _may(user, settlement.FROM_ACCEPTANCE, project)
    ):
        late = settlement.late_item(project)
    liquidation = None
    if main is not None and project.state in settlement.LIQUIDATION_STATES:
        liquidation = {
            "contract": main,
            "due": settlement.liquidation_due(project),
            "done": main.state == ContractState.LIQUIDATED,
            "live": main.state in IN_FORCE_STATES,
        }
        due = liquidation["due"]
        liquidation["overdue"] = bool(due and due < timezone.localdate() and main.state in IN_FORCE_STATES)
    return {
        "project": project,
        "acceptance_lines": lines,
        "acceptance_passed": passed,
        "acceptance_total": len(lines),
        "settlement": found,
        "settlement_steps": steps,
        "settlement_disbursed": disbursed,
        "settlement_main": main,
        "settlement_may_submit": may_submit,
        "settlement_late": late,
        "settlement_liquidation": liquidation,
        "settlement_dossier_url": reverse("settlements:dossier", args=[project.pk]),
        "settlement_list_url": reverse("settlements:settlement_list"),
    }


def _may(user, permission: str, project) -> bool:
    if not can(user, permission, Settlement):
        return False
    from khuyencong.kernel.scoping import user_scope

    return user_scope(user, permission, Settlement).covers(
        province_id=project.province_id, org_unit_id=project.implementing_unit_id
    )


def register_attachments() -> None:
    """An acceptance record carries its signed record (biên bản nghiệm thu) and photos."""
    from django.utils.translation import gettext_lazy as _

    from khuyencong.attachments.attachable import Slot, register

    register(
        "finance.acceptancerecord",
        view="view",
        change=acceptance.ACCEPT_LINE,
        slots=[Slot("bien_ban_nghiem_thu", _("Signed acceptance record"), required=True),
               Slot("hinh_anh", _("Photos of the outputs")), Slot("other", _("Other documents"))],
    )  # fmt: skip
