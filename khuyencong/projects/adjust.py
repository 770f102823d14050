"""An approved adjustment applied to its project (DOMAIN.md §5 step 8): the project's fields
written with the version bump and a ``ProjectTransition`` with action ``adjust`` (before and
after in its data), or the project stopped or cancelled through its lifecycle.

The adjustments app calls :func:`apply_adjustment` inside the transaction that approves the
adjustment, so the change and the approval commit together. Other apps may say how much of the
project's support is already committed (signed contracts): ``register_commitment(fn)`` with
``fn(project) -> int``; a budget adjustment never goes below it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.kernel import context
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.projects import actions
from khuyencong.projects.models import APPROVED_STATES, BeneficiaryLine, Project, ProjectTransition
from khuyencong.registry.eligibility import eligibility
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune

_COMMITMENTS: list[Callable[[Project], int]] = []


def register_commitment(provider: Callable[[Project], int]) -> Callable[[Project], int]:
    """Register ``provider(project) -> int``: đồng of the support already committed elsewhere."""
    _COMMITMENTS.append(provider)
    return provider


def committed(project: Project) -> int:
    return max((provider(project) for provider in _COMMITMENTS), default=0)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _fields(project: Project, kind: str, changes: dict[str, Any]) -> tuple[dict, dict, dict]:
    """(columns to write, before, after) for a change of the project's own fields."""
    if kind == "budget":
        amount = int(changes["approved_support"])
        floor = committed(project)
        if amount < floor:
            raise ActionRefused(
                "below_committed",
                _("The new support cannot be below what contracts already commit (%(amount)s đ).")
                % {"amount": f"{floor:,}".replace(",", ".")},
                field="approved_support",
                status=422,
            )
        return ({"approved_support": amount}, {"approved_support": project.approved_support},
                {"approved_support": amount})  # fmt: skip
    if kind == "timeline":
        end = dt.date.fromisoformat(changes["end_date"])
        start = dt.date.fromisoformat(changes["start_date"]) if changes.get("start_date") else project.start_date
        if start and end < start:
            raise ActionRefused("dates_out_of_order", _("The end date cannot be before the start date."),
                                field="end_date", status=422)  # fmt: skip
        return ({"start_date": start, "end_date": end},
                {"start_date": _iso(project.start_date), "end_date": _iso(project.end_date)},
                {"start_date": _iso(start), "end_date": _iso(end)})  # fmt: skip
    if kind == "place":
        write: dict[str, Any] = {"location": changes.get("location", project.location)}
        before: dict[str, Any] = {
            "location": project.location,
            "commune": project.commune.code if project.commune else None,
        }
        after: dict[str, Any] = {"location": write["location"], "commune": before["commune"]}
        if changes.get("commune_code"):
            commune = Commune.objects.current().filter(code=changes["commune_code"]).first()
            if commune is None or (project.province_id and commune.province_id != project.province_id):
                raise ActionRefused("validation_error", _("The commune is not in the project's province."),
                                    field="commune_code", status=422)  # fmt: skip
            write["commune_id"] = commune.pk
            after["commune"] = commune.code
        return write, before, after
    if kind == "content":
        names = [name for name in ("name", "objectives", "target_outputs") if name in changes]
        return ({name: changes[name] for name in names}, {name: getattr(project, name) for name in names},
                {name: changes[name] for name in names})  # fmt: skip
    return {}, {}, {}


def _replace_beneficiary(project: Project, changes: dict[str, Any], on: dt.date) -> tuple[dict, dict]:
    line = BeneficiaryLine.objects.filter(project=project, establishment_id=changes["replace_establishment_id"]).first()
    if line is None:
        raise ActionRefused("validation_error", _("This establishment is not a beneficiary of the project."),
                            field="replace_establishment_id", status=422)  # fmt: skip
    new = Establishment.objects.filter(pk=changes["establishment_id"], merged_into__isnull=True).first()
    if new is None or BeneficiaryLine.objects.filter(project=project, establishment=new).exists():
        raise ActionRefused("validation_error", _("Choose an establishment that is not yet a beneficiary."),
                            field="establishment_id", status=422)  # fmt: skip
    verdict = eligibility(new, on)
    if not verdict.eligible:
        raise ActionRefused("not_eligible", _("%(establishment)s is not eligible on %(date)s: %(reason)s")
                            % {"establishment": new.name, "date": on.strftime("%d/%m/%Y"), "reason": verdict.message},
                            field="establishment_id", status=422)  # fmt: skip
    before = {"establishment_id": line.establishment_id, "establishment": line.establishment.name,
              "support": line.support}  # fmt: skip
    line.establishment = new
    if changes.get("support") is not None:
        line.support = int(changes["support"])
    line.save()
    return before, {"establishment_id": new.pk, "establishment": new.name, "support": line.support}


def apply_adjustment(
    *,
    user,
    project: Project,
    kind: str,
    changes: dict[str, Any],
    reason: str,
    adjustment_id: int,
    decision_number: str,
    decision_date: dt.date,
) -> Project:
    """Apply an approved adjustment to ``project`` (the caller holds the transaction and has checked
    the approver's permission). Stop and cancel are the lifecycle's steps; every other kind writes
    the fields, bumps the version and records an ``adjust`` transition."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in APPROVED_STATES:
        raise ActionRefused("wrong_state", _("The project is no longer in a state that can be adjusted."))
    if kind in ("stop", "cancel"):
        action = kind if project.is_national else f"{kind}_local"
        return actions.take_step(user=user, project=project, action=action, comment=reason,
                                 decision_number=decision_number, decision_date=decision_date,
                                 data={"adjustment": adjustment_id}, enforce=False)  # fmt: skip
    with transaction.atomic():
        if kind == "beneficiary":
            write: dict[str, Any] = {}
            before, after = _replace_beneficiary(project, changes, decision_date)
        else:
            write, before, after = _fields(project, kind, changes)
        updated = Project.objects.filter(pk=project.pk, version=project.version).update(
            version=project.version + 1, updated_at=timezone.now(), **write
        )
        if updated != 1:
            raise ActionRefused(
                "state_changed", _("Someone else changed this record meanwhile; reload it and try again.")
            )
        authenticated = getattr(user, "is_authenticated", False)
        ProjectTransition.objects.create(
            project=project,
            action="adjust",
            from_state=project.state,
            to_state=project.state,
            user=user if authenticated else None,
            user_name=user.get_username() if authenticated else "",
            comment=reason,
            decision_number=decision_number,
            decision_date=decision_date,
            request_id=context.get_request_id(),
            data={"adjustment": adjustment_id, "kind": kind, "before": before, "after": after},
        )
    project.refresh_from_db()
    return project
