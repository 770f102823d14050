"""Inspections (kiểm tra, giám sát) of khuyến công projects: DOMAIN.md §9.

An :class:`InspectionPlan` (the year's plan of the Agency, national, or of a Department, local)
holds :class:`InspectionMission` s (đoàn kiểm tra): who goes, when, to which provinces. A mission
visits projects (:class:`Visit`), records :class:`Finding` s, and each finding asks for
:class:`FollowUp` s (kiến nghị): what to do, which unit does it, by when. A follow-up is open until
the responsible unit reports it done; an open one past its due date is overdue (computed).

Reach: a mission by the provinces it goes to; visits by the visited project's province; findings
by their province (the visited project's, or one of the mission's for a finding about the mission
as a whole); follow-ups by their finding's province, and an implementer only those addressed to
its own unit (``permissions.ORG_UNIT_ONLY``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold
from khuyencong.rulebook.models import Level


class ScopedQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class InspectionPlan(ChangeLoggedModel):
    """The year's inspection plan of the Agency (national) or of a Department (local, one province)."""

    year = models.PositiveIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    owner = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a local plan: the province whose Department runs it."),
    )
    name = models.CharField(_("name"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_province_field = "province"
    # Every reader of inspections reads the national plans (their missions say where they go).
    scope_shared_rows = Q(level=Level.NATIONAL)

    class Meta:
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.NATIONAL, province__isnull=True) | Q(level=Level.LOCAL, province__isnull=False),
                name="inspectionplan_province_by_level",
            ),
        ]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.name


class MissionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("mission state", "Draft")
    IN_PROGRESS = "in_progress", pgettext_lazy("mission state", "In progress")
    REPORTED = "reported", pgettext_lazy("mission state", "Reported")
    CLOSED = "closed", pgettext_lazy("mission state", "Closed")


# States in which a mission still records visits, findings and follow-ups.
OPEN_STATES = frozenset({MissionState.DRAFT, MissionState.IN_PROGRESS, MissionState.REPORTED})


class InspectionMission(ChangeLoggedModel):
    """An inspection mission (đoàn kiểm tra) of a plan: its lead unit, members, dates and provinces."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("inspection plan"), on_delete=models.PROTECT, related_name="missions"
    )
    name = models.CharField(_("name"), max_length=300)
    lead_unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    provinces = models.ManyToManyField("territory.Province", verbose_name=_("provinces visited"), related_name="+")
    purpose = models.TextField(_("purpose"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=MissionState.choices, default=MissionState.DRAFT)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    folded_name = models.CharField(max_length=700, editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    # A mission reaches every province it goes to (a many-to-many: selectors read the reached ids
    # as a subquery so a mission is listed once).
    scope_province_field = "provinces"

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="mission_dates_in_order"),
        ]
        indexes = [models.Index(fields=["state", "start_date"], name="mission_state_start")]
        verbose_name = _("inspection mission")
        verbose_name_plural = _("inspection missions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.folded_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        return self.plan.level

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def provinces_label(self) -> str:
        """The provinces' short names (read from the prefetched rows when the selector prefetched them)."""
        return ", ".join(p.short_name or p.name for p in self.provinces.all())


class MemberRole(models.TextChoices):
    HEAD = "head", pgettext_lazy("mission member", "Head of mission")
    DEPUTY = "deputy", pgettext_lazy("mission member", "Deputy head")
    MEMBER = "member", pgettext_lazy("mission member", "Member")
    SECRETARY = "secretary", pgettext_lazy("mission member", "Secretary")


class MissionMember(ChangeLoggedModel):
    """One person of a mission: an account of the system, or a name (someone from outside)."""

    mission = models.ForeignKey(InspectionMission, on_delete=models.CASCADE, related_name="members")
    position = models.PositiveIntegerField(default=1)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role in the mission"), max_length=12, choices=MemberRole.choices)
    unit = models.CharField(_("unit"), max_length=200, blank=True)

    class Meta:
        ordering = ["mission", "position"]
        verbose_name = _("mission member")
        verbose_name_plural = _("mission members")

    def __str__(self) -> str:
        return self.name


class Visit(ChangeLoggedModel):
    """A mission's visit to one project, on one day."""

    mission = models.ForeignKey(InspectionMission, on_delete=models.CASCADE, related_name="visits")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="inspection_visits"
    )
    visited_on = models.DateField(_("visit date"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_province_field = "project__province"

    class Meta:
        ordering = ["visited_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "project", "visited_on"], name="visit_once_a_day"),
        ]
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.visited_on:%d/%m/%Y}"


class Severity(models.TextChoices):
    NOTE = "note", pgettext_lazy("finding severity", "Note")
    MINOR = "minor", pgettext_lazy("finding severity", "Minor")
    MAJOR = "major", pgettext_lazy("finding severity", "Major")
    SERIOUS = "serious", pgettext_lazy("finding severity", "Serious")


class Finding(ChangeLoggedModel):
    """What a mission found, at a visit (about its project) or about the mission's province as a whole."""

    mission = models.ForeignKey(InspectionMission, on_delete=models.CASCADE, related_name="findings")
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    # The visited project's province, or one of the mission's provinces: what the finding's reach follows.
    province = models.ForeignKey(
        "territory.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    text = models.TextField(_("finding"))
    recorded_on = models.DateField(_("recorded on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_province_field = "province"

    class Meta:
        ordering = ["mission", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:80]


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    DONE = "done", pgettext_lazy("follow-up status", "Done")


class FollowUp(ChangeLoggedModel):
    """A recommendation of a finding: what to do, which unit does it, by when; closed by a report."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="follow_ups")
    action = models.TextField(_("what to do"))
    responsible_unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_province_field = "finding__province"
    scope_org_unit_field = "responsible_unit"

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="followup_status_due"),
            models.Index(fields=["responsible_unit", "status", "due_date"], name="followup_unit_status_due"),
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.action[:80]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_date < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def status_label(self) -> str:
        if self.overdue:
            return str(_("Overdue %(days)s days") % {"days": self.days_late})
        return str(self.get_status_display())

    @property
    def overdue_label(self) -> str:
        return str(_("Yes")) if self.overdue else ""

    @property
    def days_late(self) -> int:
        return (timezone.localdate() - self.due_date).days if self.overdue else 0


class MissionTransition(TransitionRecord):
    mission = models.ForeignKey(InspectionMission, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("mission transition")
        verbose_name_plural = _("mission transitions")


class FollowUpTransition(TransitionRecord):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("follow-up transition")
        verbose_name_plural = _("follow-up transitions")
