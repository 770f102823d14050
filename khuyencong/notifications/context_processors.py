"""The unread count for the navbar's bell: counted only when a page shows it (one COUNT)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from khuyencong.notifications.services import unread_count


class Badge:
    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)


def notification_badge(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_badge": Badge(user)}
