"""What every reader gives the engine: a :class:`Sheet` of rows, the limits, the file-level error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Reporter = Callable[[int, str], None]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 1_000
    # Above this (the sheet's XML, unpacked), stream the sheet with expat instead of python-calamine,
    # which holds every cell in memory: ~40 MB of XML is ~35,000 rows of 25 columns, ~80 MB held.
    calamine_max_sheet_bytes: int = 40 * 1024 * 1024
    # calamine holds a dense rectangle (rows x columns, empty cells included): one stray value in
    # column XFD or at row 1,048,576 would make it millions of cells. Past this many, stream.
    calamine_max_cells: int = 2_000_000


LIMITS = Limits()


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing is read past this point."""

    def __init__(self, *messages: str):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class ImportInterrupted(Exception):
    """A commit stopped part-way (a batch failed); ``report.committed_through_row`` is the resume point."""

    def __init__(self, report):
        super().__init__(f"import interrupted after row {report.committed_through_row}")
        self.report = report


@dataclass
class Sheet:
    kind: str
    rows: Iterator[tuple[int, list[Any]]]  # (row number as Excel shows it, cells)
    total: int  # how many rows (records) the sheet holds at most, for progress and the row limit
    first_column: int = 0  # 0-based index of the first column read
    unreadable: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> {cell index: reason}
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)
    name: str = ""  # the sheet read (xlsx)
    notes: list[str] = field(default_factory=list)  # what the reader wants the user to know


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def vn_int(value: int) -> str:
    """12.345 (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")
