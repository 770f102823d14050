"""State machines for domain records: a declarative table of steps and one function that performs them.

A domain declares its lifecycle as data::

    REVIEW = Lifecycle(
        DuplicateCandidate,
        record=DuplicateDecision,          # a TransitionRecord subclass
        subject_field="candidate",         # its foreign key to the record under review
        steps=[Step("dismiss", {"open"}, "dismissed"), ...],
    )

and each business event is a short function in ``<app>/actions.py`` that calls
``REVIEW.perform(obj, user, "dismiss", comment=...)``. ``perform``:

1. refuses with a coded :class:`ActionRefused` when the action is unknown, the user may not do it
   on this row, the row is in another state, a check fails or a comment/decision is missing;
2. changes the state with a compare-and-swap ``UPDATE … WHERE pk = … AND state = current AND
   version = known`` and bumps ``version``; when another request got there first nothing is
   written and the refusal is ``state_changed``;
3. writes the transition record (who, when, from, to, comment, decision, request id, data);
4. re-checks the row is still in the user's reach (``ensure_in_scope``);
5. queues side effects to run only after the transaction commits.

:meth:`Lifecycle.available` answers "which of these actions may this user take now" without
writing, for buttons and "who must act" lists. See docs/adr/0004-actions-and-transitions.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from khuyencong.kernel import context
from khuyencong.kernel.scoping import Action, ensure_in_scope, restrict


class ActionRefused(Exception):
    """A domain action said no. ``code`` is stable for API clients; ``message`` is translated.

    ``status`` is the HTTP status an interface should answer with (409 by default: the request
    is understood but conflicts with the record's state). ``field`` names the input at fault.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.status = status

    @property
    def errors(self) -> dict[str, str]:
        """Per-field messages (one here; :class:`Invalid` carries several)."""
        return {self.field or "": self.message}


class Invalid(ActionRefused):
    """The input does not pass validation: several field messages at once (HTTP 422)."""

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__("validation_error", message or _("The data is not valid."), status=422)
        self._errors = {field: str(text) for field, text in errors.items()}

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)


# A check gets the record and the user; it is typed loosely so each domain can name its model.
Check = Callable[[Any, Any], "ActionRefused | None"]
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Step:
    """One row of a state table: ``action`` moves a record from any of ``source`` to ``target``.

    ``permission`` is the action name looked up in the permission matrix for the user's reach:
    a named domain action ("merge", "submit") or a generic one ("change", the default). ``checks`` are predicates
    ``(obj, user) -> ActionRefused | None``; the first refusal wins.
    """

    action: str
    source: AbstractSet[str]
    target: str
    checks: tuple[Check, ...] = ()
    needs_comment: bool = False
    needs_decision: bool = False
    permission: str = Action.CHANGE
    label: str | Promise = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", frozenset(self.source))
        object.__setattr__(self, "checks", tuple(self.checks))


