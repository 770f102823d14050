"""What an import says back: :class:`ImportReport` (counts, listed errors and notes, resume point)
and :class:`ErrorWorkbook` (every rejected row, to fix and import again)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from khuyencong.kernel.sheets import xlsx_options
from khuyencong.tabular.cells import CONTROL
from khuyencong.tabular.columns import ERROR_HEADER, ROW_HEADER, header_key

MAX_LISTED = 1_000  # row errors and notes kept in the report (the error workbook has every row)
OUTCOMES = ("new", "updated", "unchanged", "rejected")


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
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    errors_truncated: bool = False
    notes_truncated: bool = False
    header_row: int | None = None
    file_kind: str = ""
    sheet: str = ""
    seconds: float = 0.0
    committed_through_row: int = 0  # commit: the last row of the last committed batch
    start_after_row: int = 0
    interrupted: bool = False  # commit: a batch failed; resume after committed_through_row
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
            "sheet": self.sheet,
            "seconds": round(self.seconds, 3),
            "committed_through_row": self.committed_through_row,
            "start_after_row": self.start_after_row,
            "interrupted": self.interrupted,
        }


class ErrorWorkbook:
    """The rejected rows with the file's own columns, the row number ("Dòng") and the reasons ("Lỗi").

    Written row by row in xlsxwriter's constant-memory mode to a temporary file, with every string
    kept literal (no formulas, no links). Re-importing it after fixing the rows works: "Dòng" and
    "Lỗi" are ignored columns.
    """

    def __init__(self, header_cells: list[str]):
        ignored = {header_key(ROW_HEADER), header_key(ERROR_HEADER)}
        self.keep = [i for i, h in enumerate(header_cells) if header_key(h) not in ignored]
        handle, self.path = tempfile.mkstemp(suffix=".xlsx", prefix="kc-import-errors-")
        os.close(handle)
        self.workbook = xlsxwriter.Workbook(self.path, xlsx_options(constant_memory=True))
        self.sheet = self.workbook.add_worksheet(ERROR_HEADER)
        bold = self.workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.date_format = self.workbook.add_format({"num_format": "dd/mm/yyyy"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "font_color": "#B00020"})
        headers = [ROW_HEADER, *(header_cells[i] for i in self.keep), ERROR_HEADER]
        self.sheet.write_row(0, 0, headers, bold)
        self.sheet.set_column(0, 0, 7)
        self.sheet.set_column(1, max(1, len(headers) - 2), 16)
        self.sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
        self.sheet.freeze_panes(1, 1)
        self.next_row = 1

    def add(self, row: int, cells: list[Any], messages: list[str]) -> None:
        out = self.next_row
        self.sheet.write_number(out, 0, row)
        for position, index in enumerate(self.keep, start=1):
            self._write(out, position, cells[index] if index < len(cells) else "")
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
            # a control character would make the workbook unreadable to the user: show it instead
            self.sheet.write_string(row, col, CONTROL.sub("\ufffd", str(value))[:32_000])

    def finish(self) -> bytes:
        self.workbook.close()
        try:
            return Path(self.path).read_bytes()
        finally:
            self.discard()

    def discard(self) -> None:
        Path(self.path).unlink(missing_ok=True)
