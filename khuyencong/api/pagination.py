"""Keyset (cursor) pagination: stable under inserts and never counts the whole table."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from khuyencong.api.errors import ApiError

MAX_LIMIT = 500


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400, "invalid_cursor", "The cursor is malformed; use next_cursor from a previous page."
        ) from None
    if not isinstance(values, list) or len(values) != 2 or "\x00" in str(values[0]):
        raise ApiError(400, "invalid_cursor", "The cursor is malformed; use next_cursor from a previous page.")
    return values


def keyset_page(
    queryset: QuerySet, *, order_field: str, cursor: str | None, limit: int, descending: bool = False
) -> tuple[list, str | None]:
    """One page ordered by ``order_field`` then primary key (both descending with ``descending``,
    newest first); returns the rows and the next cursor.

    ``order_field`` must be a concrete column; rows with NULL in it should be excluded or the
    field should be non-null.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    qs = queryset.order_by(f"-{order_field}", "-pk") if descending else queryset.order_by(order_field, "pk")
    after = "lt" if descending else "gt"
    if cursor:
        last_value, last_pk = _decode(cursor)
        if not isinstance(last_pk, int) or isinstance(last_value, dict | list) or isinstance(last_pk, bool):
            raise ApiError(400, "invalid_cursor", "The cursor is malformed; use next_cursor from a previous page.")
        try:
            qs = qs.filter(
                Q(**{f"{order_field}__{after}": last_value}) | Q(**{order_field: last_value, f"pk__{after}": last_pk})
            )
        except (ValueError, TypeError, ValidationError):
            raise ApiError(400, "invalid_cursor", "The cursor is malformed; use next_cursor from a previous page.")
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = _encode([getattr(last, order_field), last.pk])
    return rows, next_cursor
