"""The registry of rural industrial establishments (cơ sở CNNT) and craft villages (làng nghề)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import SortKeyField, TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold, normalize, sort_key


class LegalForm(models.TextChoices):
    SME = "sme", _("Small or medium enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_UNION = "cooperative_union", _("Union of cooperatives")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    HOUSEHOLD = "household", _("Household business")
    ARTISAN = "artisan", _("Artisan")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", pgettext_lazy("gender", "Other")


class IndustryLine(ChangeLoggedModel):
    """An entry of a versioned catalogue of industry lines (ngành nghề)."""

    catalogue = models.CharField(_("catalogue"), max_length=40, default="VSIC-2018")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    folded_name = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        ordering = ["catalogue", "code"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="industryline_catalogue_code")]
        verbose_name = _("industry line")
        verbose_name_plural = _("industry lines")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        self.folded_name = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)


class RegistryQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


class CraftVillage(ChangeLoggedModel):
    name = models.CharField(_("name"), max_length=255)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="craft_villages", verbose_name=_("commune")
    )
    province = models.ForeignKey(
        "territory.Province",
        on_delete=models.PROTECT,
        related_name="craft_villages",
        editable=False,
        verbose_name=_("province"),
    )
    recognised = models.BooleanField(_("recognised"), default=False)
    decision_number = models.CharField(_("recognition decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("recognition decision date"), null=True, blank=True)
    crafts = models.CharField(_("crafts"), max_length=255, blank=True)
    folded_name = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = RegistryQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = None

    class Meta:
        ordering = ["name"]
        verbose_name = _("craft village")
        verbose_name_plural = _("craft villages")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.recognised and not (self.decision_number and self.decision_date):
            raise ValidationError(_("A recognised craft village needs the decision number and date."))

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.province_id = self.commune.province_id
        self.folded_name = fold(f"{self.name} {self.crafts}")
        super().save(*args, **kwargs)


CLAUSE_UNIT_TYPES = ("commune", "ward", "township", "special_zone")
CLAUSE_PARENTS = ("any", "province", "city")
CLAUSE_KEYS = {"text", "unit_types", "parent", "district_types", "city_grades", "ward_within_years", "confirm"}


def validate_clauses(value) -> None:
    """Check the shape of :attr:`EligibilityRule.clauses` so an edit in the admin fails with a clear message."""
    if not isinstance(value, list):
        raise ValidationError(_("Clauses must be a list."))
    for number, clause in enumerate(value, start=1):
        problem = None
        if not isinstance(clause, dict) or not str(clause.get("text", "")).strip():
            problem = _("each clause needs a non-empty text")
        elif set(clause) - CLAUSE_KEYS:
            problem = _("unknown keys: %(keys)s") % {"keys": ", ".join(sorted(set(clause) - CLAUSE_KEYS))}
        elif not clause.get("unit_types") or set(clause["unit_types"]) - set(CLAUSE_UNIT_TYPES):
            problem = _("unit_types must list some of: %(types)s") % {"types": ", ".join(CLAUSE_UNIT_TYPES)}
        elif clause.get("parent", "any") not in CLAUSE_PARENTS:
            problem = _("parent must be one of: %(parents)s") % {"parents": ", ".join(CLAUSE_PARENTS)}
        elif not all(isinstance(g, int) and 0 <= g <= 5 for g in clause.get("city_grades", [])):
            problem = _("city_grades must be numbers from 0 (special) to 5")
        elif not isinstance(clause.get("ward_within_years", 0), int):
            problem = _("ward_within_years must be a whole number of years")
        if problem:
            raise ValidationError(_("Clause %(number)s: %(problem)s.") % {"number": number, "problem": problem})


class EligibilityRule(ChangeLoggedModel):
    """Who may be supported, by location, under one legal version (data, not code).

    A rule applies on dates between ``effective_from`` and ``effective_to``. Each entry of
    ``clauses`` is one eligible location as the legal text words it::

        {"text": "phường thuộc thành phố loại 2, loại 3",  # shown to users as the reason
         "unit_types": ["ward"],             # commune / ward / township / special_zone
         "parent": "any",                    # any / province / city (centrally-run city)
         "district_types": ["city"],         # optional: type of the pre-2025 district
         "city_grades": [2, 3],              # optional: urban grade of that city (0 = special)
         "ward_within_years": 5,             # optional: ward upgraded from a commune within N years
         "confirm": false}                   # wording still to be checked against the gazette

    An establishment is also eligible if it sits in a recognised craft village and
    ``recognised_craft_village`` is set. The evaluation is :mod:`khuyencong.registry.eligibility`.
    """

    legal_basis = models.CharField(_("legal basis"), max_length=255)
    # The rulebook's record of the text (the eligibility rule is a rule of the rulebook, shown on
    # its pages); ``legal_basis`` keeps the wording users read in the eligibility reason.
    legal_document = models.ForeignKey(
        "rulebook.LegalDocument",
        verbose_name=_("legal document"),
        on_delete=models.PROTECT,
        related_name="eligibility_rules",
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    clauses = models.JSONField(_("eligible locations"), default=list, blank=True, validators=[validate_clauses])
    recognised_craft_village = models.BooleanField(_("recognised craft villages are eligible"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return f"{self.legal_basis} ({self.effective_from:%d/%m/%Y})"

    @classmethod
    def in_force(cls, on: dt.date) -> EligibilityRule | None:
        return (
            cls.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)
            .select_related("legal_document")
            .order_by("-effective_from")
            .first()
        )


@lru_cache(maxsize=4096)
def place_names(commune_id: int | None) -> str:
    """ "<commune> <province>" for a commune; territory rows are reference data, so caching is safe."""
    if commune_id is None:
        return ""
    from khuyencong.territory.models import Commune

    row = Commune.objects.filter(pk=commune_id).values_list("name", "province__short_name").first()
    return " ".join(row) if row else ""


LIVE = Q(merged_into__isnull=True)


class EstablishmentQuerySet(RegistryQuerySet):
    def live(self):
        """Records in use: merged duplicates are kept for history but hidden."""
        return self.filter(merged_into__isnull=True)


class Establishment(ChangeLoggedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    name = models.CharField(_("name"), max_length=255)
    tax_code = models.CharField(_("tax code"), max_length=14, null=True, blank=True, unique=True)
    registration_number = models.CharField(_("business registration number"), max_length=40, blank=True)
    external_id = models.CharField(_("external id"), max_length=60, null=True, blank=True, unique=True)
    owner_name = models.CharField(_("owner"), max_length=150, blank=True)
    owner_gender = models.CharField(_("owner's gender"), max_length=10, choices=Gender.choices, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name=_("commune"),
        limit_choices_to={"valid_to__isnull": True},
    )
    legacy_commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legacy_establishments",
        verbose_name=_("commune before 1/7/2025"),
        limit_choices_to={"valid_to__isnull": False},
    )
    province = models.ForeignKey(
        "territory.Province",
        on_delete=models.PROTECT,
        related_name="establishments",
        editable=False,
        verbose_name=_("province"),
    )
    craft_village = models.ForeignKey(
        CraftVillage,
        # Unlinking would change eligibility without a change-log entry: deleting a village that
        # records still point at is refused (registry.actions.delete_craft_village).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="establishments",
        verbose_name=_("craft village"),
    )
    industry_lines = models.ManyToManyField(
        IndustryLine, blank=True, related_name="establishments", verbose_name=_("industry lines")
    )
    main_products = models.CharField(_("main products"), max_length=500, blank=True)
    workers_total = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    workers_women = models.PositiveIntegerField(_("women workers"), null=True, blank=True)
    workers_ethnic_minority = models.PositiveIntegerField(_("ethnic-minority workers"), null=True, blank=True)
    annual_revenue = models.BigIntegerField(
        _("annual revenue (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(8), MaxValueValidator(24)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(102), MaxValueValidator(118)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    women_owned = models.BooleanField(_("women-owned"), default=False)
    ethnic_minority_workers = models.BooleanField(_("employs ethnic-minority workers"), default=False)
    disadvantaged_area = models.BooleanField(_("in a disadvantaged area"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        editable=False,
        db_index=False,  # a partial index below: nearly every row is NULL here
    )
    # The establishment's own account: people holding the establishment role for this org unit
    # see and keep up to date this record (registry.actions.update_own_establishment).
    org_unit = models.OneToOneField(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_establishment",
        editable=False,
        verbose_name=_("account unit"),
    )
    search_text = models.TextField(editable=False, default="")
    # The name's Vietnamese sort key (kernel.text.sort_key): lists sorted by name walk its index.
    name_key = SortKeyField()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = EstablishmentQuerySet.as_manager()
    scope_province_field = "province"
    # A province reaches its records; an establishment's own unit reaches the record linked to it.
    scope_org_unit_field = "org_unit"

    class Meta:
        ordering = ["name_key", "pk"]
        # Lists show live rows (not merged away), nationwide or per province, by name (its sort
        # key) or by a sortable column; each order a list offers walks an index (bench/README.md).
        indexes = [
            models.Index(fields=["name_key", "id"], condition=LIVE, name="estab_live_name_idx"),
            models.Index(fields=["province", "name_key", "id"], condition=LIVE, name="estab_live_prov_name_idx"),
            models.Index(fields=["province", "id"], condition=LIVE, name="estab_live_prov_id_idx"),
            models.Index(fields=["tax_code", "id"], condition=LIVE, name="estab_live_tax_code_idx"),
            models.Index(fields=["legal_form", "name_key", "id"], condition=LIVE, name="estab_live_form_idx"),
            models.Index(fields=["status", "name_key", "id"], condition=LIVE, name="estab_live_status_idx"),
            models.Index(fields=["workers_total", "id"], condition=LIVE, name="estab_live_workers_idx"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="estab_merged_into_idx"),
            models.Index(fields=["commune", "status"], name="estab_commune_status_idx"),
        ]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from khuyencong.registry.validation import establishment_errors

        values = {f.name: getattr(self, f.attname) for f in self._meta.concrete_fields if f.editable}
        values["commune"] = self.commune_id
        values["craft_village"] = self.craft_village if self.craft_village_id else None
        errors = establishment_errors(values)
        if self.commune_id and self.commune.valid_to is not None:
            errors["commune"] = _("Choose a commune in force since 1/7/2025; put the old one in the legacy field.")
        if errors:
            raise ValidationError(errors)

    def build_search_text(self) -> str:
        """Folded name, tax code, owner, products, address and place names: "ha tinh" finds every
        establishment of Hà Tĩnh, "tre dan" every "mây tre đan"."""
        parts = [self.name, self.tax_code or "", self.owner_name, self.main_products, self.address]
        parts.append(place_names(self.commune_id))
        return fold(" ".join(p for p in parts if p))

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.owner_name = normalize(self.owner_name)
        self.province_id = self.commune.province_id
        self.search_text = self.build_search_text()
        self.name_key = sort_key(self.name)
        super().save(*args, **kwargs)


class DuplicateCandidate(ChangeLoggedModel):
    """A pair of establishments that may be the same, waiting for an officer's decision."""

    class Reason(models.TextChoices):
        SAME_NAME_COMMUNE = "same_name_commune", _("Same name in the same commune")
        SIMILAR_NAME = "similar_name", _("Similar name in the same commune")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")

    first = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("territory.Province", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    score = models.FloatField(_("similarity"), default=1.0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = RegistryQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = None

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique")]
        # The queue: open pairs, most similar first.
        indexes = [models.Index("status", models.F("score").desc(), "id", name="dup_status_score_idx")]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")

    def __str__(self) -> str:
        return f"{self.first} ~ {self.second}"


class DuplicateDecision(TransitionRecord):
    """Each decision on a possible duplicate (merged, dismissed), with who took it and why."""

    candidate = models.ForeignKey(DuplicateCandidate, on_delete=models.CASCADE, related_name="decisions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
