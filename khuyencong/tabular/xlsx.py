"""Reading .xlsx: the sheet to read, a byte scan of its XML, then python-calamine or an expat stream.

The scan (bytes.find, no parsing) decompresses every member once through Python's zipfile, which
stops a member lying about its size, and finds what calamine reads as empty although it is not:
formula errors (#REF! ...) and formulas saved without a value. It also counts the rows, finds the
merged cells and the used width. python-calamine is fast but holds a dense rectangle of cells
(rows x columns), so a big sheet - or one stray value in column XFD or at row 1,048,576 - is read
row by row with expat instead, whose memory depends on the cells present, never on the
declared width.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from khuyencong.tabular.cells import key
from khuyencong.tabular.sheet import ImportFileError, Limits, Sheet

HeaderTest = Callable[[list[Any]], bool]
PEEK_ROWS = 10

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def _mb(value: int) -> str:
    return f"{value / (1024 * 1024):g}"


def not_a_workbook() -> ImportFileError:
    return ImportFileError(_("This is not an Excel workbook (.xlsx) or a CSV file."))


def damaged(exc: object) -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook is damaged or incomplete and cannot be read (%(error)s). If it was downloaded or "
            "copied, do it again; otherwise open it in Excel and save it again as .xlsx."
        )
        % {"error": exc}
    )


@dataclass(frozen=True)
class SheetEntry:
    name: str
    member: str
    hidden: bool


def workbook_sheets(zf: zipfile.ZipFile) -> list[SheetEntry]:
    """The workbook's sheets in order, with the zip member holding each."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314  (size-checked, no DTDs)
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    entries = []
    for sheet in workbook.findall("m:sheets/m:sheet", _NS):
        member = targets.get(sheet.get(f"{{{_NS['r']}}}id"))
        if member:
            entries.append(SheetEntry(sheet.get("name", ""), member, sheet.get("state", "visible") != "visible"))
    return entries


