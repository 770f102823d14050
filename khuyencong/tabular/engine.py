"""The import engine: read, parse, check, apply in batches; one transaction per batch; resumable.

An importer is a :class:`~khuyencong.tabular.columns.TableSpec` plus three hooks
(:class:`TableImport`): ``begin`` (load reference data, refuse a user without the right),
``check`` (one row: cross-field rules, look-ups; add to ``row.errors`` / ``row.notes``) and
``apply`` (a batch: match, classify as new/updated/unchanged in ``row.outcome`` and - when
``write`` - write, inside the batch's transaction). The engine does the rest: the file, the header,
the cell parsers, required cells, unreadable and merged cells, control characters, keys repeated
within the file, parent/child rows, counts, the report, the error workbook, progress and resuming.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from khuyencong.tabular.cells import CONTROL, EXCEL_ERRORS, Invalid, key
from khuyencong.tabular.columns import Column, Header, TableSpec, read_header
from khuyencong.tabular.reading import open_sheet
from khuyencong.tabular.report import ErrorWorkbook, ImportReport
from khuyencong.tabular.sheet import LIMITS, ImportFileError, ImportInterrupted, Limits, Reporter, Sheet, vn_int
from khuyencong.tabular.sheet import column_letter as letter

BATCH_SIZE = 1_000


@dataclass(eq=False)
class ParsedRow:
    row: int
    cells: list[Any]
    values: dict[str, Any]  # field -> parsed value (blank cells are absent)
    errors: list[str]
    notes: list[str] = field(default_factory=list)
    resolved: dict[str, Any] = field(default_factory=dict)  # what the importer looked up
    outcome: str = ""  # set by apply: "new", "updated" or "unchanged"
    parent: ParsedRow | None = None

    def cell(self, column: Column, header: Header) -> str:
        """The cell reference (C12) of a column in this row, for messages."""
        for index, known in header.columns.items():
            if known is column:
                return f"{letter(index)}{self.row}"
        return str(self.row)


class TableImport(Protocol):
    spec: TableSpec

    def begin(self, user, header: Header, *, write: bool) -> None: ...

    def check(self, row: ParsedRow) -> None: ...

    def apply(self, rows: list[ParsedRow], *, write: bool) -> None: ...


class BaseImport:
    """Defaults for the three hooks: every valid row is new, nothing is written."""

    spec: TableSpec

    def begin(self, user, header: Header, *, write: bool) -> None:
        self.user, self.header, self.write = user, header, write

    def check(self, row: ParsedRow) -> None:
        pass

    def apply(self, rows: list[ParsedRow], *, write: bool) -> None:
        for row in rows:
            row.outcome = "new"


# --- Importers by name: jobs and pages refer to an importer by the name it was registered under.

_IMPORTERS: dict[str, Callable[[], TableImport]] = {}


def register_importer(name: str, factory: Callable[[], TableImport]) -> None:
    _IMPORTERS[name] = factory


def get_importer(name: str) -> TableImport:
    """A fresh importer (importers hold per-run state)."""
    try:
        return _IMPORTERS[name]()
    except KeyError:
        raise LookupError(f"no importer registered as {name!r}") from None


@contextmanager
def replaced_importer(name: str, factory: Callable[[], TableImport]) -> Iterator[None]:
    """Use another factory for ``name`` for a while (tests inject failures through this)."""
    previous = _IMPORTERS.get(name)
    _IMPORTERS[name] = factory
    try:
        yield
    finally:
        if previous is None:
            _IMPORTERS.pop(name, None)
        else:
            _IMPORTERS[name] = previous


# --- Parsing one row


class _Rows:
    """Turns a sheet's rows into ParsedRows; remembers keys and parents across the whole file."""

    def __init__(self, spec: TableSpec, header: Header, sheet: Sheet):
        self.spec, self.header, self.sheet = spec, header, sheet
        self.columns = list(header.columns.items())
        self.headers = {c.field: c.header for c in spec.columns}
        self.seen: dict[tuple, int] = {}
        self.parent: ParsedRow | None = None
        self.parents: dict[str, ParsedRow] = {}

    def parse(self, row: int, cells: list[Any]) -> ParsedRow | None:
        values: dict[str, Any] = {}
        errors: list[str] = []
        failed: set[str] = set()
        unreadable = self.sheet.unreadable.get(row)
        width = len(cells)
        for index, column in self.columns:
            raw = cells[index] if index < width else ""
            if unreadable and index in unreadable:
                errors.append(self._unreadable(column, self._ref(index, row), unreadable[index]))
                failed.add(column.field)
                continue
            if isinstance(raw, str):
                if not raw or raw.isspace():
                    continue
                if "#" in raw[:2] and raw.strip() in EXCEL_ERRORS:
                    errors.append(self._unreadable(column, self._ref(index, row), raw.strip()))
                    failed.add(column.field)
                    continue
                if (bad := CONTROL.search(raw)) is not None:
                    errors.append(
                        _(
                            "%(column)s: the cell %(cell)s holds an invisible control character (U+%(code)s) "
                            "that cannot be stored; delete it and type the value again."
                        )
                        % {"column": column.header, "cell": self._ref(index, row), "code": f"{ord(bad.group()):04X}"}
                    )
                    failed.add(column.field)
                    continue
            elif raw is None:
                continue
            try:
                values[column.field] = column.parse(raw, column)
            except Invalid as exc:
                errors.append(str(exc))
                failed.add(column.field)
        if not values and not failed:
            return None  # an empty row (or only ignored columns such as STT)
        for index, column in self.columns:
            if column.required and column.field not in values and column.field not in failed:
                errors.append(self._missing(column, index, row))
        item = ParsedRow(row, cells, values, errors)
        self._keys(item)
        self._link(item)
        return item

    def _ref(self, index: int, row: int) -> str:
        return f"{letter(self.sheet.first_column + index)}{row}"

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
                ) % {"column": column.header, "cell": self._ref(index, row)}
        return _("%(column)s is required.") % {"column": column.header}

    def _keys(self, item: ParsedRow) -> None:
        """A unique key repeated in the file: every later row is rejected."""
        for name in self.spec.unique_keys:
            value = item.values.get(name)
            if value in (None, ""):
                continue
            first = self.seen.setdefault((name, value), item.row)
            if first != item.row:
                item.errors.append(
                    _("%(column)s %(value)s already appears in row %(row)s.")
                    % {"column": self.headers[name], "value": value, "row": first}
                )
        natural = self.spec.natural_key
        if natural and not any(item.values.get(name) not in (None, "") for name in self.spec.unique_keys):
            values = [item.values.get(name) for name in natural]
            if all(v not in (None, "") for v in values):
                first = self.seen.setdefault(("", *(key(v) for v in values)), item.row)
                if first != item.row:
                    item.errors.append(
                        _("This row has the same %(columns)s as row %(row)s.")
                        % {"columns": ", ".join(self.headers[n] for n in natural), "row": first}
                    )

    def _link(self, item: ParsedRow) -> None:
        spec = self.spec
        if spec.kind_field:
            if item.values.get(spec.kind_field) in spec.parent_kinds:
                self.parent = item
            elif self.parent is None:
                item.errors.append(_("This row has no parent row above it."))
            else:
                item.parent = self.parent
        if spec.parent_key_field:
            reference = item.values.get(spec.parent_key_field)
            if reference not in (None, ""):
                item.parent = self.parents.get(key(reference))
                if item.parent is None:
                    item.errors.append(
                        _("%(column)s: no row above has the value %(value)s.")
                        % {"column": self.headers[spec.parent_key_field], "value": reference}
                    )
            elif spec.key_field and item.values.get(spec.key_field) not in (None, ""):
                self.parents[key(item.values[spec.key_field])] = item
        if item.parent is not None and item.parent.errors:
            item.errors.append(_("Its parent row %(row)s was rejected.") % {"row": item.parent.row})


