"""Projects (đề án) and their beneficiary lines, and the record of every step they take.

A project is proposed by an implementing unit for a year, a level (national KCQG or local KCĐP),
a kind (ordinary, group, flagship) and an activity content; it runs from draft through appraisal
and approval to contract, progress, acceptance, settlement and closure (DOMAIN.md §5, the state
table in ``actions.PROJECT_LIFECYCLE``). Support goes to beneficiary lines, one per establishment,
each with its eligible cost, support and counterpart in whole đồng.

Reach: officers reach a project by its province; an implementer only the projects of its own
unit (``permissions.ORG_UNIT_ONLY``); a project without a province (one of the Agency's own
nationwide tasks) only nationwide.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import SortKeyField, TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold, normalize, sort_key
from khuyencong.planning.models import Disruption
from khuyencong.rulebook.models import Level, ProjectKind


class ProjectQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class ProjectState(models.TextChoices):
    """Where a project stands. National projects pass both appraisal levels; local ones stop at
    the province's (``PROVINCE_PASSED`` is then awaiting the province's approval)."""

    DRAFT = "draft", pgettext_lazy("project state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("project state", "Submitted to the Department")
    RETURNED = "returned", pgettext_lazy("project state", "Returned for documents")
    PROVINCE_PASSED = "province_passed", pgettext_lazy("project state", "Passed the Department's appraisal")
    AT_AGENCY = "at_agency", pgettext_lazy("project state", "Sent to the Agency")
    AGENCY_PASSED = "agency_passed", pgettext_lazy("project state", "Passed the Agency's appraisal")
    REJECTED = "rejected", pgettext_lazy("project state", "Not passed")
    APPROVED = "approved", pgettext_lazy("project state", "Approved")
    CONTRACTED = "contracted", pgettext_lazy("project state", "Contracted")
    IN_PROGRESS = "in_progress", pgettext_lazy("project state", "In progress")
    ACCEPTED = "accepted", pgettext_lazy("project state", "Accepted at the facility")
    SETTLEMENT_SUBMITTED = "settlement_submitted", pgettext_lazy("project state", "Settlement dossier sent")
    SETTLED = "settled", pgettext_lazy("project state", "Liquidated and settled")
    CLOSED = "closed", pgettext_lazy("project state", "Closed")
    STOPPED = "stopped", pgettext_lazy("project state", "Stopped")
    CANCELLED = "cancelled", pgettext_lazy("project state", "Cancelled")


# States in which the project is in the plan and may be adjusted, stopped or cancelled.
APPROVED_STATES = frozenset(
    {ProjectState.APPROVED, ProjectState.CONTRACTED, ProjectState.IN_PROGRESS, ProjectState.ACCEPTED}
)
# States in which the proposal is still being written or can be written again.
EDITABLE_STATES = frozenset({ProjectState.DRAFT, ProjectState.RETURNED})
# Finished one way or another: no deadline is due any more.
FINAL_STATES = frozenset({ProjectState.CLOSED, ProjectState.REJECTED, ProjectState.STOPPED, ProjectState.CANCELLED})


class Project(ChangeLoggedModel):
    """A khuyến công project (đề án) with its money in whole đồng."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=500)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=ProjectKind.choices, default=ProjectKind.ORDINARY)
    content = models.ForeignKey(
        "rulebook.ActivityContent", verbose_name=_("activity content"), on_delete=models.PROTECT, related_name="+"
    )
    norm_code = models.SlugField(
        _("spending norm"),
        max_length=60,
        blank=True,
        help_text=_("Which spending norm of the rulebook the support follows, where the content has several."),
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    plan = models.ForeignKey(
        "planning.AnnualPlan",
        verbose_name=_("annual plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    plan_line = models.ForeignKey(
        "planning.PlanLine",
        verbose_name=_("plan line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The line of the approved plan version the project is funded from."),
    )
    plan_line_key = models.CharField(max_length=40, blank=True, editable=False)
    proposing_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("proposing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The Department (or the Agency) that proposes the project."),
    )
    implementing_unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("implementing unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where the project is carried out (a province in force since 1/7/2025)."),
    )
    legacy_province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province before 1/7/2025"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    location = models.CharField(_("location"), max_length=500, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    target_outputs = models.TextField(_("target outputs"), blank=True)
    total_cost = models.BigIntegerField(_("total cost (đồng)"), default=0)
    support_amount = models.BigIntegerField(_("support requested (đồng)"), default=0)
    counterpart_amount = models.BigIntegerField(_("counterpart funds (đồng)"), default=0)
    approved_support = models.BigIntegerField(_("approved support (đồng)"), null=True, blank=True)
    disruption = models.CharField(
        _("disruption"), max_length=20, choices=Disruption.choices, default=Disruption.NONE, blank=True
    )
    disruption_event = models.CharField(_("event"), max_length=200, blank=True)
    disruption_note = models.TextField(_("impact"), blank=True)
    state = models.CharField(_("state"), max_length=25, choices=ProjectState.choices, default=ProjectState.DRAFT)
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decision_number = models.CharField(_("approval decision number"), max_length=60, blank=True)
    contracted_on = models.DateField(_("contract signed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    folded_name = models.CharField(max_length=600, editable=False, default="")
    name_key = SortKeyField()

    objects = ProjectQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "implementing_unit"

    class Meta:
        ordering = ["-year", "name_key", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost__gte=0, support_amount__gte=0, counterpart_amount__gte=0),
                name="project_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(approved_support__isnull=True) | Q(approved_support__gte=0),
                name="project_approved_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "name_key", "id"], name="project_year_name"),
            models.Index(fields=["state", "year"], name="project_state_year"),
            models.Index(fields=["province", "year"], name="project_province_year"),
            models.Index(fields=["implementing_unit", "year"], name="project_unit_year"),
            models.Index(fields=["plan", "state"], name="project_plan_state"),
            # The list's default order (newest year first, then name) and its sortable columns
            # (migration 0002_lists_indexes; bench/projects_list.py).
            models.Index(fields=["-year", "name_key", "id"], name="project_newest_name"),
            models.Index(fields=["name_key", "id"], name="project_name_key"),
            models.Index(fields=["code", "id"], name="project_code_id"),
            models.Index(fields=["support_amount", "id"], name="project_support_id"),
            models.Index(fields=["province", "name_key", "id"], name="project_province_name"),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.code = (self.code or "").strip().upper()
        self.folded_name = fold(f"{self.code} {self.name}")
        self.name_key = sort_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_national(self) -> bool:
        return self.level == Level.NATIONAL

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class BeneficiaryLine(ChangeLoggedModel):
    """One beneficiary of a project (đơn vị thụ hưởng): an establishment, what it spends, what the
    project supports, its counterpart and its outputs. A group project may add lines after approval."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    position = models.PositiveIntegerField(_("order"), default=0)
    establishment = models.ForeignKey(
        "registry.Establishment",
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="beneficiary_lines",
    )
    eligible_cost = models.BigIntegerField(_("eligible cost (đồng)"), default=0)
    support = models.BigIntegerField(_("support (đồng)"), default=0)
    counterpart = models.BigIntegerField(_("counterpart (đồng)"), default=0)
    outputs = models.TextField(_("outputs"), blank=True)
    full_line = models.BooleanField(
        _("full production line"), default=False, help_text=_("Supports a whole production line (the line ceiling).")
    )
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance record"), blank=True)
    added_after_approval = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["project", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible_cost__gte=0, support__gte=0, counterpart__gte=0),
                name="beneficiary_amounts_not_negative",
            ),
            models.UniqueConstraint(fields=["project", "establishment"], name="beneficiary_once_per_project"),
        ]
        verbose_name = _("beneficiary line")
        verbose_name_plural = _("beneficiary lines")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.establishment}"


class ProjectTransition(TransitionRecord):
    """A step a project took: who, when, from, to, comment, decision; ``data`` keeps what the step
    checked (e.g. the norm applied and its legal document)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["project", "at"], name="projecttransition_project_at")]
        verbose_name = _("project transition")
        verbose_name_plural = _("project transitions")