_CELL_HINTS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b't="e"')  # formulas, error cells
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_CLOSE = re.compile(rb"</(?:\w+:)?row>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_LAST_REF = re.compile(rb'\sr="([A-Z]{1,3})\d+"')
_MERGE_REF = re.compile(rb'ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


@dataclass
class _Scan:
    found: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> error or ""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)
    rows: int = 0  # <row> elements
    last_row: int = 0  # the highest row number seen
    max_column: int = 0  # the highest column index of a cell (the last cell of each row)
    size: int = 0

    @property
    def dense_cells(self) -> int:
        """What calamine would hold: the used rectangle, empty cells included (an upper bound)."""
        return max(self.last_row, self.rows) * (self.max_column + 1)


def _hints(segment: bytes) -> list[int]:
    positions = []
    for needle in _CELL_HINTS:
        position = segment.find(needle)
        while position >= 0:
            positions.append(position)
            position = segment.find(needle, position + 1)
    return sorted(positions)


def _scan_rows(segment: bytes, scan: _Scan) -> None:
    scan.rows += len(_ROW_OPEN.findall(segment))
    start = 0
    for close in _ROW_CLOSE.finditer(segment):
        cell = segment.rfind(b"<", start, close.start())
        tag_start = max(segment.rfind(b"<c ", start, close.start()), segment.rfind(b":c ", start, close.start()))
        if tag_start >= 0 and cell >= 0:
            ref = _LAST_REF.search(segment, tag_start, segment.find(b">", tag_start) + 1)
            if ref:
                scan.max_column = max(scan.max_column, _column_index(ref.group(1)))
        start = close.end()
    last = max(segment.rfind(b"<row "), segment.rfind(b":row "))
    if last >= 0 and (number := _ROW_NUMBER.search(segment, last, segment.find(b">", last) + 1)):
        scan.last_row = max(scan.last_row, int(number.group(1)))


def _scan_merges(segment: bytes, scan: _Scan) -> None:
    for needle in (b"<mergeCell ", b":mergeCell "):
        position = segment.find(needle)
        while position >= 0:
            ref = _MERGE_REF.search(segment, position, segment.find(b">", position) + 1)
            if ref:
                c1, r1, c2, r2 = ref.groups()
                scan.merged.append((int(r1), _column_index(c1), int(r2), _column_index(c2)))
            position = segment.find(needle, position + 1)


def _scan_cells(stream: IO[bytes], scan: _Scan) -> None:
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
        _scan_rows(segment, scan)
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


def _choose(zf, entries: list[SheetEntry], sheet_name: str, looks_like_header: HeaderTest | None) -> SheetEntry:
    if sheet_name:
        for entry in entries:
            if key(entry.name) == key(sheet_name):
                return entry
        raise ImportFileError(
            _("The workbook has no sheet named “%(name)s” (its sheets: %(sheets)s).")
            % {"name": sheet_name, "sheets": ", ".join(f"“{e.name}”" for e in entries)}
        )
    visible = [e for e in entries if not e.hidden] or entries
    if len(entries) == 1 or looks_like_header is None:
        return visible[0]
    strings = shared_strings(zf)
    for entry in [*visible, *(e for e in entries if e.hidden)]:
        for _row, cells in _peek(zf, entry.member, strings):
            if looks_like_header(cells):
                return entry
    return visible[0]


def _peek(zf, member: str, strings: list[str]) -> list[tuple[int, list[Any]]]:
    found = []
    rows = stream_rows(zf, member, strings, frozenset(), _EXCEL_EPOCH)
    try:
        for item in rows:
            found.append(item)
            if len(found) >= PEEK_ROWS:
                break
    except ImportFileError:
        pass
    finally:
        rows.close()  # type: ignore[attr-defined]  # stream_rows returns a generator
    return found


@contextmanager
def open_xlsx(
    fh: BinaryIO, limits: Limits, *, sheet_name: str = "", looks_like_header: HeaderTest | None = None
) -> Iterator[Sheet]:
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise damaged(exc)
    except (OSError, ValueError):
        raise not_a_workbook()
    bomb = _(
        "The workbook expands to more than %(limit)s MB when unpacked and is refused (it may be a zip bomb). "
        "Remove images and unused sheets, or split the file."
    ) % {"limit": _mb(limits.max_uncompressed_bytes)}
    if len(infos) > limits.max_zip_members or sum(i.file_size for i in infos) > limits.max_uncompressed_bytes:
        raise ImportFileError(bomb)
    names = {i.filename for i in infos}
    if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
        raise ImportFileError(
            _(
                "This is an OpenDocument spreadsheet (.ods, from LibreOffice or Google Sheets). "
                "Save it as an Excel workbook (.xlsx) and import that file."
            )
        )
    if "xl/workbook.xml" not in names:
        raise not_a_workbook()
    # Decompress every member once with Python's zipfile, which stops at the declared size and
    # checks the CRC: a member lying about its size cannot reach calamine.
    entries = [e for e in workbook_sheets(zf) if e.member in names]
    if not entries:
        raise not_a_workbook()
    scan = _Scan()
    unpacked = 0
    try:
        for info in infos:
            with zf.open(info) as member:
                while block := member.read(1 << 20):
                    unpacked += len(block)
            if unpacked > limits.max_uncompressed_bytes:
                raise ImportFileError(bomb)
        entry = _choose(zf, entries, sheet_name, looks_like_header)
        with zf.open(entry.member) as member:
            _scan_cells(member, scan)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise damaged(exc)
    notes = []
    if len(entries) > 1:
        notes.append(_("The sheet “%(name)s” was read (the workbook has %(count)s sheets).")
                     % {"name": entry.name, "count": len(entries)})  # fmt: skip
    if scan.size > limits.calamine_max_sheet_bytes or scan.dense_cells > limits.calamine_max_cells:
        yield _stream_sheet(zf, entry, scan, notes)
        return
    fh.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(fh)
        sheet = workbook.get_sheet_by_name(entry.name)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CalamineError, or a Rust panic (PanicException derives from BaseException)
        raise damaged(exc)
    try:
        start = sheet.start
        if start is None:
            raise ImportFileError(_("The sheet “%(name)s” has no data.") % {"name": entry.name})
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

        yield Sheet("xlsx", rows(), scan.rows or sheet.height, first_column, unreadable, merged, entry.name, notes)
    finally:
        workbook.close()


# --- The streaming reader: one row at a time, cells as calamine gives them (numbers as floats,
# dates as dates/datetimes, booleans, text), so both readers feed the same parsers.

_PREFIXED_ROOT = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<\w+:worksheet\b", re.DOTALL)
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as _xHHHH_ (_x000D_ is a carriage return); calamine
    decodes them, so the stream does too."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


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


def shared_strings(zf: zipfile.ZipFile) -> list[str]:
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
            strings.append(unescape("".join(parts)))
        elif name == "t":
            state["text"] = False
        elif name == "rPh":
            state["phonetic"] = False

    def chars(data):
        if state["text"]:
            parts.append(data)

    try:
        _parse_member(zf, "xl/sharedStrings.xml", start, end, chars)
    except expat.ExpatError as exc:
        raise damaged(exc)
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


def _stream_sheet(zf: zipfile.ZipFile, entry: SheetEntry, scan: _Scan, notes: list[str]) -> Sheet:
    strings = shared_strings(zf)
    dates = frozenset(str(index) for index in _date_styles(zf))  # compared with the s="…" attribute as read
    epoch = _EXCEL_EPOCH_1904 if _uses_1904(zf) else _EXCEL_EPOCH
    unreadable: dict[int, dict[int, str]] = {}
    for (row, column), reason in scan.found.items():
        unreadable.setdefault(row, {})[column] = reason
    rows = stream_rows(zf, entry.member, strings, dates, epoch)
    return Sheet("xlsx", rows, scan.rows, 0, unreadable, scan.merged, entry.name, notes)


def stream_rows(zf, member: str, strings: list[str], dates: frozenset[str], epoch) -> Iterator[tuple[int, list]]:
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
        return unescape(text)  # str, inlineStr

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
                col = columns.get(letters)  # type: ignore[assignment]  # None is handled just below
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
            cells[col] = cells.get(col, "") + unescape("".join(parts))
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
    except (expat.ExpatError, ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise damaged(exc)