class Lifecycle:
    def __init__(
        self,
        model: type[models.Model],
        *,
        record: type[models.Model],
        steps: Sequence[Step],
        subject_field: str = "subject",
        field: str = "status",
        version_field: str = "version",
    ) -> None:
        self.model = model
        self.record = record
        self.subject_field = subject_field
        self.field = field
        self.version_field = version_field
        self.steps = {step.action: step for step in steps}
        if len(self.steps) != len(steps):
            raise ValueError("two steps share an action name")

    # --- questions (no writes) --------------------------------------------------------------
    def step(self, action: str) -> Step:
        try:
            return self.steps[action]
        except KeyError:
            raise ActionRefused("unknown_action", _("This action does not exist."), status=404) from None

    def _may(self, obj, user, permission: str, cache: dict | None = None) -> bool:
        if cache is not None and permission in cache:
            return cache[permission]
        allowed = restrict(self.model._base_manager.filter(pk=obj.pk), user, permission).exists()
        if cache is not None:
            cache[permission] = allowed
        return allowed

    def _blocked(self, obj, user, step: Step, cache: dict | None = None) -> ActionRefused | None:
        if not self._may(obj, user, step.permission, cache):
            return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
        if getattr(obj, self.field) not in step.source:
            return ActionRefused("wrong_state", _("This cannot be done in the record's current state."))
        for check in step.checks:
            refusal = check(obj, user)
            if refusal is not None:
                return refusal
        return None

    def refusal(self, obj, user, action: str) -> ActionRefused | None:
        """Why ``user`` may not take ``action`` on ``obj`` now, or None when they may."""
        try:
            step = self.step(action)
        except ActionRefused as exc:
            return exc
        return self._blocked(obj, user, step)

    def available(self, obj, user) -> list[Step]:
        """The steps ``user`` may take on ``obj`` in its current state, in table order."""
        cache: dict[str, bool] = {}
        return [
            step
            for step in self.steps.values()
            if getattr(obj, self.field) in step.source and self._blocked(obj, user, step, cache) is None
        ]

    # --- the one write path -----------------------------------------------------------------
    def perform(
        self,
        obj: M,
        user,
        action: str,
        *,
        comment: str = "",
        decision_number: str = "",
        decision_date: dt.date | None = None,
        data: dict | None = None,
        changes: dict | None = None,
        effects: Iterable[Callable[[], Any]] = (),
        version: int | None = None,
        enforce: bool = True,
    ) -> M:
        """Take ``action`` on ``obj`` as ``user``; returns ``obj`` refreshed. Raises :class:`ActionRefused`.

        ``changes`` are further column values written in the same UPDATE; ``version`` is the
        version the client saw (optimistic locking), defaulting to the one ``obj`` was loaded with.
        ``enforce=False`` is for a follow-on transition the system makes as part of an action already
        allowed (e.g. closing the other pairs of a merged record): the state must still match, but
        the user's permission, reach and the step's checks are not asked again.
        """
        step = self.step(action)
        comment = (comment or "").strip()
        decision_number = (decision_number or "").strip()
        if enforce:
            refusal = self._blocked(obj, user, step)
        elif getattr(obj, self.field) not in step.source:
            refusal = ActionRefused("wrong_state", _("This cannot be done in the record's current state."))
        else:
            refusal = None
        if refusal is not None:
            raise refusal
        if step.needs_comment and not comment:
            raise ActionRefused("comment_required", _("Give a reason in the comment."), field="comment", status=422)
        if step.needs_decision and not (decision_number and decision_date):
            raise ActionRefused(
                "decision_required",
                _("Give the decision number and date."),
                field="decision_number" if not decision_number else "decision_date",
                status=422,
            )
        current = getattr(obj, self.field)
        known_version = getattr(obj, self.version_field) if version is None else version
        with transaction.atomic():
            updated = self.model._default_manager.filter(
                pk=obj.pk, **{self.field: current, self.version_field: known_version}
            ).update(**{self.field: step.target, self.version_field: F(self.version_field) + 1, **(changes or {})})
            if updated != 1:
                raise ActionRefused(
                    "state_changed", _("Someone else changed this record meanwhile; reload it and try again.")
                )
            obj.refresh_from_db()
            self.record._default_manager.create(
                **{self.subject_field: obj},
                action=step.action,
                from_state=current,
                to_state=step.target,
                user=user if getattr(user, "is_authenticated", False) else None,
                user_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
                comment=comment,
                decision_number=decision_number,
                decision_date=decision_date,
                request_id=context.get_request_id(),
                data=data or {},
            )
            try:
                if enforce:
                    ensure_in_scope(user, step.permission, obj)
            except PermissionDenied:
                raise ActionRefused(
                    "out_of_scope", _("This would move the record outside your reach."), status=403
                ) from None
            for effect in effects:
                transaction.on_commit(effect, robust=True)
        return obj
