"""Which records may carry attached documents, under which permissions, with which slots.

An app declares its attachable models from its ``AppConfig.ready``::

    from khuyencong.attachments.attachable import Slot, register

    register("projects.project", view="view", change="change",
             slots=lambda project: [Slot("don_de_nghi", _("Application"), required=True), ...])

``view`` is the action on the owner that reads its documents, ``change`` the one that attaches
and removes them (``kernel.scoping`` decides where). ``slots`` is a list of :class:`Slot` or a
callable ``owner -> list[Slot]`` (a project's dossier follows the rulebook's list for its content).
Only registered models are accepted as owners by the pages and the API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from khuyencong.kernel.lifecycle import ActionRefused, Invalid

MAX_OWNER_ID = 2**62


@dataclass(frozen=True)
class Slot:
    """A kind of document an owner holds: a short code and what people call it."""

    code: str
    label: Any  # a (lazy) translated string
    required: bool = False


SlotSource = Sequence[Slot] | Callable[[Any], Sequence[Slot]]


@dataclass(frozen=True)
class Attachable:
    label: str  # "app_label.modelname"
    view: str = "view"
    change: str = "change"
    slots: SlotSource = ()


_REGISTRY: dict[str, Attachable] = {}


def register(label: str, *, view: str = "view", change: str = "change", slots: SlotSource = ()) -> None:
    """Declare the model ``label`` ("app_label.modelname") attachable. Registering again replaces."""
    label = label.lower()
    _REGISTRY[label] = Attachable(label, view, change, slots)


def registered() -> dict[str, Attachable]:
    return dict(_REGISTRY)


def rule_for(model_or_obj: Any) -> Attachable | None:
    label = model_or_obj if isinstance(model_or_obj, str) else model_or_obj._meta.label_lower
    return _REGISTRY.get(label.lower())


def require_rule(owner: models.Model) -> Attachable:
    rule = rule_for(owner)
    if rule is None:
        raise ActionRefused("not_attachable", _("Documents cannot be attached to this record."), field="owner",
                            status=422)  # fmt: skip
    return rule


def slots_for(owner: models.Model) -> list[Slot]:
    rule = rule_for(owner)
    if rule is None:
        return []
    return list(rule.slots(owner) if callable(rule.slots) else rule.slots)


def owner_ref(owner: models.Model) -> str:
    """``registry.establishment:12``: how pages and the API name an owner."""
    return f"{owner._meta.label_lower}:{owner.pk}"


def parse_owner(ref: str) -> tuple[type[models.Model], int]:
    """The model and id named by ``ref``; :class:`Invalid` (field ``owner``) when it is malformed
    or names a model that takes no attachments."""
    label, _colon, raw_id = str(ref or "").strip().partition(":")
    if not raw_id.isdigit() or not 0 < int(raw_id) < MAX_OWNER_ID:
        raise Invalid({"owner": _("Name the record as app.model:id, e.g. registry.establishment:12.")})
    rule = rule_for(label)
    if rule is None:
        raise ActionRefused("not_attachable", _("Documents cannot be attached to this record."), field="owner",
                            status=422)  # fmt: skip
    return apps.get_model(rule.label), int(raw_id)
