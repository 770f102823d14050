"""Cell parsers for Vietnamese spreadsheets.

A parser is ``parse(raw, column) -> value``: it gets a non-blank cell as a reader gave it (str,
float, bool, date or datetime) and returns the value to store, or raises :class:`Invalid` with a
message naming the column (``column.header``). Messages go through gettext, so they follow the
active language; the file's own vocabulary (headers, Có/Không) stays Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

from khuyencong.kernel.text import fold

YES, NO = "Có", "Không"
BOOLEAN_VALUES = {
    "co": True, "c": True, "x": True, "1": True, "dung": True, "yes": True, "y": True, "true": True,
    "khong": False, "k": False, "0": False, "sai": False, "no": False, "n": False, "false": False,
}  # fmt: skip
# Cells Excel shows as errors; in a CSV they arrive as these texts.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)


class Invalid(Exception):
    """One cell cannot be read; the message names the column and the value."""


# Invisible characters pasted from web pages and Word: they make "equal" names differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Control characters no text column may hold (PostgreSQL refuses NUL outright). Tab, line feed
# and carriage return are whitespace and are collapsed by normalize().
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed (like ``kernel.text.normalize``;
    str.split splits on exactly the characters for which str.isspace() is true)."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return _NON_ALNUM.sub(" ", fold(text.translate(_INVISIBLE))).strip()


def key(text: Any) -> str:
    """The comparison key of a header or a listed value: folded, punctuation and spaces collapsed."""
    return _key(text if isinstance(text, str) else str(text))


def show(raw: Any) -> str:
    """A cell as the user typed it, for messages."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    elif isinstance(raw, dt.datetime | dt.date):
        raw = raw.strftime("%d/%m/%Y")
    text = CONTROL.sub("\ufffd", str(raw))
    return text if len(text) <= 60 else text[:57] + "…"


def _fail(message: str, column, raw, **extra) -> Invalid:
    return Invalid(message % {"column": column.header, "value": show(raw), **extra})


def text(max_length: int) -> Callable[[Any, Any], str]:
    def parse(raw, column):
        if isinstance(raw, float) and raw.is_integer():
            value = str(int(raw))
        elif isinstance(raw, dt.datetime | dt.date):
            value = raw.strftime("%d/%m/%Y")
        else:
            value = normalize(str(raw))
        if len(value) > max_length:
            message = _("%(column)s: “%(value)s” is too long (at most %(limit)s characters).")
            raise _fail(message, column, value, limit=max_length)
        return value

    return parse


def choice_table(choices: Sequence[tuple[str, Any]], aliases: Mapping[str, str]) -> dict[str, str]:
    """Accepted spellings -> stored value: the code, the labels in Vietnamese and English, aliases."""
    table = dict(aliases)
    for value, label in choices:
        table[key(value)] = value
        for language in ("en", "vi"):
            with translation.override(language):
                table[key(str(label))] = value
    return table


def vietnamese_labels(choices: Sequence[tuple[str, Any]]) -> list[str]:
    with translation.override("vi"):
        return [str(label) for _value, label in choices]


def choice(table: Callable[[], Mapping[str, str]], labels: Callable[[], Sequence[str]]):
    """One of a list of values; ``table`` gives accepted spellings (keyed by :func:`key`)."""

    def parse(raw, column):
        value = table().get(key(raw))
        if value is None:
            message = _("%(column)s: “%(value)s” is not one of the allowed values (%(allowed)s).")
            raise _fail(message, column, raw, allowed=", ".join(labels()))
        return value

    return parse


def boolean(raw, column) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw in (0.0, 1.0):
        return raw == 1.0
    value = BOOLEAN_VALUES.get(key(raw))
    if value is None:
        message = _("%(column)s: “%(value)s” is not one of the allowed values (%(allowed)s).")
        raise _fail(message, column, raw, allowed=f"{YES}, {NO}")
    return value


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"(?:vnđ|vnd|đồng|dong|đ|d)\.?$", re.IGNORECASE)
_PLAIN_INT = re.compile(r"[+-]?\d+")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")  # Vietnamese: 2.080.000.000
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}")  # 2,080,000,000 (unambiguous only)
_ZERO_DECIMALS = re.compile(r"([+-]?\d+|[+-]?\d{1,3}(?:\.\d{3})+)[,.]0+")  # 12,00 and 120.000.000,00


