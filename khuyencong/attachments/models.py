"""Attached documents: files kept outside the web root, versioned per owner and slot."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.audit import ChangeLoggedModel


class Attachment(ChangeLoggedModel):
    """One version of one document of a record (its *owner*, any attachable model).

    Uploading to the same ``slot`` of the same owner again adds version 2, 3…; earlier versions
    stay, listed and downloadable. Removing marks a version removed (who, when) and keeps the row
    and the file for the record. The file lives under ``KC_FILES_DIR`` at ``path``, a name made
    by the system (never the uploader's file name, kept in ``original_name`` for the download).
    Reads and writes follow the owner's permissions (``attachments.attachable``), so this model
    has no reach of its own.
    """

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "object_id")
    slot = models.CharField(_("document"), max_length=60)
    title = models.CharField(_("title"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    path = models.CharField(_("stored as"), max_length=300, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["owner_type", "object_id", "slot", "-version"]
        indexes = [models.Index(fields=["owner_type", "object_id", "slot"], name="attachment_owner_slot")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "object_id", "slot", "version"], name="attachment_owner_slot_version"
            )
        ]
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def owner_label(self) -> str:
        return f"{self.owner_type.app_label}.{self.owner_type.model}"
