"""Contracts (hợp đồng) of a project and their amendments.

A project has one live *main* contract, between the Agency (national) or the Department (local)
and the implementing unit, and *support* contracts between the implementing unit and each of its
beneficiaries (one beneficiary line each). Values are whole đồng and never exceed what is above
them: the main contract the project's approved support, the support contracts together the main
contract, each support contract its beneficiary line's support (``contracts.actions``).

Reach follows the project: officers by the project's province, an implementer only the contracts
of its own unit's projects (``permissions.ORG_UNIT_ONLY``).
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
from khuyencong.kernel.text import fold


class ContractQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class ContractKind(models.TextChoices):
    MAIN = "main", pgettext_lazy("contract kind", "Main contract")
    SUPPORT = "support", pgettext_lazy("contract kind", "Support contract")


class ContractState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract state", "Draft")
    SIGNED = "signed", pgettext_lazy("contract state", "Signed")
    AMENDED = "amended", pgettext_lazy("contract state", "Amended")
    LIQUIDATED = "liquidated", pgettext_lazy("contract state", "Liquidated")
    TERMINATED = "terminated", pgettext_lazy("contract state", "Terminated")


# A contract that binds the parties: it counts against the caps above it.
LIVE_STATES = frozenset({ContractState.DRAFT, ContractState.SIGNED, ContractState.AMENDED})
IN_FORCE_STATES = frozenset({ContractState.SIGNED, ContractState.AMENDED})


class Contract(ChangeLoggedModel):
    """A contract of a project, with its value in whole đồng."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContractKind.choices)
    beneficiary = models.ForeignKey(
        "projects.BeneficiaryLine",
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text=_("For a support contract: the beneficiary line it funds."),
    )
    number = models.CharField(_("contract number"), max_length=60)
    party_a = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("party A"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party that issues the contract and pays."),
    )
    party_b_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("party B (unit)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    party_b_establishment = models.ForeignKey(
        "registry.Establishment",
        verbose_name=_("party B (establishment)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.BigIntegerField(_("value (đồng)"), default=0)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    deadline = models.DateField(_("completion deadline"), null=True, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT)
    version = models.PositiveIntegerField(default=0, editable=False)
    liquidation_number = models.CharField(_("liquidation record number"), max_length=60, blank=True)
    liquidated_on = models.DateField(_("liquidated on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    folded_name = models.CharField(max_length=700, editable=False, default="")

    objects = ContractQuerySet.as_manager()
    scope_province_field = "project__province"
    scope_org_unit_field = "project__implementing_unit"

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["party_a", "number"], name="contract_number_per_issuer"),
            models.CheckConstraint(condition=Q(value__gte=0), name="contract_value_not_negative"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="contract_dates_in_order",
            ),
            # One live main contract per project (terminated ones stay as history).
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="main") & ~Q(state="terminated"),
                name="contract_one_live_main",
            ),
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(kind="support") & ~Q(state="terminated"),
                name="contract_one_live_support_per_line",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "kind"], name="contract_project_kind"),
            models.Index(fields=["state", "signed_on"], name="contract_state_signed"),
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.number}"

    def save(self, *args, **kwargs):
        self.number = (self.number or "").strip()
        if self.project_id:
            project = self.project
            self.folded_name = fold(f"{self.number} {project.code} {project.name} {self.subject}")
        super().save(*args, **kwargs)

    @property
    def party_b(self):
        return self.party_b_unit if self.party_b_unit_id else self.party_b_establishment

    @property
    def is_main(self) -> bool:
        return self.kind == ContractKind.MAIN

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class ContractAmendment(ChangeLoggedModel):
    """An appendix (phụ lục) changing a signed contract's value or end date: what it was before and
    what it became, so the contract's history reads in order."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    sequence = models.PositiveIntegerField(_("no."), default=1)
    number = models.CharField(_("amendment number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    value_before = models.BigIntegerField(_("value before (đồng)"))
    new_value = models.BigIntegerField(_("new value (đồng)"), null=True, blank=True)
    end_date_before = models.DateField(_("end date before"), null=True, blank=True)
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="amendment_sequence"),
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_number"),
        ]
        verbose_name = _("contract amendment")
        verbose_name_plural = _("contract amendments")

    def __str__(self) -> str:
        return f"{self.contract.number} / {self.number}"


class ContractTransition(TransitionRecord):
    """A step a contract took: drafted, signed, amended, liquidated or terminated."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        indexes = [models.Index(fields=["contract", "at"], name="contracttransition_at")]
        verbose_name = _("contract transition")
        verbose_name_plural = _("contract transitions")
