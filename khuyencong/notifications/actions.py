"""Writes on notifications: marking them read. Only the recipient's own; anyone else's is a 404
(``ActionRefused`` with code ``not_found``), as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.notifications.models import Notification
from khuyencong.notifications.selectors import own_notifications


def mark_read(*, user: Any, notification: Notification | int) -> Notification:
    """Mark one of ``user``'s notifications read (again: no change) and return it."""
    pk = notification.pk if isinstance(notification, Notification) else notification
    row = own_notifications(user).filter(pk=pk).first()
    if row is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    if row.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now)
        row.read_at = now
    return row


def mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read; return how many."""
    return own_notifications(user, unread=True).update(read_at=timezone.now())
