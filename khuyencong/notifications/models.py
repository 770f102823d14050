"""Notifications: a message to one person (in-app, and by e-mail when asked), and the record of
each day's digest e-mail so the daily job sends it once.

A notification belongs to its recipient alone, like a job to its owner: it is read through
``selectors.own_notifications`` and never through ``kernel.scoping.restrict`` (docs/architecture.md,
step 10). Its text is written in the recipient's language when it is created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # A short code saying what happened: project_submitted, deadline_due, deadline_overdue…
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True, help_text=_("An address on this site."))
    # What the notification is about, for grouping: "projects.project" and the row's key.
    ref_type = models.CharField(_("about (type)"), max_length=100, blank=True)
    ref_id = models.CharField(_("about (key)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # The same reminder sent twice (the daily job run twice on a day) writes one row.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["ref_type", "ref_id"], name="notification_ref"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DigestRun(models.Model):
    """One person's daily digest: written before the e-mail goes, unique per person and day, so a
    second run of the daily job on the same day sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs", verbose_name=_("user")
    )
    on = models.DateField(_("date"))
    reminders = models.PositiveIntegerField(_("reminders"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-on", "user"]
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "on"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.on:%d/%m/%Y}"
