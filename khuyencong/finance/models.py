"""Money of the programme: budget allocations (giao dự toán) and the ledger of advances, payments,
recoveries and settlements, with the accounts that guard them (DOMAIN.md §6, ADR 0007).

Every amount is whole đồng. Nothing here is edited after it is written: an allocation is changed
by a new entry with a reason (a negative amount reduces it, ``corrects`` names the entry it
corrects); a payment request is approved or rejected by a step that leaves a transition record; a
payment made in error is returned by a recovery entry.

``Account`` rows are the balances, derived from the entries in the same transaction that writes
them, each change one conditional ``UPDATE`` (``finance.accounts``), so no read-decide-write race
can overpay a contract, overdraw an allocation or advance more than the rule in force allows; the
database's CHECK constraints hold the same limits once more. ``finance.accounts.reconcile``
recomputes every account from the entries (tests and ``khuyencong check-ledger``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.planning.models import FundingSource
from khuyencong.rulebook.models import Level


class FinanceQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class Allocation(ChangeLoggedModel):
    """One budget allocation entry (giao dự toán) to an implementing unit for a year and a funding
    source, resting on a decision. A reduction or a correction is a further entry, never an edit."""

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    plan = models.ForeignKey(
        "planning.AnnualPlan", verbose_name=_("annual plan"), on_delete=models.PROTECT, related_name="allocations"
    )
    plan_line = models.ForeignKey(
        "planning.PlanLine",
        verbose_name=_("plan line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    plan_line_key = models.CharField(max_length=40, blank=True, editable=False)
    unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("implementing unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The province of the implementing unit (empty for the Agency's own units)."),
    )
    funding_source = models.CharField(
        _("funding source"), max_length=15, choices=FundingSource.choices, default=FundingSource.CENTRAL
    )
    amount = models.BigIntegerField(_("amount (đồng)"), help_text=_("Negative: a reduction."))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    reason = models.TextField(_("reason"), blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FinanceQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "unit"

    class Meta:
        ordering = ["-year", "-decision_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="allocation_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["year", "unit", "funding_source"], name="allocation_year_unit"),
            models.Index(fields=["plan", "year"], name="allocation_plan_year"),
            models.Index(fields=["province", "year"], name="allocation_province_year"),
        ]
        verbose_name = _("budget allocation")
        verbose_name_plural = _("budget allocations")

    def __str__(self) -> str:
        return f"{self.decision_number} – {self.unit}"


class EntryKind(models.TextChoices):
    ADVANCE = "advance", pgettext_lazy("ledger entry kind", "Advance")
    PAYMENT = "payment", pgettext_lazy("ledger entry kind", "Payment")
    RECOVERY = "recovery", pgettext_lazy("ledger entry kind", "Recovery")
    SETTLEMENT = "settlement", pgettext_lazy("ledger entry kind", "Settlement")


class EntryStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("ledger entry status", "Awaiting approval")
    PAID = "paid", pgettext_lazy("ledger entry status", "Paid")
    REJECTED = "rejected", pgettext_lazy("ledger entry status", "Rejected")


# Kinds that move money to the implementer (disbursement, giải ngân) and count against the caps.
OUTGOING = frozenset({EntryKind.ADVANCE, EntryKind.PAYMENT})


class LedgerEntry(ChangeLoggedModel):
    """One movement of a project's money: an advance or payment (requested, then approved as paid
    or rejected), a recovery (money returned) or a settlement (the amount settled).

    The columns after ``project`` are copied from the project when the entry is written, so the
    rollups group the ledger by year, level, province, unit, content and source without a join.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    beneficiary = models.ForeignKey(
        "projects.BeneficiaryLine",
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.REQUESTED)
    amount = models.BigIntegerField(_("amount (đồng)"))
    entry_date = models.DateField(_("date"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    recovers = models.ForeignKey(
        "self",
        verbose_name=_("recovers"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recoveries",
        help_text=_("For a recovery: the advance or payment the money returned belongs to."),
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    # Copied from the project (rollups without joins).
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "territory.Province", verbose_name=_("province"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    legacy_province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province before 1/7/2025"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit", verbose_name=_("implementing unit"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.ForeignKey(
        "rulebook.ActivityContent", verbose_name=_("activity content"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        "planning.AnnualPlan", verbose_name=_("annual plan"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    funding_source = models.CharField(
        _("funding source"), max_length=15, choices=FundingSource.choices, default=FundingSource.CENTRAL
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    requested_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = FinanceQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "unit"

    class Meta:
        ordering = ["-entry_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["project", "entry_date"], name="ledger_project_date"),
            models.Index(fields=["status", "kind"], name="ledger_status_kind"),
            models.Index(fields=["year", "province"], name="ledger_year_province"),
            models.Index(fields=["year", "unit"], name="ledger_year_unit"),
            models.Index(fields=["-entry_date", "-id"], name="ledger_newest"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} – {self.project_id}".replace(",", ".")

    @property
    def is_outgoing(self) -> bool:
        return self.kind in OUTGOING


class LedgerEntryTransition(TransitionRecord):
    """A step a ledger entry took: approved as paid or rejected."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["entry", "at"], name="ledgertransition_entry_at")]
        verbose_name = _("ledger entry transition")
        verbose_name_plural = _("ledger entry transitions")


class AccountKind(models.TextChoices):
    PROJECT = "project", _("Project")
    LINE = "line", _("Beneficiary line")
    ALLOCATION = "allocation", _("Allocation")


# Above any amount the programme handles: the ceiling of an account that has no advance limit.
NO_LIMIT = 10**15


class Account(models.Model):
    """The running balances that guard one cap, derived from the entries (ADR 0007).

    - project account (one per project): ``ceiling`` = the contracted support (the live main
      contract's value), ``advance_ceiling`` = what the advance rule in force allows;
    - line account (one per beneficiary line): ``ceiling`` = its support contract's value, or the
      line's support when it has none;
    - allocation account (one per unit, year and funding source): ``ceiling`` = the sum of the
      allocation entries.

    ``committed`` = advances and payments requested or paid, less recoveries; ``advanced`` the
    advances among them; ``disbursed`` what was actually paid, less recoveries; ``settled`` the
    settled amount. The CHECK constraints are the database's own guard of the same limits.
    """

    kind = models.CharField(max_length=12, choices=AccountKind.choices)
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="money_account"
    )
    beneficiary = models.OneToOneField(
        "projects.BeneficiaryLine", on_delete=models.CASCADE, null=True, blank=True, related_name="money_account"
    )
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    funding_source = models.CharField(max_length=15, choices=FundingSource.choices, blank=True)
    ceiling = models.BigIntegerField(default=0)
    advance_ceiling = models.BigIntegerField(default=NO_LIMIT)
    committed = models.BigIntegerField(default=0)
    advanced = models.BigIntegerField(default=0)
    disbursed = models.BigIntegerField(default=0)
    settled = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "funding_source"],
                condition=Q(kind="allocation"),
                name="account_one_per_allocation",
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0, advanced__gte=0, disbursed__gte=0, settled__gte=0),
                name="account_not_negative",
            ),
            models.CheckConstraint(condition=Q(committed__lte=F("ceiling")), name="account_within_ceiling"),
            models.CheckConstraint(condition=Q(advanced__lte=F("advance_ceiling")), name="account_within_advance"),
            models.CheckConstraint(condition=Q(disbursed__lte=F("committed")), name="account_disbursed_committed"),
            models.CheckConstraint(condition=Q(settled__lte=F("disbursed")), name="account_settled_disbursed"),
        ]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"{self.kind}:{self.project_id or self.beneficiary_id or self.unit_id}"