# --- The run


def run(
    source,
    user,
    importer: TableImport,
    *,
    write: bool,
    reporter: Reporter | None = None,
    limits: Limits = LIMITS,
    batch_size: int | None = None,
    start_after_row: int = 0,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    report = ImportReport(mode="commit" if write else "dry_run", start_after_row=start_after_row)
    started = time.perf_counter()
    errors_out = None
    spec = importer.spec
    try:
        with open_sheet(source, limits, sheet_name=spec.sheet_name, looks_like_header=spec.looks_like_header) as sheet:
            report.file_kind, report.sheet = sheet.kind, sheet.name
            header = read_header(sheet, spec)
            report.header_row = header.row
            for note in (*sheet.notes, header.note):
                if note:
                    report.add_note(None, note)
            data_rows = max(sheet.total - header.consumed, 0)
            if data_rows > limits.max_rows:
                raise ImportFileError(
                    _("The file has %(count)s rows; at most %(limit)s rows can be imported at once. Split the file.")
                    % {"count": vn_int(data_rows), "limit": vn_int(limits.max_rows)}
                )
            importer.begin(user, header, write=write)
            errors_out = ErrorWorkbook(header.cells)
            rows = _Rows(spec, header, sheet)
            batch: list[ParsedRow] = []
            read, last_row = 0, header.row
            flush = _Flush(importer, report, errors_out, write, reporter, max(data_rows, 1), on_batch)
            for row, cells in sheet.rows:
                read += 1
                last_row = row
                item = rows.parse(row, cells)
                if item is None or row <= start_after_row:
                    continue  # empty, or written by an earlier run (its keys still count for duplicates)
                importer.check(item)
                batch.append(item)
                if len(batch) >= (batch_size or BATCH_SIZE):
                    flush(batch, row, read)
                    batch = []
            if batch:
                flush(batch, last_row, read)
            elif write:
                report.committed_through_row = max(last_row, start_after_row)
            report.error_workbook = errors_out.finish()
            errors_out = None
    except ImportFileError as exc:
        report.file_errors = exc.messages
        if report.committed_through_row:  # only a file broken past its first rows gets here
            report.file_errors.append(
                _("Rows up to row %(row)s were written before this error; the rest were not.")
                % {"row": report.committed_through_row}
            )
    finally:
        if errors_out is not None:
            errors_out.discard()
        report.seconds = time.perf_counter() - started
    return report


class _Flush:
    def __init__(self, importer, report, errors_out, write, reporter, total, on_batch):
        self.importer, self.report, self.errors_out = importer, report, errors_out
        self.write, self.reporter, self.total, self.on_batch = write, reporter, total, on_batch

    def __call__(self, batch: list[ParsedRow], last_row: int, read: int) -> None:
        report = self.report
        candidates = [item for item in batch if not item.errors]
        if self.write:
            try:
                with transaction.atomic():
                    self.importer.apply(candidates, write=True)
            except Exception as exc:
                report.interrupted = True
                report.file_errors = [
                    _(
                        "Writing rows %(first)s–%(last)s failed, so they were not written. Rows up to row %(row)s "
                        "were written; resume after row %(row)s."
                    )
                    % {"first": batch[0].row, "last": batch[-1].row, "row": report.committed_through_row}
                ]
                raise ImportInterrupted(report) from exc
        else:
            self.importer.apply(candidates, write=False)
        for item in batch:
            report.rows += 1
            if not item.errors and item.parent is not None and item.parent.errors:
                item.errors.append(_("Its parent row %(row)s was rejected.") % {"row": item.parent.row})
            if item.errors or not item.outcome:
                messages = item.errors or [_("This row was not imported.")]
                report.add_error(item.row, messages)
                self.errors_out.add(item.row, item.cells, messages)
                continue
            report.counts[item.outcome] += 1
            for note in item.notes:
                report.add_note(item.row, note)
        if self.write:
            report.committed_through_row = last_row
            if self.on_batch is not None:
                self.on_batch(report)
        if self.reporter is not None:
            message = _("Written %(done)s of %(total)s rows") if self.write else _("Checked %(done)s of %(total)s rows")
            done = min(read, self.total)
            self.reporter(
                min(99, done * 100 // self.total), message % {"done": vn_int(done), "total": vn_int(self.total)}
            )


def dry_run(source, user, importer: TableImport, reporter: Reporter | None = None, **options) -> ImportReport:
    """Check a file and say what importing it would do; writes nothing."""
    return run(source, user, importer, write=False, reporter=reporter, **options)


def commit(source, user, importer: TableImport, reporter: Reporter | None = None, **options) -> ImportReport:
    """Import a file, one transaction per batch. A failing batch raises :class:`ImportInterrupted`
    whose report says the resume point; ``start_after_row`` resumes there."""
    return run(source, user, importer, write=True, reporter=reporter, **options)
