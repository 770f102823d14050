"""Acceptance at the facility (nghiệm thu cơ sở) and settlement (quyết toán) of a project
(DOMAIN.md §5 steps 9–11, §6). Imported at the end of ``finance/models.py``.

- ``AcceptanceRecord``: one record per acceptance of one beneficiary line, with the outputs the
  line targeted (copied when the record is written) against what was achieved, pass or fail. A
  line that failed may be accepted again later: its latest record (by date, then id) counts.
- ``Settlement``: the project's settlement dossier and its decision, a state table
  (submitted → checked → approved, or returned; ``finance.settlement.SETTLEMENT_LIFECYCLE``) with
  a ``SettlementTransition`` per step. The settled amount is written to the ledger as a settlement
  entry when the settlement is approved; what was disbursed beyond it must be recovered.
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
from khuyencong.rulebook.models import Level


class SettlementQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class AcceptanceRecord(ChangeLoggedModel):
    """The acceptance of one beneficiary line at the facility: targets against achievements."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="acceptance_records"
    )
    beneficiary = models.ForeignKey(
        "projects.BeneficiaryLine",
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="acceptance_records",
    )
    accepted_on = models.DateField(_("accepted on"))
    passed = models.BooleanField(_("passed"))
    record_number = models.CharField(_("record number"), max_length=60)
    target_outputs = models.TextField(_("target outputs"), blank=True)
    achieved_outputs = models.TextField(_("achieved outputs"))
    achieved_quantity = models.DecimalField(
        _("achieved quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SettlementQuerySet.as_manager()
    scope_province_field = "project__province"
    scope_org_unit_field = "project__implementing_unit"

    class Meta:
        ordering = ["beneficiary", "-accepted_on", "-pk"]
        indexes = [models.Index(fields=["beneficiary", "accepted_on"], name="acceptance_line_date")]
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")

    def __str__(self) -> str:
        return f"{self.record_number} – {self.beneficiary_id}"


class SettlementState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("settlement state", "Dossier sent")
    CHECKED = "checked", pgettext_lazy("settlement state", "Checked by the finance department")
    APPROVED = "approved", pgettext_lazy("settlement state", "Approved")
    RETURNED = "returned", pgettext_lazy("settlement state", "Returned")


class Settlement(ChangeLoggedModel):
    """The settlement of one project: its dossier, the finance department's check (local
    projects), the decision with the amount settled and what must be recovered."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="settlement"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=SettlementState.choices, default=SettlementState.SUBMITTED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_on = models.DateField(_("dossier sent on"))
    proposed_amount = models.BigIntegerField(_("amount proposed (đồng)"), default=0)
    disbursed_amount = models.BigIntegerField(_("disbursed (đồng)"), default=0)
    settled_amount = models.BigIntegerField(_("settled (đồng)"), null=True, blank=True)
    recover_amount = models.BigIntegerField(_("to recover (đồng)"), default=0)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    by_agency_from_acceptance = models.BooleanField(
        _("settled by the Agency from the acceptance records"), default=False
    )
    note = models.TextField(_("note"), blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ledger_entry = models.ForeignKey(
        "finance.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    # Copied from the project (lists filter without a join).
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "territory.Province", verbose_name=_("province"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("implementing unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = SettlementQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "unit"

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_amount__gte=0, disbursed_amount__gte=0, recover_amount__gte=0),
                name="settlement_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(settled_amount__isnull=True) | Q(settled_amount__gte=0),
                name="settlement_settled_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "year"], name="settlement_state_year"),
            models.Index(fields=["province", "year"], name="settlement_province_year"),
        ]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.project.code} – {self.get_state_display()}"


class SettlementTransition(TransitionRecord):
    """A step a settlement took: sent, checked, approved, returned."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["settlement", "at"], name="settlementtransition_at")]
        verbose_name = _("settlement transition")
        verbose_name_plural = _("settlement transitions")
