"""Domain functions over Vietnam's territory before and after the 1/7/2025 reform.

Codes are the official GSO codes: 2 digits for provinces, 5 for communes. The reform kept many
codes, so a code alone can name two rows (a legacy unit and the current unit that took over the
code), and for 27 communes those are different places. Pass model instances when you have them;
where a bare code is accepted, the docstring says which row it means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import Any, Literal

from django.db.models import F, QuerySet
from django.utils import timezone

from .models import Commune, Province, Region

Number = int | float | Decimal


def _province_code(code: str | int) -> str:
    return str(code).strip().zfill(2)


def _commune_code(code: str | int) -> str:
    return str(code).strip().zfill(5)


def _in_force(unit: Province | Commune, on: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= on) and (unit.valid_to is None or on <= unit.valid_to)


def _successor[Unit: (Province, Commune)](
    model: type[Unit], unit_or_code: Unit | str | int, on: dt.date | None, normalise: Callable[[str | int], str]
) -> Unit:
    on = on or timezone.localdate()
    if isinstance(unit_or_code, model):
        unit = unit_or_code
    else:
        code = normalise(unit_or_code)
        # Oldest first: a code that also names a current unit is read as the legacy unit.
        unit = (
            model.objects.filter(code=code)
            .select_related("successor")
            .order_by(F("valid_to").asc(nulls_last=True))
            .first()
        )
        if unit is None:
            raise model.DoesNotExist(f"No {model._meta.verbose_name} with code {code!r}.")
    seen = set()
    while not _in_force(unit, on):
        if unit.valid_from is not None and on < unit.valid_from:
            raise model.DoesNotExist(f"{unit} ({unit.code}) was not yet in force on {on:%d/%m/%Y}.")
        if unit.successor_id is None or unit.pk in seen:
            raise model.DoesNotExist(f"{unit} ({unit.code}) ended on {unit.valid_to:%d/%m/%Y} with no successor.")
        seen.add(unit.pk)
        unit = unit.successor
    return unit


def province_successor(province_or_code: Province | str | int, on: dt.date | None = None) -> Province:
    """The province in force on ``on`` (default today) that ``province_or_code`` is or became.

    A legacy province resolves through its successor: Nam Định (36) and Hà Nam (35) → Ninh Bình
    (37), Hà Giang (02) → Tuyên Quang (08), Yên Bái (15) → Lào Cai (new code 15). A province in
    force on ``on`` resolves to itself, so an unmerged province (Hà Tĩnh) gives the legacy row
    for dates before the reform and the current row after it.

    A bare code names the legacy province with that code when there is one (so ``"15"`` is Yên
    Bái, not the new Lào Cai), else the current one; 1-digit ints/strings are zero-padded.
    Raises ``Province.DoesNotExist`` for an unknown code, or when asked for a date before the
    given unit existed (a current province is not mapped back onto its several predecessors).
    """
    return _successor(Province, province_or_code, on, _province_code)


def commune_successor(commune_or_code: Commune | str | int, on: dt.date | None = None) -> Commune:
    """The commune in force on ``on`` (default today) that ``commune_or_code`` is or became.

    A legacy commune (xã/phường/thị trấn before 1/7/2025) resolves to the current commune it went
    into. For the ~470 legacy communes split between several new communes the successor is the
    primary one (the source's default, usually the part holding most of the old commune).
    A bare code names the legacy commune with that code when there is one, else the current
    one. Raises ``Commune.DoesNotExist`` as :func:`province_successor` does.
    """
    return _successor(Commune, commune_or_code, on, _commune_code)


def provinces_at(on: dt.date | None = None) -> QuerySet[Province]:
    """Provinces in force on ``on`` (default today): 63 before 1/7/2025, 34 from that day."""
    return Province.objects.in_force(on or timezone.localdate()).order_by("code")


def get_province(code: str | int, at: dt.date | None = None) -> Province:
    """The province with ``code``: the current one, or the one in force on ``at`` when given.

    ``get_province("42")`` is the current Hà Tĩnh; ``get_province("36", at=date(2024, 1, 1))``
    is the legacy Nam Định; ``get_province("36")`` raises ``Province.DoesNotExist`` because no
    current province has code 36. Use :func:`province_successor` to map an old code forward.
    """
    qs = Province.objects.filter(code=_province_code(code))
    qs = qs.current() if at is None else qs.in_force(at)
    return qs.get()


Accessor = str | Callable[[Any], Any]


def _getter(accessor: Accessor) -> Callable[[Any], Any]:
    if callable(accessor):
        return accessor

    def get(row: Any) -> Any:
        if isinstance(row, dict):
            return row[accessor]
        return getattr(row, accessor)

    return get


def regroup_by_province(
    rows: Iterable[Any],
    key: Accessor = "province",
    value: Accessor = "value",
    level: Literal["current", "legacy"] = "current",
) -> dict[Province | None, Number]:
    """Sum figures attached to provinces of either generation per province of one generation.

    ``rows`` are dicts or objects; ``key``/``value`` are a dict key / attribute name or a callable
    taking the row. The key gives a :class:`Province`, a province primary key (int) or a province
    code (str; read as in :func:`province_successor`). ``None`` values are skipped.

    ``level="current"`` (default): every figure lands on the current province its province is or
    became, so Nam Định + Hà Nam + Ninh Bình (legacy) and Ninh Bình (current) add up on the
    current Ninh Bình. ``level="legacy"``: figures on legacy provinces stay there; a figure on a
    current province goes to its only predecessor when it has one (Hà Tĩnh), and stays on the
    current province when it has several (it cannot be split).

    Returns ``{province: total}`` ordered by province code (legacy after current for equal
    codes); rows whose key is ``None`` are totalled under ``None`` (last) rather than dropped.
    Raises ``Province.DoesNotExist`` for an unknown key.
    """
    if level not in ("current", "legacy"):
        raise ValueError(f"level must be 'current' or 'legacy', not {level!r}")
    get_key, get_value = _getter(key), _getter(value)

    provinces = {p.pk: p for p in Province.objects.all()}
    by_code: dict[str, Province] = {}
    for p in sorted(provinces.values(), key=lambda p: (p.code, p.valid_to is None)):
        by_code.setdefault(p.code, p)  # legacy row first
    predecessors: dict[int, list[int]] = {}
    for p in provinces.values():
        if p.successor_id:
            predecessors.setdefault(p.successor_id, []).append(p.pk)

    def target(ref: Hashable) -> Province | None:
        if ref is None:
            return None
        if isinstance(ref, Province):
            province = provinces.get(ref.pk)
        elif isinstance(ref, int):
            province = provinces.get(ref)
        else:
            province = by_code.get(_province_code(ref))
        if province is None:
            raise Province.DoesNotExist(f"No province {ref!r}.")
        if level == "current":
            seen = set()
            while province.valid_to is not None and province.successor_id and province.pk not in seen:
                seen.add(province.pk)
                province = provinces[province.successor_id]
        elif province.valid_to is None and len(predecessors.get(province.pk, ())) == 1:
            province = provinces[predecessors[province.pk][0]]
        return province

    totals: dict[Province | None, Number] = {}
    for row in rows:
        amount = get_value(row)
        if amount is None:
            continue
        province = target(get_key(row))
        totals[province] = totals.get(province, 0) + amount
    return dict(
        sorted(
            totals.items(), key=lambda kv: (kv[0] is None, kv[0] and kv[0].code, kv[0] and kv[0].valid_to is not None)
        )
    )


def region_of(province: Province | str | int, kind: Region.Kind | str) -> Region | None:
    """The region of ``kind`` ("centre" or "socioeconomic") that ``province`` belongs to.

    Membership is recorded for both generations, so a legacy province gets its own historical
    region (Bắc Giang: Trung du và miền núi phía Bắc) and a current province its current one
    (Bắc Ninh: Đồng bằng sông Hồng). A code means the current province (see :func:`get_province`).
    Returns ``None`` when the province has no region of that kind.
    """
    kind = Region.Kind(kind)
    if not isinstance(province, Province):
        province = get_province(province)
    return province.regions.filter(kind=kind).order_by("code").first()


class CommuneIndex:
    """Every commune, current and legacy (~13k rows), keyed by code, for bulk look-ups (imports).

    A code means the current unit when one has it; otherwise the legacy unit (the latest to end),
    which is followed along its successor chain to the current unit it became - the same reading
    as :func:`commune_successor` for today, in memory.
    """

    def __init__(self):
        self.current: dict[str, tuple[int, str, int]] = {}  # code -> (pk, name, province)
        self.legacy: dict[str, tuple[int, str, int | None, dt.date]] = {}  # code -> (pk, name, successor, valid_to)
        self.successor: dict[int, int | None] = {}  # legacy pk -> successor pk
        self.current_ids: dict[int, tuple[str, str, int]] = {}  # pk -> (code, name, province)
        rows = Commune.objects.values_list("pk", "code", "name", "valid_to", "province_id", "successor_id")
        for pk, code, name, valid_to, province_id, successor_id in rows.iterator(chunk_size=5_000):
            if valid_to is None:
                self.current[code] = (pk, name, province_id)
                self.current_ids[pk] = (code, name, province_id)
            else:
                self.successor[pk] = successor_id
                known = self.legacy.get(code)
                if known is None or known[3] < valid_to:
                    self.legacy[code] = (pk, name, successor_id, valid_to)
        self.province_names = dict(Province.objects.values_list("pk", "name"))

    def resolve(self, code: str) -> tuple[int, int, int | None, str] | None:
        """(current commune, its province, legacy commune or None, legacy name) for a code."""
        if code in self.current:
            pk, _name, province_id = self.current[code]
            return pk, province_id, None, ""
        if code not in self.legacy:
            return None
        legacy_pk, legacy_name, target, _valid_to = self.legacy[code]
        seen: set[int] = set()
        while target is not None and target not in self.current_ids and target not in seen:
            seen.add(target)
            target = self.successor.get(target)
        if target not in self.current_ids:
            return None
        return target, self.current_ids[target][2], legacy_pk, legacy_name

    def leads_to(self, legacy_id: int | None, commune_id: int) -> bool:
        """Whether the legacy unit's successor chain ends at ``commune_id``."""
        target = self.successor.get(legacy_id) if legacy_id is not None else None
        seen: set[int] = set()
        while target is not None and target not in self.current_ids and target not in seen:
            seen.add(target)
            target = self.successor.get(target)
        return target == commune_id
