"""The attachments panel any record's page includes::

    # in the view
    context["attachments"] = attachments_panel(obj, request.user, required_slots=[("dkkd", _("…"))])
    # in the template
    {% include "attachments/_panel.html" with panel=attachments %}

The panel lists each slot (a tick when a required document is there, a "missing" badge when
not), the current version with its earlier ones, and an upload form per slot for those who may
attach (HTMX replaces the panel after an upload; without JavaScript the form posts and comes back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.urls import reverse

from khuyencong.attachments import validation
from khuyencong.attachments.actions import may
from khuyencong.attachments.attachable import Slot, owner_ref, rule_for
from khuyencong.attachments.selectors import attachments_of
from khuyencong.kernel.lifecycle import ActionRefused

SlotSpec = Slot | tuple[str, Any]


def _slot(spec: SlotSpec) -> Slot:
    if isinstance(spec, Slot):
        return spec
    code, label = spec
    return Slot(code, label, required=True)


def attachments_panel(
    owner: models.Model, user: Any, required_slots: Sequence[SlotSpec] | None = None, *, title: Any = ""
) -> dict[str, Any] | None:
    """The panel's context for ``owner`` as ``user`` sees it, or None when the user may not read
    the owner's documents (or the model takes none). ``required_slots`` ((code, label) pairs or
    :class:`Slot`) add to, or replace, the slots the owner's model registered; ``title`` replaces
    the card's "Documents"."""
    rule = rule_for(owner)
    if rule is None:
        return None
    try:
        slots = attachments_of(owner, user=user, extra_slots=[_slot(s) for s in required_slots or []])
    except ActionRefused:
        return None
    can_attach = may(user, rule.change, owner)
    allowed = list(settings.KC_ATTACHMENT_TYPES)
    for group in slots:
        latest = group.latest
        group.can_remove = bool(  # type: ignore[attr-defined]
            latest and (can_attach or (latest.uploaded_by_id and latest.uploaded_by_id == user.pk))
        )
    ref = owner_ref(owner)
    return {
        "owner": owner,
        "owner_ref": ref,
        "dom_id": "attachments-" + ref.replace(".", "-").replace(":", "-"),
        "slots": slots,
        "can_attach": can_attach,
        "upload_url": f"{reverse('attachments:upload')}?owner={quote(ref)}",
        "panel_url": f"{reverse('attachments:panel')}?owner={quote(ref)}",
        "accept": validation.accept_attribute(allowed),
        "types_hint": validation.allowed_hint(allowed),
        "max_size": validation.format_size(settings.KC_ATTACHMENT_MAX_BYTES),
        "title": title,
    }
