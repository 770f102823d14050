"""Import the establishment registry (cơ sở CNNT) from an Excel workbook (.xlsx) or a CSV file.

The pipeline streams: the file is checked (size, type, zip bomb), the first sheet's rows are
read one at a time (python-calamine for sheets up to ``Limits.calamine_max_sheet_bytes`` of XML;
above that an expat stream, because calamine holds the whole sheet in memory), parsed against
:data:`COLUMNS` (Vietnamese headers, matched accent-, case- and space-insensitively), and handled in
batches of :data:`BATCH_SIZE` rows. Per batch, the existing records are looked up by tax code and by
external id, every row is classified as new / updated / unchanged / rejected, and - when
committing - written with ``bulk_create`` / ``bulk_update`` (which the change log records) inside
one transaction per batch. Rejected rows go to the error workbook as they are found, so neither the
file's rows nor the report grow in memory (the report keeps the first :data:`MAX_LISTED`
messages; the workbook has them all).

Atomicity: one transaction per batch, not per file. A batch is all-or-nothing; a failure stops the
import after the last committed batch and the report (and the job's result) says which row that
was, so ``commit(..., start_after_row=N)`` resumes exactly there. See ``docs/import.md``.

Entry points: :func:`dry_run` (writes nothing), :func:`commit`, :func:`template_workbook`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

from khuyencong.kernel import context
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import fold
from khuyencong.registry.models import CraftVillage, Establishment, Gender, IndustryLine, LegalForm
from khuyencong.registry.services import queue_duplicates
from khuyencong.territory.models import Commune, Province

BATCH_SIZE = 1_000
MAX_LISTED = 1_000  # row errors and notes kept in the report (the error workbook has every row)
HEADER_SEARCH_ROWS = 10  # title rows above the header are allowed


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 1_000
    # Above this (the sheet's XML, unpacked), stream the sheet with expat instead of python-calamine,
    # which holds every cell in memory: ~40 MB of XML is ~35,000 rows of 25 columns, ~80 MB held.
    calamine_max_sheet_bytes: int = 40 * 1024 * 1024


LIMITS = Limits()

Reporter = Callable[[int, str], None]

# --------------------------------------------------------------------------------------------
# Vocabulary of the file format. Headers and values are Vietnamese whatever the UI language.
# --------------------------------------------------------------------------------------------

ROW_HEADER = "Dòng"
ERROR_HEADER = "Lỗi"
DATA_SHEET = "Cơ sở CNNT"
VALUES_SHEET = "Giá trị hợp lệ"
GUIDE_SHEET = "Hướng dẫn"
YES, NO = "Có", "Không"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """NFC and collapsed whitespace, like ``kernel.text.normalize`` (str.split is its faster twin:
    both split on exactly the characters for which str.isspace() is true)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return _NON_ALNUM.sub(" ", fold(text)).strip()


def key(text: Any) -> str:
    """The comparison key of a header or a listed value: folded, punctuation and spaces collapsed."""
    return _key(text if isinstance(text, str) else str(text))


LEGAL_FORM_ALIASES = {
    "dn": LegalForm.SME,
    "dnnvv": LegalForm.SME,
    "doanh nghiep": LegalForm.SME,
    "doanh nghiep nho": LegalForm.SME,
    "doanh nghiep vua": LegalForm.SME,
    "doanh nghiep nho va vua": LegalForm.SME,
    "cong ty": LegalForm.SME,
    "htx": LegalForm.COOPERATIVE,
    "hop tac xa": LegalForm.COOPERATIVE,
    "lien hiep htx": LegalForm.COOPERATIVE_UNION,
    "lien hiep hop tac xa": LegalForm.COOPERATIVE_UNION,
    "tht": LegalForm.COOPERATIVE_GROUP,
    "to hop tac": LegalForm.COOPERATIVE_GROUP,
    "ho kinh doanh": LegalForm.HOUSEHOLD,
    "ho kinh doanh ca the": LegalForm.HOUSEHOLD,
    "ho ca the": LegalForm.HOUSEHOLD,
    "hkd": LegalForm.HOUSEHOLD,
    "nghe nhan": LegalForm.ARTISAN,
}
STATUS_ALIASES = {
    "hoat dong": Establishment.Status.ACTIVE,
    "dang hoat dong": Establishment.Status.ACTIVE,
    "tam ngung": Establishment.Status.SUSPENDED,
    "tam dung": Establishment.Status.SUSPENDED,
    "tam ngung hoat dong": Establishment.Status.SUSPENDED,
    "ngung hoat dong": Establishment.Status.CLOSED,
    "da ngung hoat dong": Establishment.Status.CLOSED,
    "giai the": Establishment.Status.CLOSED,
    "da giai the": Establishment.Status.CLOSED,
    "dong cua": Establishment.Status.CLOSED,
    "da dong cua": Establishment.Status.CLOSED,
}
GENDER_ALIASES = {"nu": Gender.FEMALE, "nam": Gender.MALE, "khac": Gender.OTHER, "f": Gender.FEMALE, "m": Gender.MALE}
BOOLEAN_VALUES = {
    "co": True,
    "c": True,
    "x": True,
    "1": True,
    "dung": True,
    "yes": True,
    "y": True,
    "true": True,
    "khong": False,
    "k": False,
    "0": False,
    "sai": False,
    "no": False,
    "n": False,
    "false": False,
}
# Cells Excel shows as errors; in a CSV they arrive as these texts.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)


@functools.cache
def choice_tables() -> dict[str, dict[str, str]]:
    """Accepted spellings of the listed values, built once (labels need the translation machinery)."""
    return {
        "legal_form": _choice_table(LegalForm.choices, LEGAL_FORM_ALIASES),
        "status": _choice_table(Establishment.Status.choices, STATUS_ALIASES),
        "gender": _choice_table(Gender.choices, GENDER_ALIASES),
    }


def _choice_table(choices, aliases: dict[str, str]) -> dict[str, str]:
    """Accepted spellings -> stored value: the code, the labels in Vietnamese and English, aliases."""
    table = dict(aliases)
    for value, label in choices:
        table[key(value)] = value
        for language in ("en", "vi"):
            with translation.override(language):
                table[key(str(label))] = value
    return table


def vietnamese_labels(choices) -> list[str]:
    with translation.override("vi"):
        return [str(label) for _value, label in choices]


# --------------------------------------------------------------------------------------------
# Errors and the report
# --------------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing is read past this point."""

    def __init__(self, *messages: str):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class _Invalid(Exception):
    pass


@dataclass
class RowError:
    row: int
    messages: list[str]


@dataclass
class Note:
    row: int | None
    message: str


@dataclass
class ImportReport:
    mode: str  # "dry_run" or "commit"
    file_errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "rejected": 0})
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    errors_truncated: bool = False
    notes_truncated: bool = False
    header_row: int | None = None
    file_kind: str = ""
    seconds: float = 0.0
    committed_through_row: int = 0  # commit: the last row of the last committed batch
    start_after_row: int = 0
    error_workbook: bytes | None = None  # every rejected row, see ErrorWorkbook

    @property
    def ok(self) -> bool:
        return not self.file_errors

    @property
    def writable(self) -> int:
        return self.counts["new"] + self.counts["updated"]

    def add_error(self, row: int, messages: list[str]) -> None:
        self.counts["rejected"] += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(RowError(row, messages))
        else:
            self.errors_truncated = True

    def add_note(self, row: int | None, message: str) -> None:
        if len(self.notes) < MAX_LISTED:
            self.notes.append(Note(row, message))
        else:
            self.notes_truncated = True

    def to_dict(self) -> dict[str, Any]:
        """What a job keeps in ``job.result`` (JSON)."""
        return {
            "mode": self.mode,
            "ok": self.ok,
            "file_errors": self.file_errors,
            "counts": dict(self.counts),
            "rows": self.rows,
            "errors": [{"row": e.row, "messages": e.messages} for e in self.errors],
            "errors_truncated": self.errors_truncated,
            "notes": [{"row": n.row, "message": n.message} for n in self.notes],
            "notes_truncated": self.notes_truncated,
            "header_row": self.header_row,
            "file_kind": self.file_kind,
            "seconds": round(self.seconds, 3),
            "committed_through_row": self.committed_through_row,
            "start_after_row": self.start_after_row,
        }


# --------------------------------------------------------------------------------------------
# Cell parsers: ``parse(raw, column)`` gets a non-blank cell as read (str, float, bool, date...)
# and returns the model value or raises _Invalid with a message naming the column.
# --------------------------------------------------------------------------------------------