def _number_text(raw) -> str:
    return _CURRENCY.sub("", _SPACES.sub("", normalize(str(raw))))


def _whole(text: str) -> int | None:
    if _PLAIN_INT.fullmatch(text):
        return int(text)
    if _DOT_GROUPS.fullmatch(text):
        return int(text.replace(".", ""))
    if _COMMA_GROUPS.fullmatch(text):
        return int(text.replace(",", ""))
    if match := _ZERO_DECIMALS.fullmatch(text):
        return int(match.group(1).replace(".", ""))
    return None


_SCALED = re.compile(r"([+-]?[\d.,]+) ?(nghin ty|ty|trieu|nghin|ngan)(?: dong| d)?")
_SCALE_SIZES = {"nghin ty": 10**12, "ty": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3}


def _scaled(raw) -> int | None:
    """2,08 tỷ -> 2080000000; 150 triệu -> 150000000; 1.500 triệu -> 1500000000. None when not
    written with a scale word, or not a whole number of đồng once scaled."""
    match = _SCALED.fullmatch(fold(normalize(str(raw))))
    if match is None:
        return None
    number, size = match.group(1), _SCALE_SIZES[match.group(2)]
    if _DOT_GROUPS.fullmatch(number):
        number = number.replace(".", "")  # 1.500 triệu: dots group thousands
    elif number.count(",") + number.count(".") > 1:
        return None
    try:
        value = Decimal(number.replace(",", ".")) * size
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() else None


def amount(*, signed: bool = False, scales: bool = True):
    """Whole đồng as Vietnamese files write it: 2080000000, 2.080.000.000 đ, 120.000.000,00,
    2,08 tỷ, 150 triệu; negative values only when ``signed`` (ledger adjustments)."""

    def parse(raw, column) -> int:
        value: int | None
        if isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, bool | float):
            raise _fail(_("%(column)s: “%(value)s” is not a whole number."), column, raw)
        else:
            value = _whole(_number_text(raw))
            if value is None and scales:
                value = _scaled(raw)
            if value is None:
                raise _fail(_("%(column)s: “%(value)s” is not a whole number."), column, raw)
        if value < 0 and not signed:
            raise _fail(_("%(column)s cannot be negative (“%(value)s”)."), column, raw)
        return value

    return parse


whole_number = amount(scales=False)


def coordinate(low: float, high: float):
    def parse(raw, column) -> float:
        value = None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = float(raw)
        elif not isinstance(raw, bool):
            digits = _SPACES.sub("", str(raw))
            if "," in digits and "." not in digits:
                digits = digits.replace(",", ".")  # decimal comma
            try:
                value = float(digits)
            except ValueError:
                value = None
        if value is None or value != value:  # NaN
            raise _fail(_("%(column)s: “%(value)s” is not a number."), column, raw)
        if not low <= value <= high:
            message = _("%(column)s must be between %(min)s and %(max)s (“%(value)s”).")
            raise _fail(message, column, raw, min=low, max=high)
        return value

    return parse


