"""Abstract models every domain app builds on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionRecord(models.Model):
    """One state change of a domain record, as DOMAIN.md §5 asks: who, when, from, to, why.

    A concrete subclass adds the foreign key to the record it follows (named in its
    ``Lifecycle(subject_field=...)``). Rows are written by ``Lifecycle.perform`` only and never
    changed afterwards; ``user_name`` keeps the name readable if the account is later removed.
    """

    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("previous state"), max_length=40)
    to_state = models.CharField(_("new state"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class SortKeyField(models.CharField):
    """A stored ``kernel.text.sort_key``: compared byte by byte, so an index on it serves
    ``ORDER BY`` in Vietnamese alphabetical order.

    SQLite compares text as bytes (BINARY) already; on PostgreSQL the column gets the "C"
    collation, whatever the database's default, so the index order is the key's byte order (and
    comparisons skip the locale's rules).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 800)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class DatabaseMark(models.Model):
    """Says that this database holds demo or benchmark data, so synthetic data may be written to it
    (``khuyencong gen-data`` refuses any database without this row). One row at most; ``khuyencong
    demo`` marks its database, ``gen-data --mark-database`` marks an empty one. It travels with a
    backup, so a restored copy of a benchmark database stays one."""

    class Kind(models.TextChoices):
        DEMO = "demo", _("demo data")
        BENCHMARK = "benchmark", _("benchmark data")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)
    last_generated = models.DateTimeField(_("last generated"), null=True, blank=True)
    last_scale = models.CharField(_("last scale"), max_length=20, blank=True)
    last_seed = models.IntegerField(_("last seed"), null=True, blank=True)

    class Meta:
        verbose_name = _("database mark")
        verbose_name_plural = _("database marks")

    def __str__(self) -> str:
        return self.kind


class IdempotentRequest(models.Model):
    """The stored answer to one API create sent with an ``Idempotency-Key`` header (see
    ``khuyencong.api.idempotency``). Written in the same transaction as the record it created, so a
    crash leaves neither; keys are per user; ``status`` 0 while the first request runs. Purged after
    ``IDEMPOTENCY_KEY_DAYS`` by the jobs housekeeping."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="kernel_idempotent_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