def show(raw: Any) -> str:
    """A cell as the user typed it, for messages."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    elif isinstance(raw, dt.datetime | dt.date):
        raw = raw.strftime("%d/%m/%Y")
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def _text(max_length: int):
    def parse(raw, column):
        if isinstance(raw, float) and raw.is_integer():
            value = str(int(raw))
        elif isinstance(raw, dt.datetime | dt.date):
            value = raw.strftime("%d/%m/%Y")
        else:
            value = normalize(str(raw))
        if len(value) > max_length:
            raise _Invalid(
                _("%(column)s: “%(value)s” is too long (at most %(limit)s characters).")
                % {"column": column.header, "value": show(value), "limit": max_length}
            )
        return value

    return parse


def _choice(table_name: str):
    def parse(raw, column):
        value = choice_tables()[table_name].get(key(raw))
        if value is None:
            raise _Invalid(
                _("%(column)s: “%(value)s” is not one of the allowed values (%(allowed)s).")
                % {"column": column.header, "value": show(raw), "allowed": ", ".join(column.allowed())}
            )
        return value

    return parse


def _boolean(raw, column):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw in (0.0, 1.0):
        return raw == 1.0
    value = BOOLEAN_VALUES.get(key(raw))
    if value is None:
        raise _Invalid(
            _("%(column)s: “%(value)s” is not one of the allowed values (%(allowed)s).")
            % {"column": column.header, "value": show(raw), "allowed": f"{YES}, {NO}"}
        )
    return value


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"(?:vnđ|vnd|đồng|dong|đ|d)\.?$", re.IGNORECASE)
_PLAIN_INT = re.compile(r"[+-]?\d+")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")  # Vietnamese: 2.080.000.000
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}")  # 2,080,000,000 (unambiguous only)
_ZERO_DECIMALS = re.compile(r"([+-]?\d+)[,.]0+")


def parse_whole_number(raw, column) -> int:
    """A whole number as Vietnamese files write it: 2080000000, 2.080.000.000, 2.080.000.000 đ."""
    if isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, bool | float):
        raise _Invalid(
            _("%(column)s: “%(value)s” is not a whole number.") % {"column": column.header, "value": show(raw)}
        )
    else:
        text = _SPACES.sub("", normalize(str(raw)))
        text = _CURRENCY.sub("", text)
        if _PLAIN_INT.fullmatch(text):
            value = int(text)
        elif _DOT_GROUPS.fullmatch(text):
            value = int(text.replace(".", ""))
        elif _COMMA_GROUPS.fullmatch(text):
            value = int(text.replace(",", ""))
        elif match := _ZERO_DECIMALS.fullmatch(text):
            value = int(match.group(1))
        else:
            message = _("%(column)s: “%(value)s” is not a whole number.")
            raise _Invalid(message % {"column": column.header, "value": show(raw)})
    if value < 0:
        message = _("%(column)s cannot be negative (“%(value)s”).")
        raise _Invalid(message % {"column": column.header, "value": show(raw)})
    return value


def _coordinate(low: float, high: float):
    def parse(raw, column):
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int | float):
            value = float(raw)
        else:
            text = _SPACES.sub("", str(raw))
            if "," in text and "." not in text:
                text = text.replace(",", ".")  # decimal comma
            try:
                value = float(text)
            except ValueError:
                value = None
        if value is None or value != value:  # NaN
            raise _Invalid(
                _("%(column)s: “%(value)s” is not a number.") % {"column": column.header, "value": show(raw)}
            )
        if not low <= value <= high:
            raise _Invalid(
                _("%(column)s must be between %(min)s and %(max)s (“%(value)s”).")
                % {"column": column.header, "min": low, "max": high, "value": show(raw)}
            )
        return value

    return parse


_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_year(raw, column) -> int:
    """A founding year: 2015, or a date (a date cell, 15/05/2020, 05/2020, 2020-05-15) giving its year."""
    year = None
    if isinstance(raw, dt.datetime | dt.date):
        year = raw.year
    elif isinstance(raw, float | int) and not isinstance(raw, bool):
        if float(raw).is_integer():
            year = int(raw)
    else:
        text = _SPACES.sub("", str(raw))
        try:
            if text.isdigit():
                year = int(text)
            elif match := _DATE_DMY.fullmatch(text):
                year = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1))).year
            elif match := _DATE_ISO.fullmatch(text):
                year = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).year
            elif (match := _DATE_MY.fullmatch(text)) and 1 <= int(match.group(1)) <= 12:
                year = int(match.group(2))
        except ValueError:  # 31/02/2020
            year = None
    if year is None:
        message = _("%(column)s: “%(value)s” is not a valid year or date (e.g. 2015 or 15/05/2015).")
        raise _Invalid(message % {"column": column.header, "value": show(raw)})
    if not 1800 <= year <= 2100:
        raise _Invalid(
            _("%(column)s must be between %(min)s and %(max)s (“%(value)s”).")
            % {"column": column.header, "min": 1800, "max": 2100, "value": show(raw)}
        )
    return year


def parse_tax_code(raw, column) -> str:
    """10 digits, or 13 with a branch suffix (0100112437-001); stored compact. Excel drops a
    leading zero from a number cell, so a 9-digit number gets it back."""
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
        if len(text) in (9, 12):
            text = "0" + text
    else:
        text = _SPACES.sub("", str(raw))
    if len(text) == 10 and text.isdigit() and text[2:9] != "0000000" and text[9] == mst.calc_check_digit(text):
        return text  # the common case, without stdnum's general clean-up
    try:
        return mst.validate(text)
    except stdnum_errors.InvalidChecksum:
        raise _Invalid(
            _("%(column)s: “%(value)s” is not a valid tax code: the check digit is wrong.")
            % {"column": column.header, "value": show(raw)}
        )
    except stdnum_errors.ValidationError:
        raise _Invalid(
            _(
                "%(column)s: “%(value)s” is not a valid tax code "
                "(10 digits, or 13 digits with a branch suffix such as 0100112437-001)."
            )
            % {"column": column.header, "value": show(raw)}
        )


def parse_commune_code(raw, column) -> str:
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    else:
        text = _SPACES.sub("", str(raw))
    if not text.isdigit() or len(text) > 5:
        raise _Invalid(
            _("%(column)s: “%(value)s” is not a commune code (5 digits).")
            % {"column": column.header, "value": show(raw)}
        )
    return text.zfill(5)


def parse_phone(raw, column) -> str:
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
        if len(text) in (9, 10) and not text.startswith("0"):
            text = "0" + text  # Excel dropped the leading zero of 0912345678
    else:
        text = normalize(str(raw))
    if len(text) > 30:
        raise _Invalid(
            _("%(column)s: “%(value)s” is too long (at most %(limit)s characters).")
            % {"column": column.header, "value": show(raw), "limit": 30}
        )
    return text


def parse_email(raw, column) -> str:
    text = _SPACES.sub("", str(raw))
    try:
        validate_email(text)
    except ValidationError:
        raise _Invalid(
            _("%(column)s: “%(value)s” is not a valid email address.") % {"column": column.header, "value": show(raw)}
        )
    if len(text) > 254:
        raise _Invalid(
            _("%(column)s: “%(value)s” is too long (at most %(limit)s characters).")
            % {"column": column.header, "value": show(raw), "limit": 254}
        )
    return text


_LIST_SPLIT = re.compile(r"[;,\n]")


def parse_code_list(raw, column) -> tuple[str, ...]:
    if isinstance(raw, float) and raw.is_integer():
        return (str(int(raw)),)
    return tuple(part for part in (normalize(p) for p in _LIST_SPLIT.split(str(raw))) if part)


# --------------------------------------------------------------------------------------------
# The column spec: defined once, used by the reader, the template and the docs.
# --------------------------------------------------------------------------------------------


@dataclass
class Column:
    header: str
    field: str
    required: bool
    parse: Callable[[Any, Column], Any]
    aliases: tuple[str, ...] = ()
    example: Any = ""
    guide: str = ""
    as_text: bool = False  # the template formats the column as text (codes keep leading zeros)
    values: str = ""  # name of the table of allowed values

    def allowed(self) -> list[str]:
        if self.values == "legal_form":
            return vietnamese_labels(LegalForm.choices)
        if self.values == "status":
            return vietnamese_labels(Establishment.Status.choices)
        if self.values == "gender":
            return vietnamese_labels(Gender.choices)
        return [YES, NO]


COLUMNS: list[Column] = [
    Column("Tên cơ sở", "name", True, _text(255), ("Tên cơ sở CNNT", "Tên đơn vị"),
           "Cơ sở mây tre đan Hương Sơn", "Tên đầy đủ của cơ sở."),
    Column("Loại hình", "legal_form", True, _choice("legal_form"), ("Loại hình tổ chức", "Loại hình cơ sở"),
           "Hộ kinh doanh", "Một giá trị của cột Loại hình trong trang Giá trị hợp lệ.", values="legal_form"),
    Column("Mã số thuế", "tax_code", False, parse_tax_code, ("MST",), "",
           "10 chữ số, hoặc 13 chữ số với mã chi nhánh (0100112437-001). Dùng để cập nhật cơ sở đã có.",
           as_text=True),
    Column("Số ĐKKD", "registration_number", False, _text(40),
           ("Số đăng ký kinh doanh", "Số giấy chứng nhận đăng ký kinh doanh", "Số GCN ĐKKD"), "",
           "Số giấy chứng nhận đăng ký kinh doanh.", as_text=True),
    Column("Mã ngoài", "external_id", False, _text(60), ("Mã định danh ngoài",), "",
           "Mã của cơ sở trong hệ thống khác; dùng để cập nhật khi không có mã số thuế.", as_text=True),
    Column("Chủ cơ sở", "owner_name", False, _text(150), ("Họ tên chủ cơ sở", "Người đại diện"), "Nguyễn Thị Lan"),
    Column("Giới tính chủ cơ sở", "owner_gender", False, _choice("gender"), ("Giới tính",), "Nữ",
           values="gender"),
    Column("Địa chỉ", "address", False, _text(255), (), "Thôn 3"),
    Column("Mã xã", "commune", True, parse_commune_code, ("Mã xã/phường", "Mã đơn vị hành chính", "Mã ĐVHC"), "",
           "Mã 5 chữ số của xã/phường/đặc khu hiện hành; mã cũ (trước 1/7/2025) được chuyển sang đơn vị kế thừa.",
           as_text=True),
    Column("Làng nghề", "craft_village", False, _text(255), (), "",
           "Tên làng nghề đã có trong danh mục của xã (hoặc của tỉnh)."),
    Column("Ngành nghề", "industry_lines", False, parse_code_list, ("Mã ngành nghề", "Ngành nghề sản xuất"), "",
           "Mã ngành nghề trong danh mục, cách nhau bởi dấu chấm phẩy (;).", as_text=True),
    Column("Sản phẩm chính", "main_products", False, _text(500), ("Sản phẩm",), "Rổ, rá, giỏ mây"),
    Column("Tổng lao động", "workers_total", False, parse_whole_number, ("Tổng số lao động", "Số lao động"), 25),
    Column("Lao động nữ", "workers_women", False, parse_whole_number, ("Số lao động nữ",), 18,
           "Không vượt quá Tổng lao động."),
    Column("Lao động DTTS", "workers_ethnic_minority", False, parse_whole_number,
           ("Số lao động DTTS", "Lao động dân tộc thiểu số"), 0, "Không vượt quá Tổng lao động."),
    Column("Doanh thu năm (đồng)", "annual_revenue", False, parse_whole_number, ("Doanh thu năm", "Doanh thu"),
           2_080_000_000, "Số nguyên, đồng (2080000000 hoặc 2.080.000.000)."),
    Column("Năm thành lập", "founding_year", False, parse_year, ("Ngày thành lập",), 2015,
           "Năm (2015) hoặc ngày (15/05/2015)."),
    Column("Điện thoại", "phone", False, parse_phone, ("Số điện thoại", "SĐT"), "0912345678", as_text=True),
    Column("Email", "email", False, parse_email, ("Thư điện tử",), ""),
    Column("Vĩ độ", "latitude", False, _coordinate(8, 24), (), 18.3437, "Từ 8 đến 24."),
    Column("Kinh độ", "longitude", False, _coordinate(102, 118), (), 105.9057, "Từ 102 đến 118."),
    Column("Trạng thái", "status", False, _choice("status"), ("Tình trạng hoạt động",), "Đang hoạt động",
           "Để trống: Đang hoạt động.", values="status"),
    Column("Chủ là nữ", "women_owned", False, _boolean, ("Chủ cơ sở là nữ", "Do nữ làm chủ"), YES,
           f"{YES} hoặc {NO}.", values="boolean"),
    Column("Có lao động DTTS", "ethnic_minority_workers", False, _boolean, ("Sử dụng lao động DTTS",), NO,
           f"{YES} hoặc {NO}.", values="boolean"),
    Column("Vùng khó khăn", "disadvantaged_area", False, _boolean, ("Địa bàn khó khăn", "Thuộc vùng khó khăn"), NO,
           f"{YES} hoặc {NO}.", values="boolean"),
]  # fmt: skip
IGNORED_HEADERS = frozenset(key(h) for h in ("STT", "TT", "Số TT", "Số thứ tự", ROW_HEADER, ERROR_HEADER, "Ghi chú"))
_HEADER_INDEX: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        _HEADER_INDEX[key(_name)] = _column

# Fields a row sets directly on the model (the others are resolved: commune, village, lines).
PLAIN_FIELDS = [
    c.field for c in COLUMNS if c.field not in {"commune", "craft_village", "industry_lines"}
]  # fmt: skip
SEARCH_FIELDS = {"name", "tax_code", "owner_name", "main_products", "address", "commune_id"}  # build_search_text
# What a row is compared with: the importable fields, the keys and the scope.
COMPARED = ["id", "province_id", "commune_id", "legacy_commune_id", "craft_village_id", *PLAIN_FIELDS]


def header_key(text: Any) -> str:
    return key(str(text).replace("(*)", "").rstrip("* "))


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    kind: str
    rows: Iterator[tuple[int, list[Any]]]  # (row number as Excel shows it, cells)
    total: int  # the number of the last row (an upper bound for CSV), for progress and the row limit
    first_column: int = 0  # 0-based index of the first column read
    unreadable: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> {cell index: reason}
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2) as rows/cells


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@contextmanager
def _binary(source) -> Iterator[BinaryIO]:
    """A seekable binary file for a path, bytes, an UploadedFile or a storage File."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            yield fh
        return
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
        return
    fh = getattr(source, "file", None) or source
    if hasattr(source, "open") and getattr(source, "closed", False):
        source.open("rb")
        fh = getattr(source, "file", None) or source
    seekable = getattr(fh, "seekable", lambda: False)()
    if seekable:
        fh.seek(0)
        yield fh
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        shutil.copyfileobj(fh, spool)
        spool.seek(0)
        yield spool


