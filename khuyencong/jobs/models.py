"""A record of every background job: what it is, whose it is, how far it got, what it produced.

A running job keeps ``heartbeat_at`` fresh; one whose heartbeat is older than the lease
(``KC_JOB_LEASE_SECONDS``) lost its worker and is marked *interrupted*, keeping its progress and
result so that work which checkpoints (the import commit) can be resumed.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    FINISHED = {Status.SUCCEEDED, Status.FAILED, Status.INTERRUPTED}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    request_id = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    # The reach the owner had when the file was produced: {"everywhere": true} or
    # {"provinces": [ids], "org_units": [ids]}. The file is served only while it is still covered.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)
    resumed_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resumes_job",
        verbose_name=_("resumed by"),
    )

    # A job belongs to its owner; administrators see every job.
    scope_province_field = None
    scope_org_unit_field = None

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def file_expires_at(self) -> dt.datetime | None:
        """When the result file stops being served (and is deleted by the housekeeping task)."""
        if not self.result_file or self.finished_at is None:
            return None
        return self.finished_at + dt.timedelta(days=settings.KC_FILE_RETENTION_DAYS)
