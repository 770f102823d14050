"""Who must act on what is due, for reminders and for notices after each step.

This module knows nothing of how people are told (the notifications app): it answers

* :func:`who_must_act` — for many (project, due item) pairs at once, the active users whose role
  assignments allow one of the item's steps on that project's reach (the role matrix and the
  reach of the bound org unit, as ``kernel.scoping`` decides it; a few queries in all);
* :func:`deadline_reminders` — for a day, every due item overdue or due within ``within_days``,
  with its recipients and a stable key (the same day twice gives the same keys, so a daily job
  that writes once per key and day is idempotent);
* :func:`step_notices` — after a step commits, who must act next (e.g. submitted → the
  Department's appraisers of that province), and for a return or a rejection the implementer,
  with the comment.

``projects/reminders.py`` wires these into ``khuyencong.notifications`` (a reminder provider and
an ``actions.on_step`` listener).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from khuyencong.kernel.scoping import Scope
from khuyencong.organisation.models import OrgUnit, RoleAssignment
from khuyencong.organisation.permissions import ORG_UNIT_ONLY, ORG_UNIT_REACH, allowed_actions
from khuyencong.organisation.services import reach_of
from khuyencong.projects.deadlines import (
    ACTOR_ROLE_SETS,
    IMPLEMENTER,
    OPEN_STATES,
    Due,
    RuleBook,
    due_items,
    overdue_q,
)
from khuyencong.projects.models import Project, ProjectState, ProjectTransition

RESOURCE = "projects.project"
CHUNK = 1000


def step_permissions(due: Due) -> set[str]:
    """The permission-matrix actions that let someone take one of ``due``'s steps."""
    from khuyencong.projects.actions import STEPS

    by_action = {step.action: step.permission for step in STEPS}
    return {by_action.get(action, action) for action in due.steps}


class _Reach:
    """Active role assignments and their reach on projects, read once (as the access policy would)."""

    def __init__(self, on: dt.date | None = None) -> None:
        self.on = on
        self._assignments: list[RoleAssignment] | None = None
        self._scopes: dict[tuple[str, int | None], Scope] = {}

    def assignments(self) -> list[RoleAssignment]:
        if self._assignments is None:
            self._assignments = list(
                RoleAssignment.objects.active(self.on)
                .select_related("user", "org_unit", "org_unit__region")
                .order_by("user_id", "pk")
            )
        return self._assignments

    def scope(self, assignment: RoleAssignment) -> Scope:
        key = (assignment.role, assignment.org_unit_id)
        if key not in self._scopes:
            reach = reach_of(assignment.org_unit)
            through_units = ORG_UNIT_REACH.get(RESOURCE)
            if through_units is not None and assignment.role not in through_units:
                reach = Scope(everywhere=reach.everywhere, province_ids=reach.province_ids)
            if assignment.role in ORG_UNIT_ONLY.get(RESOURCE, frozenset()) and not reach.everywhere:
                reach = Scope(org_unit_ids=reach.org_unit_ids)
            self._scopes[key] = reach
        return self._scopes[key]

    def users(self, permissions: set[str], project: Project, roles: frozenset[str] | None = None) -> list[Any]:
        found: dict[int, Any] = {}
        for assignment in self.assignments():
            if roles is not None and assignment.role not in roles:
                continue
            if not permissions & allowed_actions(assignment.role, RESOURCE):
                continue
            if self.scope(assignment).covers(province_id=project.province_id, org_unit_id=project.implementing_unit_id):
                found.setdefault(assignment.user_id, assignment.user)
        return list(found.values())


def _recipients(reach: _Reach, project: Project, due: Due) -> list[Any]:
    return reach.users(step_permissions(due), project, ACTOR_ROLE_SETS.get(due.actor))


def who_must_act(pairs: Iterable[tuple[Project, Due]], *, on: dt.date | None = None) -> dict[tuple[int, str], list]:
    """{(project id, due key): users} for each pair: the users whose role is the item's actor and
    whose assignments allow one of its steps where the project lies."""
    reach = _Reach(on)
    return {(project.pk, due.key): _recipients(reach, project, due) for project, due in pairs}


@dataclass(frozen=True)
class DeadlineReminder:
    project: Project
    due: Due
    recipients: Sequence[Any]
    key: str  # stable for the project, the item and its date: the same reminder every day until done

    @property
    def overdue(self) -> bool:
        return self.due.overdue


def deadline_reminders(*, on: dt.date | None = None, within_days: int = 7) -> list[DeadlineReminder]:
    """Every due item on ``on`` that is overdue or due within ``within_days``, with who must act.

    The projects are found with one filter (``overdue_q`` on the last day of the window), then
    read and computed in chunks; recipients come from one read of the active role assignments."""
    on = on or timezone.localdate()
    book = RuleBook()
    horizon = on + dt.timedelta(days=within_days + 1)
    ids = list(
        Project.objects.filter(state__in=sorted(OPEN_STATES))
        .filter(overdue_q(today=horizon, book=book))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reach = _Reach(on)
    result: list[DeadlineReminder] = []
    for start in range(0, len(ids), CHUNK):
        rows = list(
            Project.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("province", "implementing_unit")
            .order_by("pk")
        )
        found = due_items(rows, today=on, book=book)
        for project in rows:
            for due in found.get(project.pk, []):
                if due.due_date is None or due.due_date >= horizon:
                    continue
                recipients = _recipients(reach, project, due)
                if recipients:
                    key = f"project:{project.pk}:{due.key}:{due.due_date.isoformat()}"
                    result.append(DeadlineReminder(project, due, recipients, key))
    return result


@dataclass(frozen=True)
class StepNotice:
    project: Project
    kind: str  # "project_step" (someone must act next) or "project_returned" / "project_rejected"
    recipients: Sequence[Any]
    due: Due | None = None
    comment: str = ""
    key: str = ""
    data: dict = field(default_factory=dict)


def step_notices(project: Project, transition: ProjectTransition) -> list[StepNotice]:
    """After ``transition`` committed: who must act next on ``project``, and on a return or a
    rejection the people who act for the implementing unit (with the comment)."""
    notices: list[StepNotice] = []
    base = f"project:{project.pk}:transition:{transition.pk}"
    reach = _Reach()
    if transition.to_state == ProjectState.REJECTED:
        unit_ids = set(
            OrgUnit.objects.filter(path__startswith=project.implementing_unit.path).values_list("pk", flat=True)
        )
        people: dict[int, Any] = {}
        for assignment in reach.assignments():
            if assignment.role in ACTOR_ROLE_SETS[IMPLEMENTER] and assignment.org_unit_id in unit_ids:
                people.setdefault(assignment.user_id, assignment.user)
        if people:
            notices.append(
                StepNotice(
                    project,
                    "project_rejected",
                    list(people.values()),
                    comment=transition.comment,
                    key=f"{base}:rejected",
                )
            )
        return notices
    kind = "project_returned" if transition.to_state == ProjectState.RETURNED else "project_step"
    for due in due_items([project]).get(project.pk, []):
        recipients = _recipients(reach, project, due)
        if recipients:
            notices.append(
                StepNotice(project, kind, recipients, due=due, comment=transition.comment, key=f"{base}:{due.key}")
            )
    return notices
