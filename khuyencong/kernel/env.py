"""Typed settings helpers that read the environment and fail loudly.

Every helper names the variable in its error so a broken deployment says what
to fix at start-up instead of misbehaving later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


class ImproperEnvironment(Exception):
    """Raised when an environment variable is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()


def _raw(name: str, default: object, environ: Mapping[str, str] | None) -> object:
    env = os.environ if environ is None else environ
    if name in env:
        return env[name]
    if default is _MISSING:
        raise ImproperEnvironment(f"Environment variable {name} is required but not set.")
    return default


def env_str(name: str, default: object = _MISSING, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, default, environ)
    if not isinstance(value, str):
        return value  # type: ignore[return-value]
    return value


def env_bool(name: str, default: object = _MISSING, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, default, environ)
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperEnvironment(f"Environment variable {name} must be a boolean (true/false), got {value!r}.")


def env_int(
    name: str,
    default: object = _MISSING,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, default, environ)
    if isinstance(value, int):
        result = value
    else:
        try:
            result = int(str(value).strip())
        except ValueError:
            raise ImproperEnvironment(f"Environment variable {name} must be an integer, got {value!r}.") from None
    if minimum is not None and result < minimum:
        raise ImproperEnvironment(f"Environment variable {name} must be at least {minimum}, got {result}.")
    return result


def env_list(name: str, default: object = _MISSING, *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, default, environ)
    if isinstance(value, list | tuple):
        return list(value)
    return [item.strip() for item in str(value).split(",") if item.strip()]


def env_choice(
    name: str,
    choices: tuple[str, ...],
    default: object = _MISSING,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    value = str(_raw(name, default, environ)).strip()
    if value not in choices:
        raise ImproperEnvironment(f"Environment variable {name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def env_database_url(
    name: str, default: object = _MISSING, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse a database URL into a Django DATABASES entry."""
    import dj_database_url

    value = str(_raw(name, default, environ)).strip()
    if "://" not in value:
        raise ImproperEnvironment(
            f"Environment variable {name} must be a URL such as postgres://user@host:5432/db or sqlite:///path, "
            f"got {value!r}."
        )
    scheme = value.split("://", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperEnvironment(
            f"Environment variable {name} uses unsupported scheme {scheme!r}; use sqlite:// or postgres://."
        )
    try:
        return dict(dj_database_url.parse(value, conn_max_age=60 if scheme != "sqlite" else 0))
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperEnvironment(f"Environment variable {name} is not a valid database URL: {exc}") from None