def _size_of(fh: BinaryIO) -> int:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def vn_int(value: int) -> str:
    """12.345 (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def _mb(value: int) -> str:
    return f"{value / (1024 * 1024):g}"


@contextmanager
def open_sheet(source, limits: Limits = LIMITS) -> Iterator[Sheet]:
    """Check the file and open its first sheet (xlsx) or its records (csv) as a stream of rows."""
    with _binary(source) as fh:
        size = _size_of(fh)
        if size == 0:
            raise ImportFileError(_("The file is empty."))
        if size > limits.max_file_bytes:
            raise ImportFileError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split the file.")
                % {"size": f"{size / (1024 * 1024):.1f}", "limit": _mb(limits.max_file_bytes)}
            )
        magic = fh.read(8)
        fh.seek(0)
        if magic.startswith(_NOT_TABLES) or magic.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise _not_a_workbook()  # PDF, RTF, HTML or XML (e.g. a web page saved as .xls)
        if magic.startswith(b"PK\x03\x04"):
            with _open_xlsx(fh, limits) as sheet:
                yield sheet
        elif magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                _(
                    "Old Excel files (.xls) and password-protected workbooks cannot be read. "
                    "Open the file in Excel and save it as an .xlsx workbook without a password."
                )
            )
        else:
            sheet = _open_csv(fh, limits)
            try:
                yield sheet
            finally:
                sheet.rows.close()  # detaches the text wrapper while the file is still open


_NOT_TABLES = (b"%PDF", b"{\\rtf", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


def _not_a_workbook() -> ImportFileError:
    return ImportFileError(_("This is not an Excel workbook (.xlsx) or a CSV file."))


_FIRST_SHEET_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def _first_sheet_member(zf: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (the one calamine reads as index 0)."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314  (size-checked, no DTDs)
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = workbook.find("m:sheets/m:sheet", _FIRST_SHEET_NS)
    if sheet is None:
        return None
    rel_id = sheet.get(f"{{{_FIRST_SHEET_NS['r']}}}id")
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


_CELL_HINTS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b't="e"')  # formulas, error cells
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _hints(segment: bytes) -> list[int]:
    """Where a formula or an error cell may start (bytes.find is far faster than a regex here)."""
    positions = []
    for needle in _CELL_HINTS:
        position = segment.find(needle)
        while position >= 0:
            positions.append(position)
            position = segment.find(needle, position + 1)
    return sorted(positions)


@dataclass
class _Scan:
    """What one streaming pass over the sheet XML finds (bytes.find / count only, no parsing)."""

    found: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> error or ""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)
    rows: int = 0  # <row> elements
    last_row: int = 0  # the highest row number seen in a <row r="…">
    size: int = 0


_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_MERGE_REF = re.compile(rb'ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _scan_merges(segment: bytes, scan: _Scan) -> None:
    for needle in (b"<mergeCell ", b":mergeCell "):
        position = segment.find(needle)
        while position >= 0:
            ref = _MERGE_REF.search(segment, position, segment.find(b">", position) + 1)
            if ref:
                c1, r1, c2, r2 = ref.groups()
                scan.merged.append((int(r1), _column_index(c1), int(r2), _column_index(c2)))
            position = segment.find(needle, position + 1)


def _scan_cells(stream: BinaryIO, scan: _Scan) -> None:
    """Find the cells calamine reads as empty although they are not: formula errors (#REF!...)
    and formulas saved without a computed value; count the rows and find the merged cells."""
    found = scan.found
    tail = b""
    while True:
        chunk = stream.read(1 << 20)
        scan.size += len(chunk)
        data = tail + chunk
        if chunk:
            cut = data.rfind(b"row>")  # a row boundary never splits a cell
            if cut < 0:
                tail = data
                continue
            cut += 4
            segment, tail = data[:cut], data[cut:]
        else:
            segment, tail = data, b""
        scan.rows += sum(segment.count(tag) for tag in (b"<row ", b"<row>", b":row ", b":row>"))
        last = max(segment.rfind(b"<row "), segment.rfind(b":row "))
        if last >= 0 and (number := _ROW_NUMBER.search(segment, last, segment.find(b">", last) + 1)):
            scan.last_row = max(scan.last_row, int(number.group(1)))
        if b"mergeCell " in segment:
            _scan_merges(segment, scan)
        done_until = 0
        for hint in _hints(segment):
            if hint < done_until:
                continue
            start = max(segment.rfind(b"<c ", 0, hint), segment.rfind(b":c ", 0, hint))
            if start < 0:
                continue
            tag_end = segment.find(b">", start)
            if tag_end < 0:
                continue
            tag = segment[start : tag_end + 1]
            if tag.endswith(b"/>"):
                end, content = tag_end + 1, b""
            else:
                close = _CELL_CLOSE.search(segment, tag_end)
                if close is None:
                    continue
                end, content = close.end(), segment[tag_end + 1 : close.start()]
            if end < hint:
                continue  # the hint is not inside this cell
            done_until = end
            ref = _CELL_REF.search(tag)
            if ref is None:
                continue
            position = (int(ref.group(2)), _column_index(ref.group(1)))
            value = _CELL_VALUE.search(content)
            if b't="e"' in tag:
                found[position] = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
            elif value is None or not value.group(1):
                found[position] = ""  # a formula without a stored value
        if not chunk:
            return


@contextmanager
def _open_xlsx(fh: BinaryIO, limits: Limits) -> Iterator[Sheet]:
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_workbook()
    bomb = _(
        "The workbook expands to more than %(limit)s MB when unpacked and is refused (it may be a zip bomb). "
        "Remove images and unused sheets, or split the file."
    ) % {"limit": _mb(limits.max_uncompressed_bytes)}
    if len(infos) > limits.max_zip_members or sum(i.file_size for i in infos) > limits.max_uncompressed_bytes:
        raise ImportFileError(bomb)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _not_a_workbook()
    sheet_member = _first_sheet_member(zf)
    if sheet_member is None or sheet_member not in names:
        raise _not_a_workbook()
    # Decompress every member once with Python's zipfile, which stops at the declared size and
    # checks the CRC: a member lying about its size cannot reach calamine.
    scan = _Scan()
    unpacked = 0
    try:
        for info in infos:
            with zf.open(info) as member:
                if info.filename == sheet_member:
                    _scan_cells(member, scan)
                    unpacked += scan.size
                else:
                    while block := member.read(1 << 20):
                        unpacked += len(block)
            if unpacked > limits.max_uncompressed_bytes:
                raise ImportFileError(bomb)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read (%(error)s).") % {"error": exc})
    if scan.size > limits.calamine_max_sheet_bytes:
        yield _stream_sheet(zf, sheet_member, scan)
        return
    fh.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(fh)
        sheet = workbook.get_sheet_by_index(0)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CalamineError, or a Rust panic (PanicException derives from BaseException)
        raise ImportFileError(_("The workbook is damaged and cannot be read (%(error)s).") % {"error": exc})
    try:
        start = sheet.start
        if start is None:
            raise ImportFileError(_("The first sheet of the workbook has no data."))
        first_row, first_column = start
        unreadable: dict[int, dict[int, str]] = {}
        for (row, column), reason in scan.found.items():
            unreadable.setdefault(row, {})[column - first_column] = reason
        merged = [
            (r1 + 1, c1 - first_column, r2 + 1, c2 - first_column)
            for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
        ]

        def rows():
            for index, cells in enumerate(sheet.iter_rows()):
                yield first_row + index + 1, cells

        yield Sheet("xlsx", rows(), first_row + sheet.height, first_column, unreadable, merged)
    finally:
        workbook.close()


# --- The streaming reader, for sheets too big to hold: python-calamine keeps every cell of the
# sheet in memory (about 2 KB a row of 25 columns), expat reads one row at a time.

_PREFIXED_ROOT = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<\w+:worksheet\b", re.DOTALL)
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)


def _local(name: str) -> str:
    return name[name.find(":") + 1 :]


def _parse_member(zf: zipfile.ZipFile, name: str, start, end, chars=None) -> None:
    if name not in zf.namelist():
        return
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    with zf.open(name) as stream:
        parser.ParseFile(stream)


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "phonetic": False}

    def start(name, attrs):
        name = _local(name)
        if name == "si":
            parts.clear()
        elif name == "t":
            state["text"] = not state["phonetic"]
        elif name == "rPh":
            state["phonetic"] = True

    def end(name):
        name = _local(name)
        if name == "si":
            strings.append("".join(parts))
        elif name == "t":
            state["text"] = False
        elif name == "rPh":
            state["phonetic"] = False

    def chars(data):
        if state["text"]:
            parts.append(data)

    _parse_member(zf, "xl/sharedStrings.xml", start, end, chars)
    return strings


def _date_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles whose number format is a date or a time."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"xfs": False}

    def start(name, attrs):
        name = _local(name)
        if name == "numFmt":
            custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            state["xfs"] = True
        elif name == "xf" and state["xfs"]:
            formats.append(int(attrs.get("numFmtId", 0)))

    def end(name):
        if _local(name) == "cellXfs":
            state["xfs"] = False

    _parse_member(zf, "xl/styles.xml", start, end)

    def is_date(format_id: int) -> bool:
        if format_id in custom:
            code = _QUOTED.sub("", custom[format_id]).lower()
            return any(ch in code for ch in "dmyhs") and "general" not in code
        return format_id in _BUILTIN_DATE_FORMATS

    return frozenset(index for index, format_id in enumerate(formats) if is_date(format_id))


def _uses_1904(zf: zipfile.ZipFile) -> bool:
    found = {"1904": False}

    def start(name, attrs):
        if _local(name) == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            found["1904"] = True

    _parse_member(zf, "xl/workbook.xml", start, lambda name: None)
    return found["1904"]


def _column_of(ref: str) -> int:
    index = 0
    for ch in ref:
        if ch.isdigit():
            break
        index = index * 26 + ord(ch) - 64
    return index - 1


def _stream_sheet(zf: zipfile.ZipFile, member: str, scan: _Scan) -> Sheet:
    """The first sheet read row by row with expat; cells as calamine gives them (numbers as
    floats, dates as datetimes, booleans, text), so both readers feed the same parsers."""
    strings = _shared_strings(zf)
    dates = {str(index) for index in _date_styles(zf)}  # compared with the s="…" attribute as read
    epoch = _EXCEL_EPOCH_1904 if _uses_1904(zf) else _EXCEL_EPOCH
    unreadable: dict[int, dict[int, str]] = {}
    for (row, column), reason in scan.found.items():
        unreadable.setdefault(row, {})[column] = reason

    def value_of(kind: str | None, style: str | None, text: str) -> Any:
        if kind is None or kind == "n":
            if not text:
                return ""
            number = float(text)
            if style in dates:
                moment = epoch + dt.timedelta(milliseconds=round(number * 86_400_000))  # as Excel shows it
                return moment.date() if number.is_integer() else moment
            return number
        if kind == "s":
            return strings[int(text)]
        if kind == "b":
            return text == "1"
        if kind == "e":
            return ""
        if kind == "d":
            return dt.datetime.fromisoformat(text)
        return text  # str, inlineStr

    def rows():
        # Closures over plain locals: expat calls these a few times per cell, so they stay lean.
        done: list[tuple[int, list[Any]]] = []
        cells: dict[int, Any] = {}
        parts: list[str] = []
        names: dict[str, str] = {}
        columns: dict[str, int] = {}
        row, col, kind, style, collecting, inline = 0, -1, None, None, False, False

        def local(name: str) -> str:
            names[name] = name[name.find(":") + 1 :]
            return names[name]

        def start(name, attrs):
            nonlocal row, col, kind, style, collecting, inline
            if name == "c":
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = _column_of(letters)
                else:
                    col += 1
                kind = attrs.get("t")
                style = attrs.get("s")
            elif name == "v" or (name == "t" and inline):
                parts.clear()
                collecting = True
            elif name == "is":
                inline = True
            elif name == "row":
                ref = attrs.get("r")
                row = int(ref) if ref else row + 1
                col = -1
                cells.clear()

        def end(name):
            nonlocal collecting, inline
            if name == "v":
                cells[col] = value_of(kind, style, "".join(parts))
                collecting = False
            elif name == "t" and inline:
                cells[col] = cells.get(col, "") + "".join(parts)
                collecting = False
            elif name == "is":
                inline = False
            elif name == "row" and cells:
                done.append((row, [cells.get(i, "") for i in range(max(cells) + 1)]))

        def chars(data):
            if collecting:
                parts.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.CharacterDataHandler = chars
        try:
            with zf.open(member) as stream:
                chunk = stream.read(1 << 16)
                if _PREFIXED_ROOT.match(chunk.lstrip(b"\xef\xbb\xbf")):  # <x:worksheet …>: strip prefixes
                    parser.StartElementHandler = lambda name, attrs: start(names.get(name) or local(name), attrs)
                    parser.EndElementHandler = lambda name: end(names.get(name) or local(name))
                else:
                    parser.StartElementHandler = start
                    parser.EndElementHandler = end
                while chunk:
                    parser.Parse(chunk, False)
                    yield from done
                    done.clear()
                    chunk = stream.read(1 << 16)
                parser.Parse(b"", True)
                yield from done
        except (expat.ExpatError, ValueError, IndexError) as exc:
            raise ImportFileError(_("The workbook is damaged and cannot be read (%(error)s).") % {"error": exc})

    return Sheet("xlsx", rows(), max(scan.rows, scan.last_row), 0, unreadable, scan.merged)


def _open_csv(fh: BinaryIO, limits: Limits) -> Sheet:
    """UTF-8 (with or without BOM) text; the delimiter (, ; or tab) is sniffed from the header."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    last = b""
    first_line = ""
    try:
        while block := fh.read(1 << 20):
            if b"\x00" in block:
                raise _not_a_workbook()
            text = decoder.decode(block)
            if not first_line:
                first_line = text.split("\n", 1)[0]
            newlines += block.count(b"\n")
            last = block[-1:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("A CSV file must be encoded in UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”.")
        )
    fh.seek(0)
    first_line = first_line.lstrip("\ufeff")
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    total = newlines + (last != b"\n")  # an upper bound: a quoted cell may hold line breaks
    if total - 1 > limits.max_rows:
        total = _count_records(fh, delimiter)
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows():
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read (%(error)s).") % {"error": exc})
        finally:
            text.detach()

    return Sheet("csv", rows(), total)


def _count_records(fh: BinaryIO, delimiter: str) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        return sum(1 for _record in csv.reader(text, delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read (%(error)s).") % {"error": exc})
    finally:
        text.detach()
        fh.seek(0)


# --------------------------------------------------------------------------------------------
# The header
# --------------------------------------------------------------------------------------------


@dataclass
class Header:
    row: int
    cells: list[str]
    columns: dict[int, Column]  # cell index -> column

    def present(self, field_name: str) -> bool:
        return any(c.field == field_name for c in self.columns.values())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize(str(value))


def read_header(sheet: Sheet) -> Header:
    """Find the header (the first row naming at least two known columns, within the first rows)
    and map its cells onto :data:`COLUMNS`; unknown, duplicate or missing columns stop the import."""
    candidates = []
    for row, cells in sheet.rows:
        if all(_blank(c) for c in cells):
            continue
        candidates.append((row, cells))
        if sum(header_key(c) in _HEADER_INDEX for c in cells if not _blank(c)) >= 2:
            break
        if len(candidates) >= HEADER_SEARCH_ROWS:
            candidates = candidates[:1]
            break
    if not candidates:
        raise ImportFileError(_("The file has no header row and no data."))
    row, cells = candidates[-1]
    if sum(header_key(c) in _HEADER_INDEX for c in cells if not _blank(c)) < 2:
        row, cells = candidates[0]
    texts = ["" if _blank(c) else _cell_text(c) for c in cells]
    columns: dict[int, Column] = {}
    unknown, duplicates = [], []
    for index, text in enumerate(texts):
        if not text:
            continue
        name = header_key(text)
        column = _HEADER_INDEX.get(name)
        if column is None:
            if name not in IGNORED_HEADERS:
                unknown.append(text)
        elif column in columns.values():
            duplicates.append(column.header)
        else:
            columns[index] = column
    errors = []
    missing = [c.header for c in COLUMNS if c.required and c not in columns.values()]
    if missing:
        errors.append(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(f"“{m}”" for m in missing)}
        )
    if unknown:
        errors.append(
            _(
                "Unrecognised columns: %(columns)s. Use the column names of the template; "
                "a renamed column is not recognised."
            )
            % {"columns": ", ".join(f"“{u}”" for u in unknown)}
        )
    for name in duplicates:
        errors.append(_("The column “%(column)s” appears more than once.") % {"column": name})
    if errors:
        raise ImportFileError(*errors)
    return Header(row, texts, columns)


# --------------------------------------------------------------------------------------------
# Reference data held for one import
# --------------------------------------------------------------------------------------------


class _Communes:
    """Every commune, current and legacy (13k rows), keyed by code."""

    def __init__(self):
        self.current: dict[str, tuple[int, str, int]] = {}
        self.legacy: dict[str, tuple[int, str, int, dt.date]] = {}
        self.successor: dict[int, int | None] = {}
        self.current_ids: dict[int, tuple[str, str, int]] = {}
        rows = Commune.objects.values_list("pk", "code", "name", "valid_to", "province_id", "successor_id")
        for pk, code, name, valid_to, province_id, successor_id in rows.iterator(chunk_size=5_000):
            if valid_to is None:
                self.current[code] = (pk, name, province_id)
                self.current_ids[pk] = (code, name, province_id)
            else:
                self.successor[pk] = successor_id
                known = self.legacy.get(code)
                if known is None or known[3] < valid_to:
                    self.legacy[code] = (pk, name, successor_id, valid_to)
        self.province_names = dict(Province.objects.values_list("pk", "name"))

    def resolve(self, code: str) -> tuple[int, int, int | None, str] | None:
        """(commune, province, legacy commune or None, legacy name) for a code; a current unit wins."""
        if code in self.current:
            pk, _name, province_id = self.current[code]
            return pk, province_id, None, ""
        if code not in self.legacy:
            return None
        legacy_pk, legacy_name, target, _valid_to = self.legacy[code]
        for _step in range(10):
            if target is None or target in self.current_ids:
                break
            target = self.successor.get(target)
        if target not in self.current_ids:
            return None
        return target, self.current_ids[target][2], legacy_pk, legacy_name


class _IndustryLines:
    def __init__(self):
        today = timezone.localdate()
        self.by_key: dict[str, int] = {}
        lines = IndustryLine.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("valid_from")
        for pk, code, name in lines.values_list("pk", "code", "name"):
            self.by_key[key(code)] = pk
            self.by_key.setdefault(key(name), pk)


class _Villages:
    def __init__(self):
        self.loaded: dict[int, tuple[dict[tuple[int, str], int], dict[str, list[int]]]] = {}

    def find(self, province_id: int, commune_id: int, name: str) -> int | None:
        if province_id not in self.loaded:
            in_commune: dict[tuple[int, str], int] = {}
            in_province: dict[str, list[int]] = {}
            for pk, village, commune in CraftVillage.objects.filter(province_id=province_id).values_list(
                "pk", "name", "commune_id"
            ):
                in_commune[(commune, key(village))] = pk
                in_province.setdefault(key(village), []).append(pk)
            self.loaded[province_id] = (in_commune, in_province)
        in_commune, in_province = self.loaded[province_id]
        name_key = key(name)
        if (commune_id, name_key) in in_commune:
            return in_commune[(commune_id, name_key)]
        matches = in_province.get(name_key, [])
        return matches[0] if len(matches) == 1 else None


# --------------------------------------------------------------------------------------------
# The error workbook
# --------------------------------------------------------------------------------------------


class ErrorWorkbook:
    """The rejected rows with the file's own columns, the row number ("Dòng") and the reasons ("Lỗi").

    Written row by row in xlsxwriter's constant-memory mode to a temporary file. Re-importing it
    after fixing the rows works: "Dòng" and "Lỗi" are ignored columns.
    """

    def __init__(self, header_cells: list[str]):
        self.keep = [i for i, h in enumerate(header_cells) if header_key(h) not in {key(ROW_HEADER), key(ERROR_HEADER)}]
        handle, self.path = tempfile.mkstemp(suffix=".xlsx", prefix="kc-import-errors-")
        os.close(handle)
        self.workbook = xlsxwriter.Workbook(self.path, {"constant_memory": True, "strings_to_numbers": False})
        self.sheet = self.workbook.add_worksheet(ERROR_HEADER)
        bold = self.workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.date_format = self.workbook.add_format({"num_format": "dd/mm/yyyy"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "font_color": "#B00020"})
        headers = [ROW_HEADER, *(header_cells[i] for i in self.keep), ERROR_HEADER]
        self.sheet.write_row(0, 0, headers, bold)
        self.sheet.set_column(0, 0, 7)
        self.sheet.set_column(1, len(headers) - 2, 16)
        self.sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
        self.sheet.freeze_panes(1, 1)
        self.next_row = 1

    def add(self, row: int, cells: list[Any], messages: list[str]) -> None:
        out = self.next_row
        self.sheet.write_number(out, 0, row)
        for position, index in enumerate(self.keep, start=1):
            value = cells[index] if index < len(cells) else ""
            self._write(out, position, value)
        self.sheet.write_string(out, len(self.keep) + 1, "\n".join(messages)[:32_000], self.wrap)
        self.next_row += 1

    def _write(self, row: int, col: int, value: Any) -> None:
        if isinstance(value, bool):
            self.sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                value = int(value)
            self.sheet.write_number(row, col, value)
        elif isinstance(value, dt.datetime | dt.date):
            self.sheet.write_datetime(row, col, value, self.date_format)
        elif value not in (None, ""):
            self.sheet.write_string(row, col, str(value)[:32_000])

    def finish(self) -> bytes:
        self.workbook.close()
        try:
            return Path(self.path).read_bytes()
        finally:
            self.discard()

    def discard(self) -> None:
        Path(self.path).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    cells: list[Any]
    values: dict[str, Any]
    errors: list[str]
    notes: list[str] = field(default_factory=list)
    resolved: dict[str, Any] = field(default_factory=dict)  # commune_id, province_id, legacy, lines...


_UNSET = object()


class _Importer:
    def __init__(self, user, header: Header, sheet: Sheet, report: ImportReport, *, write: bool, limits: Limits):
        self.user = user
        self.header = header
        self.sheet = sheet
        self.report = report
        self.write = write
        self.limits = limits
        self.scope = user_scope(user, Action.ADD, Establishment)
        self.change_scope = user_scope(user, Action.CHANGE, Establishment)
        if self.scope.is_empty:
            raise ImportFileError(_("You are not allowed to add establishments."))
        self.columns = list(header.columns.items())
        self.fields_present = {c.field for _i, c in self.columns}
        self.communes = _Communes()
        self.lines = _IndustryLines() if "industry_lines" in self.fields_present else None
        self.villages = _Villages()
        self.seen_tax: dict[str, int] = {}
        self.seen_external: dict[str, int] = {}
        self.touched: dict[int, int] = {}  # existing establishment -> the row that changed it
        self.errors_out = ErrorWorkbook(header.cells)
        self.through = Establishment.industry_lines.through

    # -- parsing ----------------------------------------------------------------------------

    def parse(self, row: int, cells: list[Any]) -> _Row | None:
        values: dict[str, Any] = {}
        errors: list[str] = []
        failed: set[str] = set()
        unreadable = self.sheet.unreadable.get(row)
        width = len(cells)
        for index, column in self.columns:
            raw = cells[index] if index < width else ""
            if unreadable and index in unreadable:
                cell = f"{column_letter(self.sheet.first_column + index)}{row}"
                errors.append(self._unreadable(column, cell, unreadable[index]))
                failed.add(column.field)
                continue
            if isinstance(raw, str):
                if not raw or raw.isspace():
                    continue
                if "#" in raw[:2] and raw.strip() in EXCEL_ERRORS:
                    cell = f"{column_letter(self.sheet.first_column + index)}{row}"
                    errors.append(self._unreadable(column, cell, raw.strip()))
                    failed.add(column.field)
                    continue
            elif raw is None:
                continue
            try:
                values[column.field] = column.parse(raw, column)
            except _Invalid as exc:
                errors.append(str(exc))
                failed.add(column.field)
        if not values and not failed:
            return None  # an empty row (or only ignored columns such as STT)
        for index, column in self.columns:
            if column.required and column.field not in values and column.field not in failed:
                errors.append(self._missing(column, index, row))
        return _Row(row, cells, values, errors)

    def _unreadable(self, column: Column, cell: str, reason: str) -> str:
        if reason:
            return _("%(column)s: the cell %(cell)s cannot be read (formula error %(error)s).") % {
                "column": column.header,
                "cell": cell,
                "error": reason,
            }
        return _("%(column)s: the cell %(cell)s holds a formula without a computed value; enter the value itself.") % {
            "column": column.header,
            "cell": cell,
        }

    def _missing(self, column: Column, index: int, row: int) -> str:
        for r1, c1, r2, c2 in self.sheet.merged:
            if r1 <= row <= r2 and c1 <= index <= c2 and (row, index) != (r1, c1):
                return _(
                    "%(column)s is required; the cell %(cell)s is part of merged cells "
                    "(only the first merged cell has a value). Unmerge the cells and fill each row."
                ) % {"column": column.header, "cell": f"{column_letter(self.sheet.first_column + index)}{row}"}
        return _("%(column)s is required.") % {"column": column.header}

    def register_keys(self, item: _Row) -> None:
        """The same tax code or external id twice in the file: every later row is rejected."""
        tax = item.values.get("tax_code")
        if tax:
            first = self.seen_tax.setdefault(tax, item.row)
            if first != item.row:
                item.errors.append(
                    _("The tax code %(value)s already appears in row %(row)s.") % {"value": tax, "row": first}
                )
        external = item.values.get("external_id")
        if external:
            first = self.seen_external.setdefault(external, item.row)
            if first != item.row:
                item.errors.append(
                    _("The external id %(value)s already appears in row %(row)s.") % {"value": external, "row": first}
                )

    # -- one batch --------------------------------------------------------------------------

    def in_scope(self, province_id: int) -> bool:
        return self.scope.covers(province_id=province_id)

    def may_change(self, province_id: int) -> bool:
        return self.change_scope.covers(province_id=province_id)

    def resolve(self, item: _Row) -> None:
        values = item.values
        found = self.communes.resolve(values["commune"])
        if found is None:
            item.errors.append(_("Unknown commune code %(value)s.") % {"value": values["commune"]})
            return
        commune_id, province_id, legacy_id, legacy_name = found
        if not self.in_scope(province_id):
            code, name, _province = self.communes.current_ids[commune_id]
            item.errors.append(
                _("The commune %(code)s %(commune)s (%(province)s) is outside your scope.")
                % {"code": code, "commune": name, "province": self.communes.province_names.get(province_id, "")}
            )
            return
        item.resolved.update(commune_id=commune_id, province_id=province_id, legacy_commune_id=legacy_id)
        if legacy_id is not None:
            code, name, _province = self.communes.current_ids[commune_id]
            item.notes.append(
                _(
                    "Commune code %(old_code)s is %(old)s, a unit before 1/7/2025; the establishment is "
                    "recorded in its successor %(new_code)s %(new)s and keeps the old commune as history."
                )
                % {"old_code": values["commune"], "old": legacy_name, "new_code": code, "new": name}
            )
        if "industry_lines" in values:
            ids, unknown = [], []
            for code in values["industry_lines"]:
                pk = self.lines.by_key.get(key(code))
                if pk is None:
                    unknown.append(code)
                elif pk not in ids:
                    ids.append(pk)
            if unknown:
                item.errors.append(
                    _("Unknown industry line code(s): %(codes)s.") % {"codes": ", ".join(show(u) for u in unknown)}
                )
                return
            item.resolved["industry_lines"] = frozenset(ids)
        if "craft_village" in values:
            village = self.villages.find(province_id, commune_id, values["craft_village"])
            if village is None:
                item.notes.append(
                    _("The craft village “%(value)s” is not in the list of craft villages of the commune; left empty.")
                    % {"value": values["craft_village"]}
                )
            item.resolved["craft_village_id"] = village

    def process(self, batch: list[_Row]) -> None:
        candidates = []
        for item in batch:
            if not item.errors:
                self.resolve(item)
            if not item.errors:
                candidates.append(item)
        taxes = {i.values["tax_code"] for i in candidates if "tax_code" in i.values}
        externals = {i.values["external_id"] for i in candidates if "external_id" in i.values}
        by_tax: dict[str, dict] = {}
        by_external: dict[str, dict] = {}
        # Two unordered lookups, one per unique index (an OR of both makes PostgreSQL scan the
        # table). Plain values, not model instances: most matched rows are unchanged, and
        # instances are built only for the changed ones.
        for lookup, keys in (("tax_code__in", taxes), ("external_id__in", externals)):
            if not keys:
                continue
            for values in Establishment.objects.filter(**{lookup: sorted(keys)}).order_by().values_list(*COMPARED):
                stored = dict(zip(COMPARED, values, strict=True))
                if stored["tax_code"]:
                    by_tax[stored["tax_code"]] = stored
                if stored["external_id"]:
                    by_external[stored["external_id"]] = stored
        current_lines: dict[int, set[int]] = {}
        if self.lines is not None and (by_tax or by_external):
            ids = {e["id"] for e in (*by_tax.values(), *by_external.values())}
            for establishment_id, line_id in self.through.objects.filter(establishment_id__in=ids).values_list(
                "establishment_id", "industryline_id"
            ):
                current_lines.setdefault(establishment_id, set()).add(line_id)

        creates: list[tuple[_Row, Establishment | None]] = []
        changes: dict[int, tuple[_Row, dict[str, Any]]] = {}
        for item in candidates:
            stored = self.match(item, by_tax, by_external)
            if item.errors:
                continue
            if stored is None:
                establishment = self.build(item)
                if not item.errors:
                    creates.append((item, establishment))
            else:
                changed = self.compare(item, stored, current_lines.get(stored["id"], set()))
                if item.errors:
                    continue
                self.touched[stored["id"]] = item.row
                if changed or item.resolved.get("lines_changed"):
                    changes[stored["id"]] = (item, changed)
                else:
                    item.resolved["outcome"] = "unchanged"
        updates = self.updated_instances(changes) if self.write else [None] * len(changes)

        if self.write:
            self.save(creates, updates)

        for item in batch:
            self.report.rows += 1
            if item.errors:
                self.report.add_error(item.row, item.errors)
                self.errors_out.add(item.row, item.cells, item.errors)
                continue
            for note in item.notes:
                self.report.add_note(item.row, note)
        self.report.counts["new"] += len(creates)
        self.report.counts["updated"] += len(updates)
        self.report.counts["unchanged"] += sum(1 for i in candidates if i.resolved.get("outcome") == "unchanged")

    def match(self, item: _Row, by_tax, by_external) -> dict | None:
        """Upsert key: the tax code, else the external id. Conflicts between the two reject the row."""
        tax = item.values.get("tax_code")
        external = item.values.get("external_id")
        existing = by_tax.get(tax) if tax else None
        via_external = existing is None and external is not None and external in by_external
        if via_external:
            existing = by_external[external]
        if existing is None:
            return None
        if not self.may_change(existing["province_id"]):
            if via_external:
                message = _("The external id %(value)s belongs to an establishment outside your scope.")
                item.errors.append(message % {"value": external})
            else:
                message = _("The tax code %(value)s belongs to an establishment outside your scope.")
                item.errors.append(message % {"value": tax})
            return None
        if external and not via_external and external in by_external and by_external[external]["id"] != existing["id"]:
            item.errors.append(
                _("The external id %(value)s belongs to another establishment than the tax code %(tax)s.")
                % {"value": external, "tax": tax}
            )
        elif via_external and tax and existing["tax_code"] and existing["tax_code"] != tax:
            item.errors.append(
                _("The external id %(value)s belongs to an establishment with another tax code (%(tax)s).")
                % {"value": external, "tax": existing["tax_code"]}
            )
        elif existing["id"] in self.touched:
            item.errors.append(
                _("This row is about the same establishment as row %(row)s.") % {"row": self.touched[existing["id"]]}
            )
        return existing

    def _check_workers(self, item: _Row, total, women, ethnic) -> None:
        if total is None:
            return
        for count, header in ((women, "Lao động nữ"), (ethnic, "Lao động DTTS")):
            if count is not None and count > total:
                item.errors.append(
                    _("%(column)s (%(value)s) cannot exceed %(total_column)s (%(total)s).")
                    % {"column": header, "value": count, "total_column": "Tổng lao động", "total": total}
                )

    def build(self, item: _Row) -> Establishment | None:
        """The new establishment (None in a dry run: nothing to build, only checks)."""
        values = item.values
        self._check_workers(item, values.get("workers_total"), values.get("workers_women"),
                            values.get("workers_ethnic_minority"))  # fmt: skip
        if not self.write or item.errors:
            return None
        fields = {name: values[name] for name in PLAIN_FIELDS if name in values}
        establishment = Establishment(
            **fields,
            commune_id=item.resolved["commune_id"],
            legacy_commune_id=item.resolved["legacy_commune_id"],
            province_id=item.resolved["province_id"],
            craft_village_id=item.resolved.get("craft_village_id"),
            created_by_id=getattr(self.user, "pk", None),
        )
        establishment.search_text = establishment.build_search_text()
        return establishment

    def compare(self, item: _Row, stored: dict, lines: set[int]) -> dict[str, Any]:
        """What the row changes on the stored record (attribute -> new value). Blank cells keep the
        stored value: a file cannot erase data by leaving a cell empty."""
        values = item.values
        new = {name: values[name] for name in PLAIN_FIELDS if name in values}
        self._check_workers(
            item,
            new.get("workers_total", stored["workers_total"]),
            new.get("workers_women", stored["workers_women"]),
            new.get("workers_ethnic_minority", stored["workers_ethnic_minority"]),
        )
        if item.errors:
            return {}
        resolved = item.resolved
        if stored["commune_id"] != resolved["commune_id"]:
            new["commune_id"] = resolved["commune_id"]
            new["province_id"] = resolved["province_id"]
            old = stored["legacy_commune_id"]
            stale = old is not None and self.communes.successor.get(old) != resolved["commune_id"]
            if resolved["legacy_commune_id"] is None and stale:
                new["legacy_commune_id"] = None  # the old unit no longer leads to the new commune
        if resolved["legacy_commune_id"] is not None:
            new["legacy_commune_id"] = resolved["legacy_commune_id"]
        if resolved.get("craft_village_id") is not None:
            new["craft_village_id"] = resolved["craft_village_id"]
        changed = {name: value for name, value in new.items() if stored[name] != value}
        if "industry_lines" in resolved and resolved["industry_lines"] != lines:
            resolved["lines_changed"] = True
        return changed

    def updated_instances(self, changes: dict[int, tuple[_Row, dict[str, Any]]]) -> list:
        """The changed records as model instances with the new values set (one query)."""
        now = timezone.now()
        updates = []
        for pk, establishment in Establishment.objects.in_bulk(list(changes)).items():
            item, changed = changes[pk]
            for name, value in changed.items():
                setattr(establishment, name, value)
            fields = set(changed)
            if fields & SEARCH_FIELDS:
                establishment.search_text = establishment.build_search_text()
                fields.add("search_text")
            establishment.updated_at = now
            updates.append((item, establishment, fields))
        return updates

    def save(self, creates, updates) -> None:
        if creates:
            objects = Establishment.objects.bulk_create([e for _i, e in creates])
            links = []
            for (item, _e), establishment in zip(creates, objects, strict=True):
                item.resolved["pk"] = establishment.pk
                for line in item.resolved.get("industry_lines", ()):
                    links.append(self.through(establishment_id=establishment.pk, industryline_id=line))
            if links:
                self.through.objects.bulk_create(links)
            for (item, _e), establishment in zip(creates, objects, strict=True):
                if "tax_code" not in item.values and "external_id" not in item.values:
                    queue_duplicates(establishment)
        if updates:
            fields = set().union(*(changed for _i, _e, changed in updates))
            Establishment.objects.bulk_update([e for _i, e, _c in updates], sorted(fields | {"updated_at"}))
            relinked = [(i, e) for i, e, _c in updates if i.resolved.get("lines_changed")]
            if relinked:
                self.through.objects.filter(establishment_id__in=[e.pk for _i, e in relinked]).delete()
                self.through.objects.bulk_create(
                    [
                        self.through(establishment_id=e.pk, industryline_id=line)
                        for i, e in relinked
                        for line in i.resolved["industry_lines"]
                    ]
                )


def _run(
    source,
    user,
    *,
    write: bool,
    reporter: Reporter | None,
    limits: Limits,
    batch_size: int,
    start_after_row: int = 0,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    report = ImportReport(mode="commit" if write else "dry_run", start_after_row=start_after_row)
    started = time.perf_counter()
    importer = None
    try:
        with open_sheet(source, limits) as sheet:
            report.file_kind = sheet.kind
            header = read_header(sheet)
            report.header_row = header.row
            if sheet.total - header.row > limits.max_rows:
                raise ImportFileError(
                    _("The file has %(count)s rows; at most %(limit)s rows can be imported at once. Split the file.")
                    % {"count": vn_int(sheet.total - header.row), "limit": vn_int(limits.max_rows)}
                )
            importer = _Importer(user, header, sheet, report, write=write, limits=limits)
            total = max(sheet.total - header.row, 1)
            batch: list[_Row] = []
            last_row = header.row
            for row, cells in sheet.rows:
                last_row = row
                item = importer.parse(row, cells)
                if item is None:
                    continue
                importer.register_keys(item)
                if row <= start_after_row:
                    continue  # written by an earlier run; its keys still count for duplicates
                batch.append(item)
                if len(batch) >= batch_size:
                    _flush(importer, batch, report, write, reporter, row, total, header.row, on_batch)
                    batch = []
            if batch:
                _flush(importer, batch, report, write, reporter, last_row, total, header.row, on_batch)
            elif write:
                report.committed_through_row = max(last_row, start_after_row)
            report.error_workbook = importer.errors_out.finish()
            importer = None
    except ImportFileError as exc:
        report.file_errors = exc.messages
        if report.committed_through_row:  # only a file broken past its first rows gets here
            report.file_errors.append(
                _("Rows up to row %(row)s were written before this error; the rest were not.")
                % {"row": report.committed_through_row}
            )
    finally:
        if importer is not None:
            importer.errors_out.discard()
        report.seconds = time.perf_counter() - started
    return report


def _flush(importer, batch, report, write, reporter, row, total, header_row, on_batch) -> None:
    if write:
        with transaction.atomic():
            importer.process(batch)
        report.committed_through_row = row
        if on_batch is not None:
            on_batch(report)
    else:
        importer.process(batch)
    if reporter is not None:
        done = row - header_row
        message = _("Written %(done)s of %(total)s rows") if write else _("Checked %(done)s of %(total)s rows")
        reporter(
            min(99, done * 100 // total),
            message % {"done": vn_int(done), "total": vn_int(total)},
        )


def dry_run(
    file, user, reporter: Reporter | None = None, *, limits: Limits = LIMITS, batch_size: int | None = None
) -> ImportReport:
    """Check a file and say what importing it would do; writes nothing."""
    return _run(file, user, write=False, reporter=reporter, limits=limits, batch_size=batch_size or BATCH_SIZE)


def commit(
    file,
    user,
    reporter: Reporter | None = None,
    *,
    start_after_row: int = 0,
    on_batch: Callable[[ImportReport], None] | None = None,
    limits: Limits = LIMITS,
    batch_size: int | None = None,
) -> ImportReport:
    """Import a file: new rows are created, known ones (same tax code, else same external id)
    updated, invalid ones skipped and reported. One transaction per batch of ``batch_size`` rows;
    ``start_after_row`` resumes after the last committed row of an interrupted run."""
    acting = context.acting_as(user) if context.get_actor() is None else nullcontext()
    with acting:
        return _run(
            file,
            user,
            write=True,
            reporter=reporter,
            limits=limits,
            batch_size=batch_size or BATCH_SIZE,
            start_after_row=start_after_row,
            on_batch=on_batch,
        )


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------


def _example_tax_code() -> str:
    base = "420123456"
    while len(mst.calc_check_digit(base)) != 1:
        base = str(int(base) + 1)
    return base + mst.calc_check_digit(base)


def template_workbook(example_commune: Commune | None = None) -> bytes:
    """An empty import workbook: the headers (required ones marked), one example row, the allowed
    values on the sheet "Giá trị hợp lệ" (and drop-down lists), a guide to every column."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet(DATA_SHEET)
    values_sheet = workbook.add_worksheet(VALUES_SHEET)
    guide = workbook.add_worksheet(GUIDE_SHEET)
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    head_required = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "font_color": "#C00000"}
    )
    text = workbook.add_format({"num_format": "@"})
    example = {
        "tax_code": _example_tax_code(),
        "commune": example_commune.code if example_commune else "18073",
        "external_id": "HT-0001",
    }
    lists = {
        "legal_form": vietnamese_labels(LegalForm.choices),
        "status": vietnamese_labels(Establishment.Status.choices),
        "gender": vietnamese_labels(Gender.choices),
        "boolean": [YES, NO],
    }
    list_headers = {"legal_form": "Loại hình", "status": "Trạng thái", "gender": "Giới tính", "boolean": "Có / Không"}
    for col, (name, values) in enumerate(lists.items()):
        values_sheet.write(0, col, list_headers[name], head)
        values_sheet.write_column(1, col, values)
        values_sheet.set_column(col, col, 26)
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.header, head_required if column.required else head)
        sheet.set_column(col, col, 18, text if column.as_text else None)
        note = ("Bắt buộc. " if column.required else "") + column.guide
        if note.strip():
            sheet.write_comment(0, col, note.strip(), {"x_scale": 2, "y_scale": 1.5})
        value = example.get(column.field, column.example)
        if isinstance(value, str):
            sheet.write_string(1, col, value)
        else:
            sheet.write_number(1, col, value)
        if column.values:
            letter = column_letter(list(lists).index(column.values))
            count = len(lists[column.values])
            sheet.data_validation(
                1,
                col,
                10_000,
                col,
                {
                    "validate": "list",
                    "source": f"='{VALUES_SHEET}'!${letter}$2:${letter}${count + 1}",
                    "error_type": "warning",
                },
            )
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 1)
    guide.write_row(0, 0, ["Cột", "Bắt buộc", "Mô tả"], head)
    for row, column in enumerate(COLUMNS, start=1):
        guide.write_row(row, 0, [column.header, YES if column.required else "", column.guide])
    last = len(COLUMNS) + 2
    guide.write(last, 0, "Dòng 2 của trang đầu là ví dụ: xoá hoặc thay bằng dữ liệu thật trước khi nhập.")
    guide.write(last + 1, 0, "Ô trống khi cập nhật: giữ nguyên giá trị đã có.")
    guide.set_column(0, 0, 24)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 2, 100)
    workbook.close()
    return output.getvalue()
