"""The project list's export columns: the import's headers and cells (``imports.COLUMNS``), so an
exported file edited in Excel imports back unchanged; plus the state, for reading (the import
ignores it: a state changes by steps only). Headers are the file's Vietnamese vocabulary whatever
the user's language, as in the import template."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from khuyencong.planning.models import Disruption
from khuyencong.projects.imports import COLUMNS, STATE_HEADER
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level, ProjectKind

_CHOICES = {"level": Level.choices, "kind": ProjectKind.choices, "state": ProjectState.choices,
            "disruption": [c for c in Disruption.choices if c[0]]}  # fmt: skip
_CODES = {"content": "content", "province": "province", "implementing_unit": "implementing_unit"}


@functools.cache
def _vietnamese(name: str) -> dict[str, str]:
    with translation.override("vi"):
        return {value: str(label) for value, label in _CHOICES[name]}


@dataclass(frozen=True)
class ExportColumn:
    """Duck-types ``web.generic.Column`` for ``ObjectExportView``: a ``label`` and ``value(obj)``."""

    field: str
    label: str

    def value(self, obj) -> Any:
        if self.field in _CODES:
            related = getattr(obj, self.field) if getattr(obj, f"{self.field}_id") else None
            return related.code if related is not None else None
        value = getattr(obj, self.field)
        if self.field in _CHOICES:
            return _vietnamese(self.field).get(value, value) if value else None
        if value == "":
            return None
        return value


PROJECT_EXPORT_COLUMNS = [ExportColumn(c.field, c.header) for c in COLUMNS] + [ExportColumn("state", STATE_HEADER)]
