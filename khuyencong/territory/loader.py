"""Load the territory reference data shipped in ``khuyencong/territory/data/`` into the database.

The files are produced by ``scripts/generate_territory.py`` (see ``docs/territory-data.md``).
Loading is an idempotent upsert inside one transaction: rows are matched on their natural key
(province/commune: code + valid_to; district: code; region: kind + code), missing rows are
created, differing rows updated, identical rows left alone. Rows in the database that are not in
the files are never deleted (other tables point at them with PROTECT); they are counted as
``stale``. Region memberships are synchronised exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from django.db import models, transaction

from khuyencong.kernel.text import fold, normalize

from .models import Commune, District, Province, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH = 500


def _read_csv(name: str, data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _float(value: str) -> float | None:
    return float(value) if value else None


class _Upserter:
    """Create/update rows of one model keyed by a natural key, counting what happened."""

    def __init__(self, model: type[models.Model], key_fields: tuple[str, ...], fields: tuple[str, ...]):
        self.model = model
        self.key_fields = key_fields
        self.fields = fields
        self.existing: dict[tuple, dict[str, Any]] = {
            tuple(row[f] for f in key_fields): row for row in model._default_manager.values("pk", *key_fields, *fields)
        }
        self.seen: set[tuple] = set()
        self.stats = {"created": 0, "updated": 0, "unchanged": 0, "stale": 0}

    def apply(self, rows: Iterable[dict[str, Any]]) -> None:
        to_create, to_update = [], []
        for values in rows:
            key = tuple(values[f] for f in self.key_fields)
            self.seen.add(key)
            current = self.existing.get(key)
            if current is None:
                to_create.append(self.model(**values))
            elif any(current[f] != values[f] for f in self.fields):
                to_update.append(self.model(pk=current["pk"], **values))
            else:
                self.stats["unchanged"] += 1
        if to_create:
            self.model._default_manager.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            self.model._default_manager.bulk_update(to_update, self.fields, batch_size=BATCH)
        self.stats["created"] += len(to_create)
        self.stats["updated"] += len(to_update)

    def finish(self) -> dict[str, int]:
        self.stats["stale"] = len(set(self.existing) - self.seen)
        return self.stats


def _pk_map(model: type[models.Model], *key_fields: str) -> dict[tuple, int]:
    return {tuple(r[1:]): r[0] for r in model._default_manager.values_list("pk", *key_fields)}


def load_territory(stdout: TextIO | None = None, data_dir: Path | None = None) -> dict[str, dict[str, int]]:
    """Upsert provinces, districts, communes and regions from the bundled data files.

    Returns per-model counts, e.g. ``{"province": {"created": 0, "updated": 0, "unchanged": 97,
    "stale": 0}, ..., "region_membership": {"added": 0, "removed": 0, "unchanged": 194}}``.
    A second run with the same files reports only ``unchanged``. Progress lines go to ``stdout``
    when given.
    """
    data_dir = data_dir or DATA_DIR
    provinces = _read_csv("provinces.csv", data_dir)
    districts = _read_csv("districts.csv", data_dir)
    communes = _read_csv("communes.csv.gz", data_dir)
    regions = _read_csv("regions.csv", data_dir)
    result: dict[str, dict[str, int]] = {}

    with transaction.atomic():
        # Provinces: current rows first so legacy rows can point at them.
        prov_fields = (
            "name", "short_name", "unit_type", "valid_from", "successor_id", "latitude", "longitude", "folded_name",
        )  # fmt: skip
        ups = _Upserter(Province, ("code", "valid_to"), prov_fields)

        def province_values(row: dict[str, str], successors: dict[tuple, int]) -> dict[str, Any]:
            name = normalize(row["name"])
            return {
                "code": row["code"],
                "valid_to": _date(row["valid_to"]),
                "name": name,
                "short_name": normalize(row["short_name"]),
                "unit_type": row["unit_type"],
                "valid_from": _date(row["valid_from"]),
                "successor_id": successors[(row["successor"], None)] if row["successor"] else None,
                "latitude": _float(row["latitude"]),
                "longitude": _float(row["longitude"]),
                "folded_name": fold(name),
            }

        ups.apply(province_values(r, {}) for r in provinces if not r["valid_to"])
        prov_pk = _pk_map(Province, "code", "valid_to")
        ups.apply(province_values(r, prov_pk) for r in provinces if r["valid_to"])
        result["province"] = ups.finish()
        prov_pk = _pk_map(Province, "code", "valid_to")

        def province_pk(code: str, valid_to: dt.date | None) -> int:
            return prov_pk[(code, valid_to)]

        # Districts (legacy only).
        ups = _Upserter(District, ("code",), ("name", "unit_type", "province_id", "valid_to"))
        ups.apply(
            {
                "code": r["code"],
                "name": normalize(r["name"]),
                "unit_type": r["unit_type"],
                "province_id": province_pk(r["province"], _date(r["valid_to"])),
                "valid_to": _date(r["valid_to"]),
            }
            for r in districts
        )
        result["district"] = ups.finish()
        district_pk = {code: pk for (code,), pk in _pk_map(District, "code").items()}

        # Communes: current rows first, then legacy rows pointing at their successor.
        comm_fields = (
            "name", "unit_type", "province_id", "district_id", "valid_from", "successor_id",
            "latitude", "longitude", "folded_name",
        )  # fmt: skip
        ups = _Upserter(Commune, ("code", "valid_to"), comm_fields)

        def commune_values(row: dict[str, str], successors: dict[tuple, int]) -> dict[str, Any]:
            name = normalize(row["name"])
            valid_to = _date(row["valid_to"])
            return {
                "code": row["code"],
                "valid_to": valid_to,
                "name": name,
                "unit_type": row["unit_type"],
                "province_id": province_pk(row["province"], valid_to),
                "district_id": district_pk[row["district"]] if row["district"] else None,
                "valid_from": _date(row["valid_from"]),
                "successor_id": successors[(row["successor"], None)] if row["successor"] else None,
                "latitude": _float(row["latitude"]),
                "longitude": _float(row["longitude"]),
                "folded_name": fold(name),
            }

        ups.apply(commune_values(r, {}) for r in communes if not r["valid_to"])
        current_commune_pk = {(code, None): pk for code, pk in Commune.objects.current().values_list("code", "pk")}
        ups.apply(commune_values(r, current_commune_pk) for r in communes if r["valid_to"])
        result["commune"] = ups.finish()

        # Regions and their memberships.
        region_defs: dict[tuple[str, str], str] = {}
        for r in regions:
            region_defs[(r["kind"], r["code"])] = normalize(r["name"])
        ups = _Upserter(Region, ("kind", "code"), ("name",))
        ups.apply({"kind": kind, "code": code, "name": name} for (kind, code), name in region_defs.items())
        result["region"] = ups.finish()
        region_pk = _pk_map(Region, "kind", "code")

        legacy_to: dict[str, dt.date] = {
            r["code"]: _date(r["valid_to"]) for r in provinces if r["valid_to"]
        }  # legacy validity per code
        wanted = set()
        for r in regions:
            valid_to = legacy_to[r["province"]] if r["generation"] == "legacy" else None
            wanted.add((region_pk[(r["kind"], r["code"])], province_pk(r["province"], valid_to)))
        through = Region.provinces.through
        managed_regions = set(region_pk.values())
        have = {
            (rid, pid): pk
            for pk, rid, pid in through.objects.filter(region_id__in=managed_regions).values_list(
                "pk", "region_id", "province_id"
            )
        }
        add = sorted(wanted - set(have))
        remove = [have[k] for k in set(have) - wanted]
        if add:
            through.objects.bulk_create([through(region_id=rid, province_id=pid) for rid, pid in add], batch_size=BATCH)
        if remove:
            through.objects.filter(pk__in=remove).delete()
        result["region_membership"] = {"added": len(add), "removed": len(remove), "unchanged": len(wanted) - len(add)}

    if stdout is not None:
        for model, stats in result.items():
            stdout.write(f"{model}: " + ", ".join(f"{k} {v}" for k, v in stats.items()) + "\n")
    return result