_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _date_of(raw) -> dt.date | None:
    """A full date: a date cell, an Excel serial number, dd/mm/yyyy (also with - or .), yyyy-mm-dd."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        if float(raw).is_integer() and 1 <= raw <= 2_958_465:  # an Excel serial (1/1/1900 - 31/12/9999)
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        return None
    value = _SPACES.sub("", str(raw))
    if len(value) == 5 and value.isdigit():  # a serial number as text (a CSV saved from a date column)
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    try:
        if match := _DATE_DMY.fullmatch(value):
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match := _DATE_ISO.fullmatch(value):
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:  # 31/02/2020
        return None
    return None


def date(raw, column) -> dt.date:
    found = _date_of(raw)
    if found is None or not 1900 <= found.year <= 2100:
        raise _fail(_("%(column)s: “%(value)s” is not a valid date (dd/mm/yyyy, e.g. 15/05/2025)."), column, raw)
    return found


def year(raw, column) -> int:
    """A year: 2015, or a date (a date cell, 15/05/2020, 05/2020, 2020-05-15) giving its year."""
    found = None
    if isinstance(raw, dt.datetime | dt.date):
        found = raw.year
    elif isinstance(raw, float | int) and not isinstance(raw, bool):
        if float(raw).is_integer():
            found = int(raw)
    else:
        value = _SPACES.sub("", str(raw))
        if value.isdigit():
            found = int(value)
        elif (day := _date_of(value)) is not None:
            found = day.year
        elif (match := _DATE_MY.fullmatch(value)) and 1 <= int(match.group(1)) <= 12:
            found = int(match.group(2))
    if found is None:
        message = _("%(column)s: “%(value)s” is not a valid year or date (e.g. 2015 or 15/05/2015).")
        raise _fail(message, column, raw)
    if not 1800 <= found <= 2100:
        raise _fail(_("%(column)s must be between %(min)s and %(max)s (“%(value)s”)."), column, raw, min=1800, max=2100)
    return found


def tax_code(raw, column) -> str:
    """10 digits, or 13 with a branch suffix (0100112437-001); stored compact. Excel drops a
    leading zero from a number cell (and a CSV saved from it keeps the 9 digits), so a 9- or
    12-digit number gets it back."""
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    else:
        value = _SPACES.sub("", str(raw))
    if value.isdigit() and len(value) in (9, 12):
        value = "0" + value
    if len(value) == 10 and value.isdigit() and value[2:9] != "0000000" and value[9] == mst.calc_check_digit(value):
        return value  # the common case, without stdnum's general clean-up
    try:
        return mst.validate(value)
    except stdnum_errors.InvalidChecksum:
        raise _fail(_("%(column)s: “%(value)s” is not a valid tax code: the check digit is wrong."), column, raw)
    except stdnum_errors.ValidationError:
        message = _(
            "%(column)s: “%(value)s” is not a valid tax code "
            "(10 digits, or 13 digits with a branch suffix such as 0100112437-001)."
        )
        raise _fail(message, column, raw)


def digits_code(width: int, message: str):
    """A numeric code of at most ``width`` digits, zero-padded (a number cell lost its zeros)."""

    def parse(raw, column) -> str:
        value = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else _SPACES.sub("", str(raw))
        if not value.isdigit() or len(value) > width:
            raise _fail(message, column, raw)
        return value.zfill(width)

    return parse


def commune_code(raw, column) -> str:
    return digits_code(5, _("%(column)s: “%(value)s” is not a commune code (5 digits)."))(raw, column)


def province_code(raw, column) -> str:
    return digits_code(2, _("%(column)s: “%(value)s” is not a province code (2 digits)."))(raw, column)


def phone(raw, column) -> str:
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    else:
        value = normalize(str(raw))
    if value.isdigit() and len(value) in (9, 10) and not value.startswith("0"):
        value = "0" + value  # Excel dropped the leading zero of 0912345678 (also in its CSV)
    if len(value) > 30:
        raise _fail(_("%(column)s: “%(value)s” is too long (at most %(limit)s characters)."), column, raw, limit=30)
    return value


def email(raw, column) -> str:
    value = _SPACES.sub("", str(raw)).translate(_INVISIBLE)
    try:
        validate_email(value)
    except ValidationError:
        raise _fail(_("%(column)s: “%(value)s” is not a valid email address."), column, raw)
    if len(value) > 254:
        raise _fail(_("%(column)s: “%(value)s” is too long (at most %(limit)s characters)."), column, raw, limit=254)
    return value


_LIST_SPLIT = re.compile(r"[;\n]")


def code_list(raw, column) -> tuple[str, ...]:
    """Items separated by ``;`` or line breaks. Commas are left in: a catalogue name may hold one
    (the importer splits on commas only when the whole item is not a known name)."""
    if isinstance(raw, float) and raw.is_integer():
        return (str(int(raw)),)
    return tuple(part for part in (normalize(p) for p in _LIST_SPLIT.split(str(raw))) if part)
