"""The declarative part of an importer: its columns (:class:`Column`), the table (:class:`TableSpec`),
and matching a file's header row onto them (:func:`read_header`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from khuyencong.tabular.cells import CONTROL, key, normalize
from khuyencong.tabular.sheet import ImportFileError, Sheet

ROW_HEADER = "Dòng"
ERROR_HEADER = "Lỗi"
HEADER_SEARCH_ROWS = 10  # title rows above the header are expected within these
HEADER_SEARCH_LIMIT = 100  # a header found below HEADER_SEARCH_ROWS is still used, with a note
DEFAULT_IGNORED = ("STT", "TT", "Số TT", "Số thứ tự", ROW_HEADER, ERROR_HEADER, "Ghi chú")


@dataclass(frozen=True, eq=False)
class Column:
    header: str
    field: str
    required: bool
    parse: Callable[[Any, Column], Any]
    aliases: tuple[str, ...] = ()
    example: Any = ""
    guide: str = ""
    as_text: bool = False  # the template formats the column as text (codes keep leading zeros)
    values: str = ""  # name of the list of allowed values (TableSpec.choice_lists)


@dataclass(frozen=True)
class TableSpec:
    """What a file of one kind looks like.

    ``unique_keys`` are fields whose value may appear once in a file (a later row repeating one is
    rejected); a row with none of them is identified by its ``natural_key`` fields, also once.
    Parent/child rows (a plan and its lines): rows whose ``kind_field`` value is in
    ``parent_kinds`` are parents, and each other row belongs to the nearest parent above it; or,
    with ``parent_key_field``, to the earlier row whose ``key_field`` has that value.
    """

    title: str  # the data sheet of the template
    columns: tuple[Column, ...]
    choice_lists: Mapping[str, tuple[str, Callable[[], Sequence[str]]]] = field(default_factory=dict)
    unique_keys: tuple[str, ...] = ()
    natural_key: tuple[str, ...] = ()  # identifies a row that has none of the unique keys (compared folded)
    ignored_headers: tuple[str, ...] = DEFAULT_IGNORED
    sheet_name: str = ""  # read this sheet of a workbook; "" = the first whose header matches
    kind_field: str = ""
    parent_kinds: frozenset = frozenset()
    parent_key_field: str = ""
    key_field: str = ""

    _index: dict[str, Column] = field(init=False, repr=False, compare=False, default_factory=dict)
    _ignored: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self):
        index: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                index[key(name)] = column
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_ignored", frozenset(key(h) for h in self.ignored_headers))

    def column_for(self, header: Any) -> Column | None:
        return self._index.get(header_key(header))

    def ignores(self, header: Any) -> bool:
        return header_key(header) in self._ignored

    def known_in(self, cells: list[Any]) -> int:
        return sum(1 for c in cells if not blank(c) and self.column_for(c) is not None)

    def looks_like_header(self, cells: list[Any]) -> bool:
        return self.known_in(cells) >= min(2, len(self.columns))


def header_key(text: Any) -> str:
    return key(str(text).replace("(*)", "").rstrip("* "))


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A header cell as text; control characters shown as � (they cannot be stored or shown)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return CONTROL.sub("\ufffd", normalize(str(value)))


@dataclass
class Header:
    row: int
    cells: list[str]
    columns: dict[int, Column]  # cell index -> column
    note: str = ""
    consumed: int = 1  # non-empty rows read up to and including the header

    def present(self, field_name: str) -> bool:
        return any(c.field == field_name for c in self.columns.values())


def read_header(sheet: Sheet, spec: TableSpec) -> Header:
    """Find the header (the first row naming at least two known columns) and map its cells onto
    the spec's columns; unknown, duplicate or missing columns stop the import."""
    seen = 0
    first = None
    found = None
    for row, cells in sheet.rows:
        if all(blank(c) for c in cells):
            continue
        seen += 1
        if first is None:
            first = (row, cells)
        if spec.looks_like_header(cells):
            found = (row, cells)
            break
        if seen >= HEADER_SEARCH_LIMIT:
            break
    if first is None:
        raise ImportFileError(_("The file has no header row and no data."))
    row, cells = found or first
    note = ""
    if found and seen > HEADER_SEARCH_ROWS:
        note = _("The header row was found on row %(row)s; the rows above it were skipped.") % {"row": row}
    texts = ["" if blank(c) else cell_text(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    columns: dict[int, Column] = {}
    unknown, duplicates = [], []
    for index, text in enumerate(texts):
        if not text:
            continue
        column = spec.column_for(text)
        if column is None:
            if not spec.ignores(text):
                unknown.append(text)
        elif column in columns.values():
            duplicates.append(column.header)
        else:
            columns[index] = column
    errors = []
    if found is None:
        errors.append(
            _("No header row was found in the first %(count)s rows (the sheet read: “%(sheet)s”).")
            % {"count": HEADER_SEARCH_LIMIT, "sheet": sheet.name}
            if sheet.name
            else _("No header row was found in the first %(count)s rows.") % {"count": HEADER_SEARCH_LIMIT}
        )
    missing = [c.header for c in spec.columns if c.required and c not in columns.values()]
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
            % {"columns": ", ".join(f"“{u}”" for u in unknown[:30])}
        )
    for name in duplicates:
        errors.append(_("The column “%(column)s” appears more than once.") % {"column": name})
    if errors:
        raise ImportFileError(*errors)
    return Header(row, texts, columns, note, seen if found else 1)
