"""The programme's organisation: a tree of org units, and who acts for which unit in which role."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold, normalize


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    AGENCY_LEADER = "agency_leader", _("Agency leader (approver)")
    REGIONAL_OFFICER = "regional_officer", _("Regional centre officer")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    PROVINCIAL_LEADER = "provincial_leader", _("Provincial leader")
    PROVINCIAL_FINANCE = "provincial_finance", _("Provincial finance officer")
    IMPLEMENTER = "implementer", _("Implementer")
    INSPECTOR = "inspector", _("Inspector")
    ESTABLISHMENT = "establishment", _("Establishment")
    VIEWER = "viewer", _("Read-only viewer")


class OrgUnitQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class OrgUnit(ChangeLoggedModel):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Agency")
        REGIONAL_CENTRE = "regional_centre", _("Regional centre")
        PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial People's Committee")
        DOIT = "doit", _("Department of Industry and Trade")
        PROVINCIAL_CENTRE = "provincial_centre", _("Provincial khuyến công centre")
        FINANCE_DEPT = "finance_dept", _("Department of Finance")
        COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
        IMPLEMENTING_UNIT = "implementing_unit", _("Implementing unit")
        ESTABLISHMENT = "establishment", _("Establishment")

    NATIONAL_KINDS = {Kind.MINISTRY, Kind.AGENCY}
    PROVINCIAL_KINDS = {Kind.PROVINCIAL_COMMITTEE, Kind.DOIT, Kind.PROVINCIAL_CENTRE, Kind.FINANCE_DEPT}
    # Kinds a province manages itself. Every other kind is a standing reference unit, loaded and
    # upserted by code by ``reference.load_reference_org_units`` and edited only nationwide.
    LOCAL_KINDS = (Kind.IMPLEMENTING_UNIT, Kind.COMMUNE_COMMITTEE, Kind.ESTABLISHMENT)

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    province = models.ForeignKey(
        "territory.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_units",
        verbose_name=_("province"),
        limit_choices_to={"valid_to__isnull": True},
    )
    commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_units",
        verbose_name=_("commune"),
        limit_choices_to={"valid_to__isnull": True},
    )
    region = models.ForeignKey(
        "territory.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_units",
        verbose_name=_("region"),
        help_text=_("For regional centres: the region whose provinces the centre serves."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    folded_name = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = OrgUnitQuerySet.as_manager()

    # Scoping: rows of a province are visible to that province's officers, and a unit is
    # always visible to the people who act for it.
    scope_province_field = "province"
    scope_org_unit_field = "pk"

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.kind == self.Kind.REGIONAL_CENTRE and self.region_id is None:
            raise ValidationError({"region": _("A regional centre must serve a region.")})
        if self.kind in self.PROVINCIAL_KINDS and self.province_id is None:
            raise ValidationError({"province": _("A provincial unit must belong to a province.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.parent_id and self.pk and f"/{self.pk}/" in (self.parent.path or ""):
            raise ValidationError({"parent": _("A unit cannot be placed under one of its own sub-units.")})

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.short_name = normalize(self.short_name)
        self.folded_name = fold(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            OrgUnit._base_manager.filter(pk=self.pk).update(path=path)
            if old:
                for child in OrgUnit._base_manager.filter(path__startswith=old).exclude(pk=self.pk):
                    OrgUnit._base_manager.filter(pk=child.pk).update(path=path + child.path[len(old) :])

    @property
    def is_reference(self) -> bool:
        return self.kind not in self.LOCAL_KINDS

    def descendants(self, include_self: bool = True):
        units = OrgUnit.objects.filter(path__startswith=self.path)
        return units if include_self else units.exclude(pk=self.pk)


class RoleAssignmentQuerySet(ChangeLoggedQuerySet):
    def active(self, on: dt.date | None = None):
        """Assignments in force on ``on`` for active users; a deactivated org unit grants nothing."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            Q(org_unit__isnull=True) | Q(org_unit__is_active=True),
            user__is_active=True,
        )


class RoleAssignment(ChangeLoggedModel):
    """A user acts in ``role`` for ``org_unit`` (or everywhere when the unit is empty) over a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("org unit"),
        help_text=_("Leave empty for a nationwide assignment."),
    )
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        where = self.org_unit or _("nationwide")
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date must not be before the start date.")})
