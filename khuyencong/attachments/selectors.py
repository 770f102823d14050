"""Reading attached documents, always through the owner's permission and reach.

``attachments_of(owner, user=…)`` gives the owner's documents slot by slot (the current version
and every earlier one); ``attachment_for_download(user=…, pk=…, version=…)`` the one version a
download serves. Both refuse like the actions: 403 without the owner's view permission, 404 out
of reach (or no such file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from khuyencong.attachments.actions import _forbidden, _not_found, may, require
from khuyencong.attachments.attachable import Slot, require_rule, rule_for, slots_for
from khuyencong.attachments.models import Attachment
from khuyencong.kernel.scoping import can


@dataclass
class SlotFiles:
    """One kind of document of an owner: its current version and its history (newest first)."""

    slot: Slot
    versions: list[Attachment] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.slot.code

    @property
    def latest(self) -> Attachment | None:
        return next((a for a in self.versions if a.removed_at is None), None)

    @property
    def earlier(self) -> list[Attachment]:
        latest = self.latest
        return [a for a in self.versions if a is not latest]

    @property
    def missing(self) -> bool:
        return self.slot.required and self.latest is None


def owner_rows(owner: models.Model) -> Any:
    """Every version of every document of ``owner`` (unchecked: callers check the owner first)."""
    owner_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    return (
        Attachment.objects.filter(owner_type=owner_type, object_id=owner.pk)
        .select_related("owner_type", "uploaded_by", "removed_by")
        .order_by("slot", "-version")
    )


def attachments_of(owner: models.Model, *, user: Any, extra_slots: list[Slot] | None = None) -> list[SlotFiles]:
    """The owner's documents grouped by slot: the declared slots first (in their order; those in
    ``extra_slots`` replace declared ones of the same code), then any other slot holding files."""
    rule = require_rule(owner)
    require(user, rule.view, owner, view=rule.view)
    declared: dict[str, Slot] = {s.code: s for s in slots_for(owner)}
    for slot in extra_slots or []:
        declared[slot.code] = slot
    groups = {code: SlotFiles(slot) for code, slot in declared.items()}
    for row in owner_rows(owner):
        if row.slot not in groups:
            groups[row.slot] = SlotFiles(Slot(row.slot, row.slot))
        groups[row.slot].versions.append(row)
    return list(groups.values())


def attachment_for_download(*, user: Any, pk: int, version: int | None = None) -> Attachment:
    """The version a download serves: attachment ``pk``, or version ``version`` of its document."""
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
    if attachment is None:
        raise _not_found()
    if version is not None and version != attachment.version:
        attachment = (
            Attachment.objects.select_related("owner_type")
            .filter(
                owner_type_id=attachment.owner_type_id,
                object_id=attachment.object_id,
                slot=attachment.slot,
                version=version,
            )
            .first()
        )
        if attachment is None:
            raise _not_found()
    model = attachment.owner_type.model_class()
    rule = rule_for(model) if model is not None else None
    if model is None or rule is None:
        raise _not_found()
    if not can(user, rule.view, model):
        raise _forbidden()
    owner = model._base_manager.filter(pk=attachment.object_id).first()
    if owner is None or not may(user, rule.view, owner):
        raise _not_found()
    return attachment
