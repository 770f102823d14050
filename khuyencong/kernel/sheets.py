"""Spreadsheet safety shared by every file the system writes (exports, error workbooks, templates,
reports).

A text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is read as a
formula by Excel and LibreOffice when it comes from a CSV, and xlsxwriter turns such strings into
formulas (and URLs into links) unless told not to. One provincial import must never plant a live
formula in the agency's nationwide export, so:

- XLSX: open workbooks with :func:`xlsx_options` (strings stay strings, always);
- CSV: pass every text value through :func:`csv_text`, which prefixes a quote (the OWASP advice);
  the import side removes that quote again with :func:`strip_csv_guard`, so a round trip is lossless.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def xlsx_options(**extra: Any) -> dict[str, Any]:
    """xlsxwriter ``Workbook`` options that keep every string a literal string."""
    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    options.update(extra)
    return options


def csv_text(value: Any) -> Any:
    """A CSV cell value that no spreadsheet will evaluate; non-strings pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return GUARD + value
    return value


def strip_csv_guard(value: str) -> str:
    """Undo :func:`csv_text` on a value read back from a file we wrote."""
    if len(value) > 1 and value[0] == GUARD and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
