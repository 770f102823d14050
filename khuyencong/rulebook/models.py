"""Legal documents (văn bản) and the versioned catalogues that hang off them.

Everything the programme checks — activity contents, spending norms, advance rules, dossier lists,
deadlines, eligible locations — is data with a legal basis and effective dates, never a constant in
code, so that a 2019 project is checked by the rules in force in 2019 (DOMAIN.md §4).
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.text import fold, normalize


class Level(models.TextChoices):
    """Who manages and funds a programme, plan or project."""

    NATIONAL = "national", _("National (KCQG)")
    LOCAL = "local", _("Local (KCĐP)")


class ProjectKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary project")
    GROUP = "group", _("Group project")
    FLAGSHIP = "flagship", _("Flagship project")


class LegalDocument(ChangeLoggedModel):
    """A legal text: decree, circular, decision, directive, official letter, resolution…"""

    class Type(models.TextChoices):
        LAW = "law", _("Law")
        DECREE = "decree", _("Decree")
        CIRCULAR = "circular", _("Circular")
        JOINT_CIRCULAR = "joint_circular", _("Joint circular")
        DECISION = "decision", _("Decision")
        DIRECTIVE = "directive", _("Directive")
        OFFICIAL_LETTER = "official_letter", _("Official letter")
        RESOLUTION = "resolution", _("Resolution")
        CONSOLIDATED = "consolidated", _("Consolidated text")
        OTHER = "other", _("Other")

    class Field(models.TextChoices):
        PROGRAMME = "programme", _("Industrial extension")
        FINANCE = "finance", _("Budget and finance")
        COMPETITION = "competition", _("Typical product competition")
        TERRITORY = "territory", _("Administrative units")
        OTHER = "other", _("Other")

    number = models.CharField(_("number"), max_length=80, unique=True)
    doc_type = models.CharField(_("document type"), max_length=20, choices=Type.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=20, choices=Field.choices, default=Field.PROGRAMME)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    file = models.FileField(_("file"), upload_to="legal/%Y/", blank=True)
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for a province's own texts (e.g. a People's Council resolution)."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    amends = models.ManyToManyField(
        "self", verbose_name=_("amends"), symmetrical=False, blank=True, related_name="amended_by"
    )
    to_confirm = models.TextField(
        _("to confirm"),
        blank=True,
        help_text=_("What has not yet been checked against the gazette text; shown on screen."),
    )
    search_text = models.TextField(editable=False, default="")

    # Writes are scoped by the province of a local text (reads are nationwide: see permissions).
    scope_province_field = "province"

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        indexes = [models.Index(fields=["doc_type", "issued_on"], name="legaldoc_type_issued")]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"

    def save(self, *args, **kwargs):
        self.number = normalize(self.number)
        self.title = normalize(self.title)
        self.search_text = fold(f"{self.number} {self.title} {self.issuing_body} {self.signer} {self.summary}")
        super().save(*args, **kwargs)

    def in_force_on(self, on: dt.date) -> bool:
        starts = self.effective_from or self.issued_on
        return (starts is None or starts <= on) and (self.expires_on is None or on <= self.expires_on)


class ActivityContent(ChangeLoggedModel):
    """An activity content (nội dung hoạt động khuyến công) of one version of the catalogue.

    The catalogue has a version per legal text (2012: Decree 45; 2025: Decree 235). A project, a
    plan line, a norm, an advance rule and a dossier list each reference one content.
    """

    catalogue = models.CharField(_("catalogue version"), max_length=10)
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    legal_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="activity_contents"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Wording or numbering still to be confirmed.")
    )
    note = models.TextField(_("note"), blank=True)
    folded_name = models.CharField(max_length=300, editable=False, default="")

    class Meta:
        ordering = ["-effective_from", "number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="activitycontent_catalogue_number"),
        ]
        verbose_name = _("activity content")
        verbose_name_plural = _("activity contents")

    def __str__(self) -> str:
        return f"{self.number}. {self.name} ({self.catalogue})"

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.folded_name = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    @classmethod
    def in_force_on(cls, on: dt.date) -> models.QuerySet[ActivityContent]:
        return cls.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
        ).order_by("number")


# --- versioned rules ------------------------------------------------------------------------


class Area(models.TextChoices):
    ANY = "any", _("Any area")
    DISADVANTAGED = "disadvantaged", _("Disadvantaged area")
    OTHER = "other", _("Not a disadvantaged area")


class Beneficiary(models.TextChoices):
    """Who receives the support (Decree 45/2012 as amended by Decree 235/2025)."""

    ANY = "any", _("Any beneficiary")
    RURAL_ESTABLISHMENT = "rural_establishment", _("Rural industrial establishment")
    CLEANER_PRODUCTION = "cleaner_production", _("Establishment applying cleaner production")
    CLUSTER_INVESTOR = "cluster_investor", _("Industrial-cluster infrastructure investor")
    ARTISAN = "artisan", _("Artisan")


class RuleQuerySet(ChangeLoggedQuerySet):
    def in_force(self, on: dt.date):
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)


class VersionedRule(ChangeLoggedModel):
    """What every rule of the rulebook shares: a series of versions, each resting on a legal text.

    A *series* is one rule through time (``series``: a key derived from what the rule is about,
    e.g. the national norm for machinery of ordinary projects). Its versions never overlap: a new
    version supersedes the one before it, which then ends the day before the new one starts. A
    version already in force is never edited in place (``rulebook.actions``). The jurisdiction is
    the level and, for a local rule, the province whose People's Council set it; legacy provinces
    (before 1/7/2025) are matched through their successor (``rulebook.services``).
    """

    series = models.CharField(_("series"), max_length=200, editable=False, db_index=True)
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("What the rule is about, the same in every version (e.g. machinery).")
    )
    name = models.CharField(_("name"), max_length=300)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NATIONAL)
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a local rule: the province whose People's Council resolution sets it."),
    )
    legal_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    unconfirmed = models.BooleanField(
        _("unconfirmed"), default=False, help_text=_("A figure or wording not yet checked against the gazette text.")
    )
    unconfirmed_note = models.TextField(_("what to confirm"), blank=True)
    note = models.TextField(_("note"), blank=True)
    folded_name = models.CharField(max_length=400, editable=False, default="")

    scope_province_field = "province"
    objects = RuleQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["series", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction_label}, {self.effective_from:%d/%m/%Y})"

    @property
    def jurisdiction_label(self) -> str:
        if self.level == Level.LOCAL:
            return str(self.province) if self.province_id else str(_("Local (province not linked)"))
        return str(_("National"))

    def series_parts(self) -> list[str]:
        """What identifies the series besides the jurisdiction and code (subclasses add theirs)."""
        return []

    def series_key(self) -> str:
        where = self.province.code if self.level == Level.LOCAL and self.province_id else self.level
        prefix = type(self)._meta.model_name
        return "/".join([prefix, self.level, where, self.code, *self.series_parts()])

    def in_force_on(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.series = self.series_key()
        self.folded_name = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)


class SpendingNorm(VersionedRule):
    """A spending norm (định mức chi): how much may be supported, as a share and a ceiling.

    Support ≤ min(percent_cap × eligible cost, amount_cap); a full technology line may carry a
    multiple of the per-establishment cap (``line_multiplier``, 1.5 under TT 28/2018).
    """

    class Basis(models.TextChoices):
        ESTABLISHMENT = "establishment", _("per establishment")
        MODEL = "model", _("per model")
        PROJECT = "project", _("per project")
        PERSON = "person", _("per person")
        EVENT = "event", _("per event")

    contents = models.ManyToManyField(
        ActivityContent, verbose_name=_("activity contents"), related_name="spending_norms", blank=True
    )
    project_kind = models.CharField(
        _("project kind"), max_length=10, choices=ProjectKind.choices, blank=True, help_text=_("Empty: any kind.")
    )
    area = models.CharField(_("area"), max_length=15, choices=Area.choices, default=Area.ANY)
    beneficiary = models.CharField(
        _("beneficiary"), max_length=25, choices=Beneficiary.choices, default=Beneficiary.ANY
    )
    percent_cap = models.DecimalField(
        _("share of the cost (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    amount_cap = models.BigIntegerField(_("ceiling (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)])
    basis = models.CharField(_("ceiling applies"), max_length=15, choices=Basis.choices, default=Basis.ESTABLISHMENT)
    line_multiplier = models.DecimalField(
        _("full line multiplier"), max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("A full technology line may receive this multiple of the ceiling (e.g. 1.5)."),
    )  # fmt: skip

    class Meta(VersionedRule.Meta):
        verbose_name = _("spending norm")
        verbose_name_plural = _("spending norms")

    def series_parts(self) -> list[str]:
        return [self.project_kind or "any", self.area, self.beneficiary]

    def line_cap(self) -> int | None:
        if self.amount_cap is None or self.line_multiplier is None:
            return None
        return int(self.amount_cap * self.line_multiplier)


class AdvanceRule(VersionedRule):
    """How much of a project's support may be advanced first, and on what conditions (tạm ứng)."""

    contents = models.ManyToManyField(
        ActivityContent, verbose_name=_("activity contents"), related_name="advance_rules", blank=True
    )
    first_advance_percent = models.DecimalField(
        _("first advance (%)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0: no advance, payment after acceptance."),
    )  # fmt: skip
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta(VersionedRule.Meta):
        verbose_name = _("advance rule")
        verbose_name_plural = _("advance rules")

    @property
    def payment_after_acceptance(self) -> bool:
        return not self.first_advance_percent


