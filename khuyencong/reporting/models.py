"""Periodic reports (báo cáo định kỳ, DOMAIN.md §9): which forms exist, who must send which report
for which period, the reports themselves and the figures in them.

* ``ReportForm`` — a form (mẫu báo cáo): its period (month, quarter, half-year, year), the level it
  is sent to (``national``: the Agency reviews; ``local``: the Department reviews) and its
  ``Indicator`` rows (code, name, unit, kind, allowed range, an optional ``source`` naming a system
  figure that pre-fills it, see ``reporting.sources``).
* ``FormAssignment`` — which units send a form (every unit of a kind, or named units), over which
  years, and by how many days after the period's end.
* ``UnitTerm`` — when a unit opened or closed, as reporting sees it (see ``lifespan.py``: without
  a row a unit of a province abolished on 1/7/2025 closes that day).
* ``Report`` — one unit's report on one form for one period; ``REPORT_LIFECYCLE``
  (``actions.py``): expected → draft → submitted → approved (locked), or returned with a comment;
  ``ReportTransition`` records each step. ``ReportValue`` — one figure of a report: what the system
  computed, what the unit reports, and the reason when the two differ.

Reach: the report's current province (``province``, the successor for a unit of an abolished
province) and its unit (an implementer only its own unit's reports).
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
from khuyencong.organisation.models import OrgUnit
from khuyencong.rulebook.models import Level


class PeriodType(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-yearly")
    YEAR = "year", _("Yearly")


class IndicatorKind(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    MONEY = "money", _("Money (đồng)")
    PERCENT = "percent", _("Percent")
    TEXT = "text", _("Text")


class ReportState(models.TextChoices):
    EXPECTED = "expected", pgettext_lazy("report state", "Expected")
    DRAFT = "draft", pgettext_lazy("report state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted")
    APPROVED = "approved", pgettext_lazy("report state", "Approved")
    RETURNED = "returned", pgettext_lazy("report state", "Returned")


# States in which the unit still works on the report.
OPEN_STATES = frozenset({ReportState.EXPECTED, ReportState.DRAFT, ReportState.RETURNED})
SENT_STATES = frozenset({ReportState.SUBMITTED, ReportState.APPROVED})


class ReportForm(ChangeLoggedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    period_type = models.CharField(_("period"), max_length=10, choices=PeriodType.choices)
    level = models.CharField(
        _("sent to"),
        max_length=10,
        choices=Level.choices,
        default=Level.NATIONAL,
        help_text=_("National: the Agency reviews the reports; local: the Department of the province."),
    )
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Indicator(ChangeLoggedModel):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.INTEGER)
    min_value = models.DecimalField(_("smallest allowed"), max_digits=20, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest allowed"), max_digits=20, decimal_places=2, null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    source = models.CharField(
        _("system figure"),
        max_length=80,
        blank=True,
        help_text=_("The system figure that pre-fills this indicator (e.g. projects.count_in_progress)."),
    )

    class Meta:
        ordering = ["form", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="indicator_code_per_form")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_text(self) -> bool:
        return self.kind == IndicatorKind.TEXT


class FormAssignment(ChangeLoggedModel):
    """Which units send ``form``: every unit of ``unit_kind``, or the units named; over the years given."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="assignments")
    unit_kind = models.CharField(_("kind of unit"), max_length=30, choices=OrgUnit.Kind.choices, blank=True)
    units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("units"))
    from_year = models.PositiveSmallIntegerField(_("from year"))
    to_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(
        _("days after the period"), default=15, help_text=_("The report is due this many days after the period ends.")
    )

    class Meta:
        ordering = ["form", "from_year", "pk"]
        verbose_name = _("form assignment")
        verbose_name_plural = _("form assignments")

    def __str__(self) -> str:
        who = self.get_unit_kind_display() or _("named units")
        return f"{self.form.code}: {who} {self.from_year}–{self.to_year or ''}"

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)


class UnitTerm(ChangeLoggedModel):
    """When a unit opened and closed, for reporting: no report is expected from it for a period
    that ends before it opened, nor for one that ends after it closed."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("org unit"))
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, help_text=_("The first day it no longer exists.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unit term")
        verbose_name_plural = _("unit terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gt=models.F("opened_on")),
                name="unitterm_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit}: {self.opened_on or '…'} – {self.closed_on or '…'}"


class ReportQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class Report(ChangeLoggedModel):
    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="reports", verbose_name=_("form"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    province = models.ForeignKey(
        "territory.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("The province in force the unit belongs to (its successor for an abolished province)."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_label = models.CharField(_("period"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.EXPECTED)
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "org_unit"

    class Meta:
        ordering = ["-period_start", "form", "org_unit__path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "org_unit", "period_start"], name="report_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"),
        ]
        indexes = [
            models.Index(fields=["form", "year", "province"], name="report_form_year_province"),
            models.Index(fields=["state", "due_on"], name="report_state_due"),
            models.Index(fields=["org_unit", "state"], name="report_unit_state"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.form.code} · {self.period_label} · {self.org_unit}"

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def was_late(self) -> bool:
        return self.submitted_on is not None and self.submitted_on > self.due_on


class ReportValue(ChangeLoggedModel):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    system_value = models.DecimalField(_("system figure"), max_digits=20, decimal_places=2, null=True, blank=True)
    reported_value = models.DecimalField(_("reported"), max_digits=20, decimal_places=2, null=True, blank=True)
    text_value = models.TextField(_("text"), blank=True)
    correction_reason = models.TextField(
        _("reason for the difference"),
        blank=True,
        help_text=_("Required when the reported figure differs from the system's."),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["report", "indicator__position", "indicator__pk"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="report_value_once")]
        verbose_name = _("report value")
        verbose_name_plural = _("report values")

    def __str__(self) -> str:
        return f"{self.report_id}/{self.indicator.code}"

    @property
    def differs(self) -> bool:
        return (
            self.system_value is not None
            and self.reported_value is not None
            and self.reported_value != self.system_value
        )


class ReportTransition(TransitionRecord):
    """A step a report took: started, submitted, approved or returned (with the comment)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["report", "at"], name="reporttransition_at")]
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")
