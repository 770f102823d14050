"""Open any supported file as a :class:`Sheet`: sniff what it is, check its size, dispatch.

Files are recognised by their first bytes, never by their name; what cannot be read is refused
with a message saying what the file is and how to save it in a readable form.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from django.utils.translation import gettext as _

from khuyencong.tabular.delimited import open_csv
from khuyencong.tabular.sheet import LIMITS, ImportFileError, Limits, Sheet
from khuyencong.tabular.xlsx import HeaderTest, not_a_workbook, open_xlsx

_NOT_TABLES = (b"%PDF", b"{\\rtf", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


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
    if getattr(fh, "seekable", lambda: False)():
        fh.seek(0)
        yield fh
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        shutil.copyfileobj(fh, spool)
        spool.seek(0)
        yield cast(BinaryIO, spool)


def _size_of(fh: BinaryIO) -> int:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def _utf16(magic: bytes) -> bool:
    if magic.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    # No BOM: text in UTF-16 has a NUL in every other byte.
    return len(magic) >= 8 and magic[1::2].count(0) >= 3 and magic[0::2].count(0) == 0


@contextmanager
def open_sheet(
    source, limits: Limits = LIMITS, *, sheet_name: str = "", looks_like_header: HeaderTest | None = None
) -> Iterator[Sheet]:
    """Check the file and open the sheet to read (xlsx) or its records (csv) as a stream of rows.

    ``sheet_name`` picks an xlsx sheet by name; otherwise the first sheet (visible sheets first)
    whose first rows satisfy ``looks_like_header`` is read.
    """
    with _binary(source) as fh:
        size = _size_of(fh)
        if size == 0:
            raise ImportFileError(_("The file is empty."))
        if size > limits.max_file_bytes:
            raise ImportFileError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split the file.")
                % {"size": f"{size / (1024 * 1024):.1f}", "limit": f"{limits.max_file_bytes / (1024 * 1024):g}"}
            )
        magic = fh.read(16)
        fh.seek(0)
        if magic.startswith(_NOT_TABLES) or magic.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise not_a_workbook()  # PDF, RTF, HTML or XML (e.g. a web page saved as .xls)
        if _utf16(magic):
            raise ImportFileError(
                _(
                    "This is a text file in UTF-16 (Excel's “Unicode Text”). In Excel, save it as "
                    "“CSV UTF-8 (Comma delimited)” or as an Excel workbook (.xlsx)."
                )
            )
        if magic.startswith(b"PK\x03\x04"):
            with open_xlsx(fh, limits, sheet_name=sheet_name, looks_like_header=looks_like_header) as sheet:
                yield sheet
        elif magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                _(
                    "Old Excel files (.xls) and password-protected workbooks cannot be read. "
                    "Open the file in Excel and save it as an .xlsx workbook without a password."
                )
            )
        else:
            sheet = open_csv(fh)
            try:
                yield sheet
            finally:
                sheet.rows.close()  # type: ignore[attr-defined]  # detaches the text wrapper while the file is still open
