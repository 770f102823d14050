"""Personal API tokens: issue, authenticate, list, revoke.

Format ``kc_<prefix>_<secret>``. The prefix is stored in clear to find the row; the whole token
is compared by SHA-256 hash in constant time, so a database leak does not reveal usable tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils import timezone

from khuyencong.accounts.models import ApiToken, User

PREFIX = "kc_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear secret, which is shown once and never stored."""
    days = days or settings.KC_API_TOKEN_DAYS
    if days < 1:
        raise ValueError("days must be at least 1")
    prefix = secrets.token_hex(6)
    clear = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100] or "token",
        prefix=prefix,
        key_hash=_hash(clear),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, clear


def authenticate_token(clear: str) -> User | None:
    """The active user owning this token, or None for a malformed, unknown, expired or revoked one."""
    if not clear or not clear.startswith(PREFIX) or len(clear) > 200:
        return None
    parts = clear[len(PREFIX) :].split("_", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    token = ApiToken.objects.active().select_related("user").filter(prefix=parts[0]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(clear)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: the change log need not record every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken._base_manager.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(*, user: User | None, prefix: str) -> bool:
    """Revoke a token by prefix; a user may revoke only their own (user=None: any, for admins)."""
    tokens = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    if user is not None:
        tokens = tokens.filter(user=user)
    token = tokens.first()
    if token is None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True
