"""What the three renderers share: the fixed wording of the national motto, the date line, and
how a cell is written (amounts with dot grouping, rates with a decimal comma)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from khuyencong.documents.model import Cell, OfficialDocument, Table
from khuyencong.kernel.money import format_vnd

# An official document's wording is Vietnamese whatever the reader's interface language.
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
TO = "Kính gửi"
RECIPIENTS = "Nơi nhận:"
UNIT_NOTE = "Đơn vị tính: đồng"


def date_line(document: OfficialDocument) -> str:
    """ "Hà Nội, ngày 15 tháng 7 năm 2022" (days and months below 10 padded, as Decree 30 asks for
    day 1–9 and months 1–2)."""
    on: dt.date = document.date
    day = f"{on.day:02d}"
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    place = f"{document.place}, " if document.place else ""
    return f"{place}ngày {day} tháng {month} năm {on.year}"


NBSP = "\u00a0"


def number_line(document: OfficialDocument) -> str:
    """ "Số: 123/BC-KC"; a number left blank to fill by hand keeps its spaces (non-breaking, so
    neither HTML nor Word folds them)."""
    number = document.number if document.number.strip() else f"{NBSP * 6}/"
    stripped = number.lstrip(" ")
    return f"Số: {NBSP * (len(number) - len(stripped))}{stripped}"


def subject_line(document: OfficialDocument) -> str:
    """For a letter (no title), the subject goes under the number as "V/v …"."""
    return f"V/v {document.subject}" if not document.title and document.subject else ""


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, int):
        return format_vnd(value, unit="")
    if isinstance(value, Decimal):
        sign = "-" if value < 0 else ""
        whole, _, fraction = f"{abs(value):.2f}".partition(".")
        return f"{sign}{format_vnd(int(whole), unit='')},{fraction}"
    return str(value)


def addressee_lines(document: OfficialDocument) -> list[str]:
    """One addressee: "Kính gửi: X." on one line; several: "Kính gửi:" then "- X;" lines."""
    if not document.addressees:
        return []
    if len(document.addressees) == 1:
        return [f"{TO}: {document.addressees[0]}."]
    return [f"{TO}:"] + [f"- {name};" for name in document.addressees[:-1]] + [f"- {document.addressees[-1]}."]


def unit_note(table: Table) -> str:
    """ "Đơn vị tính: đồng" above a table that holds amounts (a whole number of 100.000 or more in
    a numeric column); none above a table of counts."""
    for values in [*table.rows, *([table.total] if table.total else [])]:
        for index in table.numeric:
            value = values[index] if index < len(values) else None
            if isinstance(value, int | Decimal) and not isinstance(value, bool) and abs(value) >= 100_000:
                return UNIT_NOTE
    return ""


def recipient_lines(document: OfficialDocument) -> list[str]:
    """ "- X;" lines, the last ending with a full stop."""
    lines = []
    for index, line in enumerate(document.recipients):
        text = line if line.startswith("-") else f"- {line}"
        if not text.endswith((";", ".", ":")):
            text += "." if index == len(document.recipients) - 1 else ";"
        lines.append(text)
    return lines
