"""Writes on a person's own account settings (user management lives in ``organisation.actions``)."""

from __future__ import annotations

from django.conf import settings

from khuyencong.accounts.models import User


def choose_language(*, user: User, language: str) -> bool:
    """Remember ``language`` (a code of ``settings.LANGUAGES``) for ``user``; False when the code is
    unknown or already chosen (nothing written). The change log records the change."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
