"""Change logging for domain models.

Models inherit :class:`ChangeLoggedModel`. Saves and deletes are logged by signal handlers;
queryset ``update``, ``bulk_create`` and ``bulk_update`` are overridden so bulk operations are
logged too (Django sends no signals for them). Many-to-many changes through the related managers
(``add``, ``remove``, ``set``, ``clear``, from either side) are logged from ``m2m_changed`` as an
``update`` whose before/after hold the relation as sorted id lists; code that writes a through
table directly calls :func:`log_m2m_change`. Each entry records the acting user and request id
from :mod:`khuyencong.kernel.context`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
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
    if isinstance(value, FieldFile):  # an empty file field has a name but no url
        return value.name or None
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


def _model(name: str) -> type[models.Model]:
    """The audit app's tables, looked up by name so the kernel imports no app."""
    model = apps.get_model("audit", name)
    assert model is not None
    return model


def _entry(instance, action, before, after):
    from django.contrib.contenttypes.models import ContentType

    return _model("ObjectChange")(
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
    if entries:
        _model("ObjectChange")._default_manager.bulk_create(entries, batch_size=500)


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


def _only_last_login(update_fields) -> bool:
    # Django stamps ``last_login`` on every log-in, before anyone is acting: not a change to log.
    return update_fields is not None and set(update_fields) == {"last_login"}


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel) or _only_last_login(update_fields):
        return
    before = None
    if instance.pk is not None and not instance._state.adding:
        previous = sender._base_manager.filter(pk=instance.pk).first()
        before = snapshot(previous) if previous is not None else None
    instance.__dict__["_kc_before"] = before


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel) or _only_last_login(update_fields):
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


# -- many-to-many -----------------------------------------------------------------------------


def _m2m_field(model: type[models.Model], field_name: str) -> models.ManyToManyField:
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.ManyToManyField):
        raise ValueError(f"{model._meta.label}.{field_name} is not a many-to-many field")
    return field


def _through(field: models.ManyToManyField) -> Any:
    through = field.remote_field.through
    assert through is not None and not isinstance(through, str)  # resolved once apps are ready
    return through


def _linked_ids(field: models.ManyToManyField, owner_pks: Iterable[Any]) -> dict[Any, list[Any]]:
    """owner pk -> sorted ids it links to through ``field``, read from the through table."""
    through = _through(field)
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    owner_pks = list(owner_pks)
    linked: dict[Any, list[Any]] = {pk: [] for pk in owner_pks}
    rows = through._default_manager.filter(**{f"{source}__in": owner_pks}).values_list(source, target)
    for owner, other in rows:
        linked[owner].append(other)
    return {pk: sorted(ids) for pk, ids in linked.items()}


def _m2m_entry(instance, field_name: str, before: list, after: list):
    return _entry(instance, "update", {field_name: before}, {field_name: after})


def log_m2m_change(
    instance: models.Model,
    field_name: str,
    added_ids: Iterable[Any] = (),
    removed_ids: Iterable[Any] = (),
    *,
    after_ids: Iterable[Any] | None = None,
) -> None:
    """Log a change of ``instance.<field_name>`` made by writing its through table directly.

    Call after the write. ``after_ids`` (the links now) saves a query when the caller knows them.
    Nothing is logged when nothing was added or removed.
    """
    added, removed = set(added_ids), set(removed_ids)
    if not (added or removed):
        return
    if after_ids is None:
        after_ids = _linked_ids(_m2m_field(type(instance), field_name), [instance.pk])[instance.pk]
    after = sorted(set(after_ids))
    before = sorted((set(after) - added) | removed)
    if before != after:
        _m2m_entry(instance, field_name, before, after).save()


def log_m2m_changes(changes: Iterable[tuple[models.Model, str, Iterable[Any], Iterable[Any]]]) -> None:
    """Log many through-table writes at once: (instance, field name, ids before, ids after) each.

    For bulk writers (imports) that know both sides; unchanged relations are skipped.
    """
    entries = []
    for instance, field_name, before_ids, after_ids in changes:
        before, after = sorted(set(before_ids)), sorted(set(after_ids))
        if before != after:
            entries.append(_m2m_entry(instance, field_name, before, after))
    log_many(entries)


def _m2m_owners(instance, model, reverse: bool, pk_set, field) -> tuple[type[models.Model], list[Any]]:
    """The model that declares the field and the pks whose links this signal changes."""
    if not reverse:
        return type(instance), [instance.pk]
    owner_model = field.model
    if pk_set is not None:
        return owner_model, sorted(pk_set)
    # clear() from the other side: every owner linked to ``instance``.
    through = _through(field)
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    owners = through._default_manager.filter(**{target: instance.pk}).values_list(source, flat=True)
    return owner_model, sorted(set(owners))


def _field_for_through(instance, model, reverse: bool, sender) -> models.ManyToManyField | None:
    owner_model = model if reverse else type(instance)
    for field in owner_model._meta.many_to_many:
        if field.remote_field.through is sender:
            return field
    return None


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    field = _field_for_through(instance, model, reverse, sender)
    if field is None or not issubclass(field.model, ChangeLoggedModel):
        return
    key = f"_kc_m2m_{field.name}_{id(sender)}"
    if action.startswith("pre_"):
        owner_model, owner_pks = _m2m_owners(instance, model, reverse, pk_set, field)
        setattr(instance, key, (owner_model, _linked_ids(field, owner_pks)))
        return
    remembered = instance.__dict__.pop(key, None)
    if remembered is None:
        return
    owner_model, before = remembered
    after = _linked_ids(field, before)
    changed = [pk for pk in before if before[pk] != after[pk]]
    if not changed:
        return
    owners = [instance] if not reverse else list(owner_model._base_manager.filter(pk__in=changed))
    log_many([_m2m_entry(owner, field.name, before[owner.pk], after[owner.pk]) for owner in owners])


def log_access(user, kind: str, target: str, parameters: dict | None = None, row_count: int | None = None) -> None:
    """Record an export or download."""
    _model("AccessLog")._default_manager.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
        request_id=context.get_request_id(),
        kind=kind,
        target=target[:300],
        parameters={k: _jsonable(v) for k, v in (parameters or {}).items()},
        row_count=row_count,
    )