class DossierList(VersionedRule):
    """The documents a project dossier of some contents must contain."""

    contents = models.ManyToManyField(
        ActivityContent, verbose_name=_("activity contents"), related_name="dossier_lists", blank=True
    )
    documents = models.JSONField(_("documents"), default=list, help_text=_("One document per line."))

    class Meta(VersionedRule.Meta):
        verbose_name = _("dossier list")
        verbose_name_plural = _("dossier lists")


class DeadlineRule(VersionedRule):
    """A deadline, in one of four shapes (DOMAIN.md §5): a calendar date each year, an offset from
    an event, a date in the next year, or a one-off date a directive sets for a level, a year and
    (optionally) some provinces."""

    class Shape(models.TextChoices):
        ANNUAL = "annual", _("Calendar date each year")
        OFFSET = "offset", _("Days after an event")
        NEXT_YEAR = "next_year", _("Date in the next year")
        ONE_OFF = "one_off", _("One-off date set by a directive")

    class Event(models.TextChoices):
        LAST_ACCEPTANCE = "last_acceptance", _("the last facility acceptance")
        APPROVAL = "approval", _("approval")
        CONTRACT = "contract", _("contract signing")

    shape = models.CharField(_("shape"), max_length=10, choices=Shape.choices)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    year_offset = models.SmallIntegerField(
        _("year relative to the plan year"), default=0,
        help_text=_("-1: the year before the plan year (e.g. registration by 20/5 of the year before)."),
    )  # fmt: skip
    event = models.CharField(_("event"), max_length=20, choices=Event.choices, blank=True)
    offset_days = models.PositiveSmallIntegerField(_("days after the event"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    applies_to_year = models.PositiveSmallIntegerField(_("plan year"), null=True, blank=True)
    applies_to_provinces = models.ManyToManyField(
        "territory.Province", verbose_name=_("provinces"), blank=True, related_name="+",
        help_text=_("For a one-off directive: the provinces it concerns (none: all)."),
    )  # fmt: skip

    class Meta(VersionedRule.Meta):
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def series_parts(self) -> list[str]:
        return [str(self.applies_to_year)] if self.shape == self.Shape.ONE_OFF and self.applies_to_year else []


RULE_MODELS: tuple[type[VersionedRule], ...] = (SpendingNorm, AdvanceRule, DossierList, DeadlineRule)
