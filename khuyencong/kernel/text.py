"""Vietnamese text helpers: normalisation and accent-insensitive folding for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """NFC-normalise and collapse whitespace; NFD input (common from Mac Excel) becomes NFC."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def fold(text: str | None) -> str:
    """Fold Vietnamese text for accent-insensitive search.

    "Mây tre đan" -> "may tre dan", "HÀ TĨNH" -> "ha tinh". Stored in a column so the same
    comparison works on SQLite and PostgreSQL without database extensions.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.casefold()).strip()
