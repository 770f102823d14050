"""Reading CSV: UTF-8 (with or without BOM), delimiter sniffed, quotes checked before any row is used.

One pass over the file checks the encoding, picks the delimiter and parses every record once, so
the row count is exact and a broken quote (which would silently merge the following lines into
one cell) is refused with its line number before anything is imported. The second pass streams
the records; each text cell loses the guard quote our own CSV exports put before ``=+-@``.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import BinaryIO

from django.utils.translation import gettext as _

from khuyencong.kernel.sheets import strip_csv_guard
from khuyencong.tabular.sheet import ImportFileError, Sheet

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 20


def _utf8_lines(fh: BinaryIO) -> list[str]:
    """Check the whole file is UTF-8 without NUL; return its first lines (for the delimiter)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = ""
    try:
        while block := fh.read(1 << 20):
            if b"\x00" in block:
                raise ImportFileError(_("This is not an Excel workbook (.xlsx) or a CSV file."))
            text = decoder.decode(block)
            if head.count("\n") < SNIFF_LINES:
                head += text[: 1 << 16]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("A CSV file must be encoded in UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”.")
        )
    fh.seek(0)
    return head.lstrip("\ufeff").splitlines()[:SNIFF_LINES]


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits some line into the most cells: a title line above the table
    ("DANH SÁCH, NĂM 2025") has fewer delimiters than the header and cannot win."""
    best, most = ",", 0
    for delimiter in DELIMITERS:
        try:
            widest = max((len(r) for r in csv.reader(lines, delimiter=delimiter)), default=0)
        except csv.Error:
            continue
        if widest > most:
            best, most = delimiter, widest
    return best


def _broken_quote(line: int) -> ImportFileError:
    return ImportFileError(
        _(
            'The CSV file has a quotation mark (") opened on line %(line)s that is not closed where the cell '
            "ends, so the following lines would be read as one cell. Correct the quotes on that line and "
            "import the file again."
        )
        % {"line": line}
    )


def _count_records(fh: BinaryIO, delimiter: str) -> int:
    """Every record, parsed strictly; a record whose quoted cell swallowed whole lines is a broken quote."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    records, line = 0, 0
    try:
        for record in reader:
            records += 1
            if reader.line_num > line + 1:  # a quoted cell spans lines: legitimate unless it holds rows
                for cell in record:
                    if "\n" in cell and any(delimiter in part for part in cell.split("\n")[1:]):
                        raise _broken_quote(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        if "end of data" in str(exc) or "expected" in str(exc):
            raise _broken_quote(line + 1)
        raise ImportFileError(_("The CSV file cannot be read (%(error)s).") % {"error": exc})
    finally:
        text.detach()
        fh.seek(0)
    return records


def open_csv(fh: BinaryIO) -> Sheet:
    lines = _utf8_lines(fh)
    delimiter = sniff_delimiter(lines)
    total = _count_records(fh, delimiter)
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows():
        try:
            for number, record in enumerate(reader, start=1):
                yield number, [strip_csv_guard(cell) if cell[:1] == "'" else cell for cell in record]
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read (%(error)s).") % {"error": exc})
        finally:
            text.detach()

    return Sheet("csv", rows(), total)
