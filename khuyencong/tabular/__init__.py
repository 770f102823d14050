"""Reusable import of tables from Excel (.xlsx) and CSV files.

No models and no domain knowledge: this package imports only ``khuyencong.kernel`` (and Django
utilities, python-stdnum, python-calamine, xlsxwriter). An importer is a declarative
:class:`TableSpec` of :class:`Column` s plus three hooks (:class:`TableImport`: ``begin``,
``check``, ``apply``); :func:`dry_run` and :func:`commit` do the rest. Layout:

- ``sheet``: Sheet, Limits, ImportFileError, ImportInterrupted;
- ``reading`` / ``xlsx`` / ``delimited``: open a file as a stream of rows;
- ``cells``: Vietnamese cell parsers;
- ``columns``: Column, TableSpec, header matching;
- ``report``: ImportReport, ErrorWorkbook;
- ``engine``: ParsedRow, the run (batches, transactions, resume), importers by name;
- ``template``: the empty workbook to fill in.

See docs/import.md.
"""

from khuyencong.tabular.columns import Column, Header, TableSpec
from khuyencong.tabular.engine import (
    BATCH_SIZE,
    BaseImport,
    ParsedRow,
    TableImport,
    commit,
    dry_run,
    get_importer,
    register_importer,
    replaced_importer,
)
from khuyencong.tabular.reading import open_sheet
from khuyencong.tabular.report import ImportReport
from khuyencong.tabular.sheet import LIMITS, ImportFileError, ImportInterrupted, Limits, Sheet, vn_int
from khuyencong.tabular.template import template_workbook

__all__ = [
    "BATCH_SIZE",
    "LIMITS",
    "BaseImport",
    "Column",
    "Header",
    "ImportFileError",
    "ImportInterrupted",
    "ImportReport",
    "Limits",
    "ParsedRow",
    "Sheet",
    "TableImport",
    "TableSpec",
    "commit",
    "dry_run",
    "get_importer",
    "open_sheet",
    "register_importer",
    "replaced_importer",
    "template_workbook",
    "vn_int",
]
