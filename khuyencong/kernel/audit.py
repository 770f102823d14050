"""Change logging for domain models.

Models inherit :class:`ChangeLoggedModel`. Saves and deletes are logged by signal handlers;
queryset ``update``, ``bulk_create`` and ``bulk_update`` are overridden so bulk operations are
logged too (Django sends no signals for them). Each entry records the acting user and request
id from :mod:`khuyencong.kernel.context`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from khuyencong.kernel import context

EXCLUDED_FIELDS = {"password", "folded_name", "search_text", "key_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return getattr(value, "name", None) or None
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in EXCLUDED_FIELDS:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def _actor_fields() -> dict[str, Any]:
    user = context.get_actor()
    if user is not None and getattr(user, "is_authenticated", False):
        return {"user_id": user.pk, "user_name": user.get_username()}
    return {"user_id": None, "user_name": ""}


def _entry(instance, action, before, after):
    from django.contrib.contenttypes.models import ContentType

    from khuyencong.audit.models import ObjectChange

    return ObjectChange(
        action=action,
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        prechange_data=before,
        postchange_data=after,
        request_id=context.get_request_id(),
        **_actor_fields(),
    )


def log_change(instance, action: str, before: dict | None, after: dict | None) -> None:
    _entry(instance, action, before, after).save()


def log_many(entries: list) -> None:
    from khuyencong.audit.models import ObjectChange

    if entries:
        ObjectChange.objects.bulk_create(entries, batch_size=500)


_in_bulk_update: ContextVar[bool] = ContextVar("kc_in_bulk_update", default=False)


class ChangeLoggedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if _in_bulk_update.get():
            return super().update(**kwargs)  # bulk_update logs its rows itself
        pks = list(self.values_list("pk", flat=True))
        if not pks:
            return 0
        model = self.model
        before = {obj.pk: snapshot(obj) for obj in model._base_manager.filter(pk__in=pks)}
        count = super().update(**kwargs)
        entries = [
            _entry(obj, "update", before.get(obj.pk), snapshot(obj)) for obj in model._base_manager.filter(pk__in=pks)
        ]
        log_many(entries)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        log_many([_entry(obj, "create", None, snapshot(obj)) for obj in created if obj.pk is not None])
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        pks = [obj.pk for obj in objs]
        before = {obj.pk: snapshot(obj) for obj in self.model._base_manager.filter(pk__in=pks)}
        token = _in_bulk_update.set(True)
        try:
            count = super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _in_bulk_update.reset(token)
        log_many([_entry(obj, "update", before.get(obj.pk), snapshot(obj)) for obj in objs])
        return count


class ChangeLoggedModel(models.Model):
    """Abstract base for every domain model whose changes must be traceable."""

    objects = ChangeLoggedQuerySet.as_manager()

    class Meta:
        abstract = True


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    instance._kc_before = None
    if instance.pk is not None and not instance._state.adding:
        previous = sender._base_manager.filter(pk=instance.pk).first()
        instance._kc_before = snapshot(previous) if previous is not None else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    before = None if created else getattr(instance, "_kc_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return  # a save that changed nothing is not a change
    log_change(instance, "create" if created else "update", before, after)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    log_change(instance, "delete", snapshot(instance), None)


def log_access(user, kind: str, target: str, parameters: dict | None = None, row_count: int | None = None) -> None:
    """Record an export or download."""
    from khuyencong.audit.models import AccessLog

    AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
        request_id=context.get_request_id(),
        kind=kind,
        target=target[:300],
        parameters={k: _jsonable(v) for k, v in (parameters or {}).items()},
        row_count=row_count,
    )
