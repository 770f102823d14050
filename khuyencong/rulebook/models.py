"""Legal documents (văn bản) and the versioned catalogues that hang off them.

Everything the programme checks — activity contents, spending norms, advance rules, dossier lists,
deadlines, eligible locations — is data with a legal basis and effective dates, never a constant in
code, so that a 2019 project is checked by the rules in force in 2019 (DOMAIN.md §4).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.audit import ChangeLoggedModel
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
