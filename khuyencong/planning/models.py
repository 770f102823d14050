"""Programmes (chương trình) and annual plans (kế hoạch năm) with their versions and lines.

A programme covers a period (national: five years, approved by a decision) and carries target
indicators. An annual plan of a level and year has versions — the original, then adjusted or
supplementary ones — each approved by its own decision, each with its lines (nội dung kế hoạch):
a tree of group rows and budget rows per activity content and funding source (DOMAIN.md §6).
Amounts are whole đồng. A version is drafted, then approved once (``actions.VERSION_REVIEW``); an
approved version is never edited: a change is a new version whose lines start as a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold, normalize
from khuyencong.rulebook.models import Level


class PlanningQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class Programme(ChangeLoggedModel):
    """A khuyến công programme over a period: national (QĐ 1288, 1881, 2646) or a province's own."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name = models.CharField(_("name"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    decision = models.ForeignKey(
        "rulebook.LegalDocument",
        verbose_name=_("approving decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )
    owner = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for a local programme."),
    )
    summary = models.TextField(_("summary"), blank=True)
    folded_name = models.CharField(max_length=300, editable=False, default="")

    objects = PlanningQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = None
    # Every planning reader reads the national programmes; local ones stay in their province.
    scope_shared_rows = Q(level=Level.NATIONAL)

    class Meta:
        ordering = ["-start_year", "level", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.folded_name = fold(f"{self.name} {self.start_year}-{self.end_year}")
        super().save(*args, **kwargs)

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class ProgrammeTarget(ChangeLoggedModel):
    """One target indicator of a programme: e.g. 340 demonstration models over 2021–2025."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60)
    target_value = models.PositiveBigIntegerField(
        _("target value"), null=True, blank=True, help_text=_("Empty while the figure is still to be loaded.")
    )
    content = models.ForeignKey(
        "rulebook.ActivityContent",
        verbose_name=_("activity content"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")

    def __str__(self) -> str:
        return self.name


class AnnualPlan(ChangeLoggedModel):
    """The khuyến công plan of one year: national (KCQG) or one province's (KCĐP)."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("plan state", "Open")
        CLOSED = "closed", pgettext_lazy("plan state", "Closed")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for a local plan."),
    )
    declared_total = models.PositiveBigIntegerField(
        _("plan total (đồng)"), default=0, help_text=_("The total of the version in force.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    folded_name = models.CharField(max_length=300, editable=False, default="")

    objects = PlanningQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = None
    scope_shared_rows = Q(level=Level.NATIONAL)

    class Meta:
        ordering = ["-year", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(level=Level.NATIONAL), name="annualplan_one_national_per_year"
            ),
            models.UniqueConstraint(
                fields=["year", "province"], condition=Q(level=Level.LOCAL), name="annualplan_one_local_per_year"
            ),
            models.CheckConstraint(
                condition=Q(level=Level.NATIONAL, province__isnull=True) | Q(level=Level.LOCAL, province__isnull=False),
                name="annualplan_province_for_local",
            ),
        ]
        indexes = [models.Index(fields=["level", "year"], name="annualplan_level_year")]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.folded_name = fold(f"{self.name} {self.year}")
        super().save(*args, **kwargs)


class PlanTransition(TransitionRecord):
    """A state change of a plan (closed)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")


class PlanVersion(ChangeLoggedModel):
    """One decision's worth of a plan: the original, an adjustment or a supplement."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original")
        ADJUSTED = "adjusted", _("Adjustment")
        SUPPLEMENTARY = "supplementary", _("Supplement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    declared_total = models.PositiveBigIntegerField(_("declared total (đồng)"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    legal_document = models.ForeignKey(
        "rulebook.LegalDocument",
        verbose_name=_("legal document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_versions",
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = PlanningQuerySet.as_manager()
    scope_province_field = "plan__province"
    scope_org_unit_field = None
    scope_shared_rows = Q(plan__level=Level.NATIONAL)

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="planversion_plan_sequence"),
            # At most one draft per plan: a change starts from the version in force.
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="planversion_one_draft"),
        ]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.plan} – {self.label}"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.ORIGINAL:
            return str(self.Kind.ORIGINAL.label)
        return str(_("%(kind)s (version %(number)s)")) % {"kind": self.get_kind_display(), "number": self.sequence}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class PlanVersionTransition(TransitionRecord):
    """A state change of a plan version (approved), with its decision."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("plan version transition")
        verbose_name_plural = _("plan version transitions")


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    LOCAL = "local", _("Local budget")
    COUNTERPART = "counterpart", _("Counterpart funds")
    OTHER = "other", _("Other lawful sources")


class Disruption(models.TextChoices):
    NONE = "", _("None")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    EPIDEMIC = "epidemic", _("Epidemic")


class PlanLine(ChangeLoggedModel):
    """A line of a plan version: a group row ("I. Đào tạo…") or a budget row under it.

    Only rows without children carry money into the totals; a group row shows the sum of its rows.
    ``key`` follows a line from version to version (copied with it), so a diff can tell a changed
    line from a removed one and an added one.
    """

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="lines")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent line"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    key = models.CharField(max_length=40, editable=False)
    number = models.CharField(_("line number"), max_length=20, blank=True, help_text=_("As in the plan: I, 1, 1.1…"))
    content = models.ForeignKey(
        "rulebook.ActivityContent",
        verbose_name=_("activity content"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=500)
    funding_source = models.CharField(
        _("funding source"), max_length=15, choices=FundingSource.choices, default=FundingSource.CENTRAL
    )
    amount = models.BigIntegerField(_("amount (đồng)"), default=0)
    target_quantity = models.DecimalField(_("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("target unit"), max_length=60, blank=True)
    disruption = models.CharField(
        _("disruption"), max_length=20, choices=Disruption.choices, default=Disruption.NONE, blank=True
    )
    disruption_event = models.CharField(_("event"), max_length=200, blank=True)
    disruption_note = models.TextField(_("impact"), blank=True)
    implementing_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("implementing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["plan_version", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="planline_amount_not_negative"),
        ]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.number = (self.number or "").strip()
        super().save(*args, **kwargs)
