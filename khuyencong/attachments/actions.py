"""Every write on attached documents: attach a file to a record, remove a version.

The owner's permissions decide (``attachments.attachable``): 403 ``forbidden`` without the
permission, 404 ``not_found`` when the owner is out of reach, 422 ``not_attachable`` for a model
that takes no documents, ``invalid_slot``, and the file's own refusals ``empty_file``,
``too_large`` and ``forbidden_type`` (422, field ``file``). On any refusal nothing is written: no
row, no file. ``not_latest`` / ``already_removed`` (409) for a removal of an older version.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.attachments import storage, validation
from khuyencong.attachments.attachable import require_rule
from khuyencong.attachments.models import Attachment
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def may(user: Any, action: str, owner: models.Model) -> bool:
    """Whether ``user`` may ``action`` on this very owner row (within reach)."""
    rows = type(owner)._base_manager.filter(pk=owner.pk)
    return restrict(rows, user, action).exists()


def require(user: Any, action: str, owner: models.Model, view: str = Action.VIEW) -> None:
    """403 without the permission anywhere, 404 when the owner is out of the reach where the user
    may see it, 403 when it is seen but not reached for ``action``."""
    model = type(owner)
    if not can(user, action, model):
        raise _forbidden()
    if not may(user, action, owner):
        raise _forbidden() if action != view and may(user, view, owner) else _not_found()


def _name_of(user: Any) -> str:
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def attach(
    *, user: Any, owner: models.Model, slot: str, upload: Any, title: str = "", permission: str | None = None
) -> Attachment:
    """Store ``upload`` (a Django ``UploadedFile`` or ``File``) as the next version of ``slot`` of
    ``owner``. ``permission`` is the action on the owner it takes (default: the owner's registered
    ``change`` action; a lifecycle step may pass its own, e.g. ``"submit"``)."""
    rule = require_rule(owner)
    action = permission or rule.change
    require(user, action, owner, view=rule.view)
    refusal = validation.slot_error(slot)
    if refusal is not None:
        raise refusal
    allowed = list(settings.KC_ATTACHMENT_TYPES)
    name = validation.clean_filename(getattr(upload, "name", "") or "")
    size = int(getattr(upload, "size", 0) or 0)
    upload.seek(0)
    head = upload.read(validation.HEAD_BYTES)
    kind = validation.check_upload(
        name=name, size=size, head=head, max_bytes=settings.KC_ATTACHMENT_MAX_BYTES, allowed=allowed
    )
    stored = storage.store(upload, kind.extension, check=lambda f: validation.check_zip_parts(kind, f, allowed))
    if stored.size != size:  # the upload changed under us, or lied about its size: check what was kept
        try:
            validation.check_upload(
                name=name, size=stored.size, head=head, max_bytes=settings.KC_ATTACHMENT_MAX_BYTES, allowed=allowed
            )
        except ActionRefused:
            storage.delete(stored.path)
            raise
    try:
        with transaction.atomic():
            owner_type = _owner_type(owner)
            siblings = Attachment.objects.filter(owner_type=owner_type, object_id=owner.pk, slot=slot)
            latest = siblings.aggregate(n=Max("version"))["n"] or 0
            attachment = Attachment.objects.create(
                owner_type=owner_type,
                object_id=owner.pk,
                slot=slot,
                title=(title or "").strip()[:200],
                version=latest + 1,
                original_name=name,
                content_type=kind.media_type,
                size=stored.size,
                sha256=stored.sha256,
                path=stored.path,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                uploaded_by_name=_name_of(user),
            )
            try:
                ensure_in_scope(user, action, owner)
            except PermissionDenied:
                raise _not_found() from None
    except IntegrityError:
        storage.delete(stored.path)
        raise ActionRefused("conflict", _("Another version was uploaded at the same moment; try again.")) from None
    except BaseException:
        storage.delete(stored.path)
        raise
    return attachment


def _owner_type(owner: models.Model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(owner, for_concrete_model=False)


def remove_attachment(*, user: Any, attachment: Attachment) -> Attachment:
    """Mark the latest version of a document removed (the row and the file stay for the record;
    the previous version, if any, becomes the current one again). Allowed to a user who may
    change the owner, and to the person who uploaded this version while they still see the owner."""
    owner = attachment.owner
    if owner is None:
        raise _not_found()
    rule = require_rule(owner)
    if not may(user, rule.view, owner):
        raise _not_found() if can(user, rule.view, type(owner)) else _forbidden()
    uploader = attachment.uploaded_by_id is not None and attachment.uploaded_by_id == getattr(user, "pk", None)
    if not uploader and not may(user, rule.change, owner):
        raise _forbidden()
    with transaction.atomic():
        current = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if current.removed_at is not None:
            raise ActionRefused("already_removed", _("This version was already removed."))
        newer = Attachment.objects.filter(
            owner_type_id=current.owner_type_id,
            object_id=current.object_id,
            slot=current.slot,
            version__gt=current.version,
            removed_at__isnull=True,
        )
        if newer.exists():
            raise ActionRefused("not_latest", _("Only the latest version can be removed."))
        current.removed_at = timezone.now()
        current.removed_by = user if getattr(user, "is_authenticated", False) else None
        current.save(update_fields=["removed_at", "removed_by"])
    return current
