"""Reads of notifications: a person's own, never anyone else's (not through ``restrict``: a
notification belongs to its recipient as a job to its owner; docs/architecture.md, step 10)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from khuyencong.notifications.models import Notification


def own_notifications(user: Any, *, unread: bool | None = None) -> QuerySet[Notification]:
    """``user``'s notifications (unread only with ``unread=True``, read only with ``False``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread is True:
        rows = rows.filter(read_at__isnull=True)
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    return rows


def inbox(user: Any, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The notification centre's order: unread first, then newest first."""
    rank = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return own_notifications(user, unread=unread).alias(unread_rank=rank).order_by("unread_rank", "-created_at", "-id")
