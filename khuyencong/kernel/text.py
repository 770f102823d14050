"""Vietnamese text helpers: normalisation and accent-insensitive folding for search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


# --- Vietnamese alphabetical order ---------------------------------------------------------------
#
# The Vietnamese alphabet orders ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u;
# the five tone marks only matter when the letters are equal (huyền, hỏi, ngã, sắc, nặng), and case
# after that. PostgreSQL gets this from its ICU collation "vi-x-icu"; SQLite gets a collation of the
# same name computed by ``collation_key`` (registered in ``kernel.apps``), so ``vi_order`` sorts the
# same on both: "Cà Mau" < "Cao Bằng" < … < "Dương" < "Đà Nẵng" < "Hà Nội" < "Huế".

VI_COLLATION = "vi-x-icu"

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a different letter (breve, circumflex, horn) and marks that are a tone.
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str):
    """Yield (base letter with its letter marks, tone rank, is upper case) for each character."""
    decomposed = unicodedata.normalize("NFD", text)
    index = 0
    while index < len(decomposed):
        char = decomposed[index]
        index += 1
        marks, tone = "", 0
        while index < len(decomposed) and unicodedata.combining(decomposed[index]):
            mark = decomposed[index]
            if mark in _LETTER_MARKS:
                marks += mark
            else:
                tone = _TONE_RANK.get(mark, 6)
            index += 1
        yield unicodedata.normalize("NFC", char.lower() + marks), tone, char.isupper()


@lru_cache(maxsize=65536)
def collation_key(text: str | None) -> tuple:
    """A sort key giving Vietnamese alphabetical order (letters, then tones, then case).

    Spaces and punctuation sort before digits and digits before letters, as in ICU, so
    "Cà Mau" comes before "Cao Bằng".
    """
    primary, secondary, tertiary = [], [], []
    for letter, tone, upper in _letters(text or ""):
        if letter in _LETTER_RANK:
            primary.append((2, _LETTER_RANK[letter]))
        elif letter.isdigit():
            primary.append((1, int(letter) if letter.isascii() else ord(letter)))
        elif letter.isalpha():
            base = unicodedata.normalize("NFD", letter)[0]
            primary.append((2, _LETTER_RANK[base]) if base in _LETTER_RANK else (3, ord(letter)))
        else:
            primary.append((0, ord(letter)))
        secondary.append(tone)
        tertiary.append(1 if upper else 0)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def compare_vietnamese(left: str | None, right: str | None) -> int:
    """-1, 0 or 1 in Vietnamese order; the SQLite collation function."""
    a, b = collation_key(left), collation_key(right)
    return (a > b) - (a < b)


def vi_order(field: str, *, descending: bool = False):
    """An ``order_by`` term sorting a text field in Vietnamese alphabetical order."""
    from django.db.models import F
    from django.db.models.functions import Collate

    expression = Collate(F(field), VI_COLLATION)
    return expression.desc() if descending else expression.asc()


def vi_ordering(model, sort: str) -> list:
    """``order_by`` terms for a sort parameter such as "name" or "-province__short_name".

    Text fields (followed across relations) get Vietnamese order; other fields sort as usual.
    """
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    descending = sort.startswith("-")
    path = sort.lstrip("-")
    opts, field = model._meta, None
    try:
        for part in path.split("__"):
            field = opts.get_field(part)
            if field.is_relation and field.related_model is not None:
                opts = field.related_model._meta
    except FieldDoesNotExist:
        return [sort]
    if isinstance(field, models.CharField | models.TextField) and not getattr(field, "choices", None):
        return [vi_order(path, descending=descending)]
    return [sort]


# --- A stored sort key ---------------------------------------------------------------------------
#
# ``ORDER BY name COLLATE "vi-x-icu"`` is correct but no plain index on ``name`` serves it, so a
# big list sorted by name sorts the whole table (and SQLite calls a Python collation per
# comparison). ``sort_key`` turns a text into a string whose plain byte order is the Vietnamese
# order of ``collation_key``; stored in a column with a binary collation (``SortKeyField``) and
# indexed, it gives sorted pages by walking the index on both databases.

_KEY_LEVEL_END = "!"  # below every other character of a key: a shorter text sorts first
_KEY_SPACE, _KEY_PUNCT, _KEY_OTHER = '"', "#", "~"
_KEY_DIGITS = "0123456789"
_KEY_LETTERS = "".join(chr(ord("A") + rank) for rank in range(len(_ALPHABET)))  # "A".."a", ASCII


@lru_cache(maxsize=65536)
def sort_key(text: str | None) -> str:
    """An ASCII key whose byte order is Vietnamese alphabetical order: the letters (ă after a, đ
    after d, ơ after ô…), then the tones, then upper case after lower case, as ``collation_key``.

    Three characters per letter of ``text`` (letter, tone, case), plus two level separators.
    """
    primary, tones, cases = [], [], []
    for letter, tone, upper in _letters(text or ""):
        if letter in _LETTER_RANK:
            primary.append(_KEY_LETTERS[_LETTER_RANK[letter]])
        elif letter.isdigit() and letter.isascii():
            primary.append(letter)
        elif letter.isspace():
            primary.append(_KEY_SPACE)
        elif letter.isalpha():
            base = unicodedata.normalize("NFD", letter)[0]
            primary.append(_KEY_LETTERS[_LETTER_RANK[base]] if base in _LETTER_RANK else _KEY_OTHER)
        else:
            primary.append(_KEY_PUNCT)
        tones.append(str(tone))
        cases.append("1" if upper else "0")
    return "".join(primary) + _KEY_LEVEL_END + "".join(tones) + _KEY_LEVEL_END + "".join(cases)
