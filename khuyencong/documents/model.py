"""An official document as plain data, before it is rendered.

A builder (one per kind of document: periodic report, reminder letter, programme summary) reads
the system's records through selectors and returns an :class:`OfficialDocument`; the renderers
turn the same object into DOCX, PDF and Excel, so the three files always say the same thing.
The fields follow the layout of Vietnamese administrative documents: issuing body at the top
left, the national motto at the top right, number and symbol, place and date, the kind and
subject, the body, the recipients (Nơi nhận) and the signature block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

Cell = str | int | Decimal | None


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: "I. …", 2: "1. …"


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None  # the total row, shown in bold
    numeric: frozenset[int] = frozenset()  # indexes of right-aligned (amount / count) columns
    widths: list[float] | None = None  # relative column widths
    sheet: str = ""  # the sheet name in the Excel file (defaults to the title, shortened)


Block = Heading | Paragraph | Table


@dataclass
class OfficialDocument:
    kind: str  # "periodic_report" | "reminder_letter" | "programme_summary"
    issuer_parent: str  # the body above the issuer, e.g. "BỘ CÔNG THƯƠNG"; "" when none
    issuer: str  # e.g. "CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG"
    number: str  # the number and symbol, e.g. "123/BC-ĐMST"; "" leaves "Số:      /BC-…" to fill by hand
    place: str  # e.g. "Hà Nội"
    date: dt.date
    title: str  # the kind in capitals ("BÁO CÁO"); "" for an official letter (công văn)
    subject: str  # the subject line: under the title, or "V/v …" under the number for a letter
    addressees: list[str] = field(default_factory=list)  # "Kính gửi:" lines; empty for a report
    blocks: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" lines
    signer_authority: str = ""  # e.g. "KT. CỤC TRƯỞNG"
    signer_title: str = ""  # e.g. "PHÓ CỤC TRƯỞNG"
    signer_name: str = ""
    filename: str = "van-ban"  # the base name of the files, without extension

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
