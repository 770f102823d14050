"""The establishment export's columns: the import spec's headers and cells, so that an exported
file edited in Excel imports back unchanged (ux review P1.3).

Each column pairs an import header (``imports.COLUMNS``) with the way the importer reads that cell:
codes as text (leading zeros kept), choice fields as their Vietnamese labels, Có/Không, industry
lines as codes separated by "; ", the current commune's code. The headers are the file's own
Vietnamese vocabulary, whatever the user's language, as in the import template.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from khuyencong.registry.imports import COLUMNS
from khuyencong.registry.models import Establishment, Gender, LegalForm
from khuyencong.tabular.cells import NO, YES


@functools.cache
def _vietnamese(choices_name: str) -> dict[str, str]:
    choices = {"legal_form": LegalForm.choices, "owner_gender": Gender.choices, "status": Establishment.Status.choices}
    with translation.override("vi"):
        return {value: str(label) for value, label in choices[choices_name]}


def _commune(obj) -> str | None:
    return obj.commune.code if obj.commune_id else None


def _village(obj) -> str | None:
    return obj.craft_village.name if obj.craft_village_id else None


def attach_line_codes(objects) -> None:
    """Each record's industry-line codes, for a chunk of records in one query (``_line_codes``)."""
    codes: dict[int, list[str]] = {obj.pk: [] for obj in objects}
    through = Establishment.industry_lines.through.objects.filter(establishment_id__in=list(codes))
    for establishment_id, code in through.values_list("establishment_id", "industryline__code"):
        codes[establishment_id].append(code)
    for obj in objects:
        obj._line_codes = codes[obj.pk]


def _lines(obj) -> str | None:
    found = getattr(obj, "_line_codes", None)
    codes = sorted(found if found is not None else (line.code for line in obj.industry_lines.all()))
    return "; ".join(codes) or None


def _boolean(value) -> str | None:
    return None if value is None else (YES if value else NO)


_SPECIAL = {"commune": _commune, "craft_village": _village, "industry_lines": _lines}


@dataclass(frozen=True)
class ExportColumn:
    """Duck-types ``web.generic.Column`` for ``ObjectExportView``: a ``label`` and ``value(obj)``."""

    field: str
    label: str

    def value(self, obj) -> Any:
        if self.field in _SPECIAL:
            return _SPECIAL[self.field](obj)
        value = getattr(obj, self.field)
        if self.field in ("legal_form", "owner_gender", "status"):
            return _vietnamese(self.field).get(value, value) if value else None
        if isinstance(value, bool):
            return _boolean(value)
        return value


ESTABLISHMENT_EXPORT_COLUMNS = [ExportColumn(c.field, c.header) for c in COLUMNS]
# What the columns read besides the establishment's own fields (industry lines: attach_line_codes).
RELATED = ("commune", "craft_village")
