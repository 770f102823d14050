"""Adjustments (điều chỉnh) of an approved project: its content, a beneficiary, the place, the
budget or the timeline changed, or the project stopped or cancelled (DOMAIN.md §5 step 8).

Proposed by the implementer, confirmed by the Department (Sở), approved by the Agency for a
national project or by the province for a local one; the approval applies the change to the
project (``projects.adjust.apply_adjustment``). Reach follows the project: an officer reaches an
adjustment by the project's province, an implementer only those of its own unit's projects.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin


class AdjustmentQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class AdjustmentKind(models.TextChoices):
    CONTENT = "content", _("Content")
    BENEFICIARY = "beneficiary", _("Beneficiary")
    PLACE = "place", _("Place")
    BUDGET = "budget", _("Budget")
    TIMELINE = "timeline", _("Timeline")
    STOP = "stop", _("Stop the project")
    CANCEL = "cancel", _("Cancel the project")


class Cause(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    EPIDEMIC = "epidemic", _("Epidemic")
    OTHER = "other", _("Other")


class AdjustmentState(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("adjustment state", "Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("adjustment state", "Confirmed by the Department")
    APPROVED = "approved", pgettext_lazy("adjustment state", "Approved")
    REJECTED = "rejected", pgettext_lazy("adjustment state", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("adjustment state", "Withdrawn")


OPEN_STATES = frozenset({AdjustmentState.PROPOSED, AdjustmentState.CONFIRMED})


class Adjustment(ChangeLoggedModel):
    """A request to change an approved project, with the changes it proposes as checked JSON."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind of adjustment"), max_length=20, choices=AdjustmentKind.choices)
    reason = models.TextField(_("reason"))
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, default=Cause.OTHER)
    cause_event = models.CharField(_("event"), max_length=200, blank=True)
    changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    before = models.JSONField(_("values before"), default=dict, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=AdjustmentState.choices, default=AdjustmentState.PROPOSED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    proposed_on = models.DateField(_("proposed on"))
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AdjustmentQuerySet.as_manager()
    scope_province_field = "project__province"
    scope_org_unit_field = "project__implementing_unit"

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        indexes = [
            models.Index(fields=["project", "state"], name="adjustment_project_state"),
            models.Index(fields=["state", "proposed_on"], name="adjustment_state_proposed"),
        ]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # What the pages show of the changes: dates as dates, the replacement by name.
    @property
    def new_end_date(self) -> dt.date | None:
        return _date(self.changes.get("end_date"))

    @property
    def old_end_date(self) -> dt.date | None:
        return _date(self.before.get("end_date"))

    @property
    def replacement_name(self) -> str:
        from khuyencong.registry.models import Establishment

        pk = self.changes.get("establishment_id")
        return Establishment.objects.filter(pk=pk).values_list("name", flat=True).first() or "" if pk else ""


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class AdjustmentTransition(TransitionRecord):
    """A step an adjustment took: proposed, confirmed, approved (with its decision), rejected…"""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["adjustment", "at"], name="adjtransition_adjustment_at")]
        verbose_name = _("adjustment transition")
        verbose_name_plural = _("adjustment transitions")
