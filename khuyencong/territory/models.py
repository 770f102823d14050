"""Vietnam's administrative territory before and after the 1/7/2025 reform.

A unit that existed before the reform and one in force after it are separate rows even when
name and code did not change: each row carries its validity dates, and every legacy row points
to the unit that succeeded it. Historical records keep the row that existed at the time.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REFORM_DATE = dt.date(2025, 7, 1)


class CityGrade(models.IntegerChoices):
    """Urban grade (loại đô thị) of a city; the eligibility rules before 15/10/2025 depend on it.

    Not part of the published territory lists: filled in by administrators (blank = not known)."""

    SPECIAL = 0, _("Special grade")
    GRADE_1 = 1, _("Grade 1")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")
    GRADE_4 = 4, _("Grade 4")
    GRADE_5 = 5, _("Grade 5")


class InForceQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None):
        """Units in force on ``on`` (today when omitted)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )

    def current(self):
        return self.filter(valid_to__isnull=True)

    def legacy(self):
        return self.filter(valid_to__isnull=False)


class Region(models.Model):
    """A grouping of provinces: the 3 centre/competition regions or the 6 socio-economic regions."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Regional centre / competition region")
        SOCIOECONOMIC = "socioeconomic", _("Socio-economic region")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    provinces = models.ManyToManyField("Province", related_name="regions", blank=True, verbose_name=_("provinces"))

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="region_kind_code_unique")]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    """Tỉnh / thành phố trực thuộc trung ương."""

    class UnitType(models.TextChoices):
        PROVINCE = "province", pgettext_lazy("unit type", "Province")
        CITY = "city", _("Centrally-run city")

    code = models.CharField(_("code"), max_length=4, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices)
    city_grade = models.PositiveSmallIntegerField(_("city grade"), choices=CityGrade.choices, null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    folded_name = models.CharField(max_length=100, editable=False, db_index=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-valid_to"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_to"], name="province_code_valid_to_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="province_current_code_unique"
            ),
        ]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None

    @property
    def is_centrally_run_city(self) -> bool:
        return self.unit_type == self.UnitType.CITY


class District(models.Model):
    """Huyện / quận / thị xã / thành phố thuộc tỉnh: abolished on 1/7/2025, kept for history."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_type = models.CharField(_("unit type"), max_length=30)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    city_grade = models.PositiveSmallIntegerField(_("city grade"), choices=CityGrade.choices, null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """Xã / phường / đặc khu (and thị trấn before the reform)."""

    class UnitType(models.TextChoices):
        COMMUNE = "commune", pgettext_lazy("unit type", "Commune")
        WARD = "ward", _("Ward")
        TOWNSHIP = "township", _("Township")
        SPECIAL_ZONE = "special_zone", _("Special zone")

    code = models.CharField(_("code"), max_length=6, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="communes")
    ward_since = models.DateField(
        _("ward since"),
        null=True,
        blank=True,
        help_text=_("For a ward upgraded from a commune: the date of the upgrade (blank = not known)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    folded_name = models.CharField(max_length=100, editable=False, db_index=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-valid_to"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_to"], name="commune_code_valid_to_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="commune_current_code_unique"
            ),
        ]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None
