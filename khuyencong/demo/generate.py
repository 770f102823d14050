"""Synthetic data at three scales for load tests and benchmarks: ``khuyencong gen-data``.

    khuyencong gen-data --scale {demo,province,national} [--seed N] [--mark-database benchmark]

Deterministic (the same scale and seed give the same rows), built from the demo package's names and
crafts and the real territory: every current province, real commune codes, and a share of records
still on a pre-1/7/2025 commune (the legacy unit beside its successor). Rows are written in bulk,
bypassing the ORM and therefore the change log: COPY on PostgreSQL, batched ``executemany`` on
SQLite, with rows per second reported. What ``save()`` would compute (NFC names, the province from
the commune, the folded search text) is computed here the same way and checked on a sample.

It refuses to write unless the database is marked as a demo or benchmark database
(:class:`khuyencong.kernel.models.DatabaseMark`); ``khuyencong demo`` marks its database, and
``--mark-database`` marks one that holds no establishments yet.

A domain adds its generator with :func:`generator` (plans and projects, the ledger, reports, as
they land): a function ``(context) -> rows written`` and its row count per scale. Generators run
in registration order, so a later one can read what an earlier one wrote (projects need
establishments).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from khuyencong.demo import registry as demo
from khuyencong.kernel.models import DatabaseMark
from khuyencong.kernel.text import fold, normalize, sort_key
from khuyencong.registry.models import Establishment, IndustryLine, place_names
from khuyencong.territory.models import Commune

SCALES = ("demo", "province", "national")
KEY_PREFIX = "gen-"
TAX_OFFSET = 2_000_000  # tax codes of generated rows never meet the demo's (indexes 1..)
LEGACY_SHARE = 0.08  # records still on a commune from before 1/7/2025
PROVINCE_SCALE_PROVINCE = "42"  # the "province" scale is one province: Hà Tĩnh
BATCH = 5_000

Log = Callable[[str], None]


class NotSyntheticDatabase(Exception):
    """The database is not marked as a demo or benchmark database."""


@dataclass
class Context:
    scale: str
    seed: int
    log: Log
    results: dict[str, dict] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """Each generator has its own stream, so adding one does not change another's rows."""
        return random.Random(f"{self.seed}:{name}")


@dataclass(frozen=True)
class Generator:
    name: str
    counts: dict[str, int]  # rows per scale
    run: Callable[[Context, int], int]


GENERATORS: list[Generator] = []


def generator(name: str, **counts: int) -> Callable[[Callable[[Context, int], int]], Callable[[Context, int], int]]:
    """Register ``func(context, count) -> rows written`` with its row count per scale."""

    def register(func: Callable[[Context, int], int]) -> Callable[[Context, int], int]:
        missing = set(SCALES) - set(counts)
        if missing:
            raise ValueError(f"generator {name} has no count for {sorted(missing)}")
        GENERATORS.append(Generator(name, counts, func))
        return func

    return register


# --- the marker -----------------------------------------------------------------------------------


def database_mark() -> DatabaseMark | None:
    return DatabaseMark.objects.first()


def mark_database(kind: str, *, note: str = "", require_empty: bool = True) -> DatabaseMark:
    """Mark this database as holding demo or benchmark data. By default only a database with no
    establishments yet may be marked, so a production database cannot be marked by a slip."""
    if kind not in DatabaseMark.Kind.values:
        raise ValueError(kind)
    existing = database_mark()
    if existing is not None:
        return existing
    if require_empty and Establishment.objects.exists():
        raise NotSyntheticDatabase(
            "This database already holds establishments; only an empty database can be marked. "
            "Create a new database for benchmarks."
        )
    return DatabaseMark.objects.create(kind=kind, note=note)


def require_mark() -> DatabaseMark:
    mark = database_mark()
    if mark is None:
        raise NotSyntheticDatabase(
            "This database is not marked as a demo or benchmark database; synthetic data is never written "
            "elsewhere. Run `khuyencong demo` on it, or `khuyencong gen-data --mark-database benchmark` "
            "on a new, empty database."
        )
    return mark


# --- bulk writing ---------------------------------------------------------------------------------


REBUILD_MIN_ROWS = BATCH  # a COPY of fewer rows keeps the indexes
REBUILD_MAX_EXISTING = 10_000  # a table already holding more rows keeps them too


def bulk_write(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    """Write ``rows`` into ``table``: COPY on PostgreSQL, batched executemany elsewhere.

    On PostgreSQL a large COPY into a (nearly) empty table drops the table's secondary indexes first
    and rebuilds them from their own definitions afterwards, in the same transaction (a failure
    rolls the indexes back too): building an index once is far cheaper than maintaining it row by
    row, above all the trigram GIN index of the establishments (gen-data national ran at 1,731
    rows/s with the indexes in place)."""
    if connection.vendor == "postgresql":
        return _copy(table, columns, rows)
    count = 0
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    quoted_table = connection.ops.quote_name(table)
    # The first rows are produced before the COPY opens (a generator may still query through the ORM
    # then; on the connection holding an open COPY that query would wait for itself forever).
    head: list[tuple] = []
    for row in rows:
        head.append(row)
        if len(head) >= REBUILD_MIN_ROWS:
            break
    with connection.cursor() as cursor:
        indexes: list[tuple[str, str]] = []
        if len(head) >= REBUILD_MIN_ROWS:
            probe = f"SELECT count(*) FROM (SELECT 1 FROM {quoted_table} LIMIT %s) t"  # noqa: S608
            cursor.execute(probe, [REBUILD_MAX_EXISTING + 1])
            if cursor.fetchone()[0] <= REBUILD_MAX_EXISTING:
                indexes = _secondary_indexes(cursor, table)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        count = 0
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.cursor.copy(f"COPY {quoted_table} ({quoted}) FROM STDIN") as copy:
            for row in itertools.chain(head, rows):
                copy.write_row(row)
                count += 1
        if indexes:
            started = time.perf_counter()
            # Deferred foreign-key checks of the rows just copied must run before CREATE INDEX
            # ("pending trigger events"); they run now instead of at the commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checked = time.perf_counter()
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            REBUILDS.append((table, len(indexes), checked - started, time.perf_counter() - checked))
    return count


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint (primary key, unique)."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
        [table],
    )
    return cursor.fetchall()


# (table, indexes, seconds of the foreign-key checks, seconds of the rebuild) since the last log
REBUILDS: list[tuple[str, int, float, float]] = []


def reset_sequence(table: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
                [table],
            )


# --- establishments -------------------------------------------------------------------------------


def _scale_communes(scale: str) -> tuple[list[Commune], dict[int, list[Commune]]]:
    current = Commune.objects.current().select_related("province").order_by("code")
    if scale != "national":
        current = current.filter(
            province__code__in=list(demo.PROVINCES) if scale == "demo" else [PROVINCE_SCALE_PROVINCE]
        )
    communes = list(current)
    legacy: dict[int, list[Commune]] = {}
    for old in Commune.objects.legacy().filter(successor__in=communes).select_related("successor").order_by("code"):
        legacy.setdefault(old.successor_id, []).append(old)
    return communes, legacy


# Names, owners, products and places repeat a great deal: fold each part once (the sample check
# below proves the joined parts equal what build_search_text folds in one go).
_fold = lru_cache(maxsize=100_000)(fold)
_sort_key = lru_cache(maxsize=100_000)(sort_key)


def _columns(model) -> tuple[list[str], list[str], dict[str, object]]:
    """(column names, attribute names, defaults) of every concrete field: a column a later migration
    adds gets its default unless the generator computes it."""
    fields = model._meta.concrete_fields
    return [f.column for f in fields], [f.attname for f in fields], {f.attname: f.get_default() for f in fields}


def establishment_row(index: int, rng: random.Random, communes, legacy) -> dict:
    """One synthetic establishment as column values (``index`` from 1; ``id`` is set by the caller)."""
    craft = rng.choice(demo.CRAFTS)
    forms, weights = zip(*demo.LEGAL_FORM_WEIGHTS, strict=True)
    legal_form = rng.choices(forms, weights)[0]
    owner, gender = demo._person(rng)
    commune = rng.choice(communes)
    old = legacy.get(commune.pk)
    legacy_commune = rng.choice(old) if old and rng.random() < LEGACY_SHARE else None
    name = rng.choice(demo.NAME_PATTERNS[legal_form]).format(
        product=craft.product,
        owner=owner,
        owner_short=owner.split()[-1] + " " + craft.product,
        place=demo._place(commune),
    )
    low, high = craft.workers
    workers = rng.randint(low, high)
    women = min(workers, round(workers * craft.women_share * rng.uniform(0.7, 1.2)))
    incomplete = rng.random() < 0.1
    has_tax = legal_form != demo.LegalForm.HOUSEHOLD or rng.random() < 0.3
    return {
        "legal_form": legal_form,
        "name": normalize(name),
        "tax_code": demo._tax_code(TAX_OFFSET + index) if has_tax else None,
        "registration_number": "",
        "external_id": f"{KEY_PREFIX}{index:07d}",
        "owner_name": "" if incomplete else normalize(owner),
        "owner_gender": gender,
        "address": f"Thôn {rng.randint(1, 15)}",
        "commune_id": commune.pk,
        "legacy_commune_id": legacy_commune.pk if legacy_commune else None,
        "province_id": commune.province_id,
        "craft_village_id": None,
        "main_products": craft.products,
        "workers_total": None if incomplete else workers,
        "workers_women": None if incomplete else women,
        "workers_ethnic_minority": None if incomplete else (rng.randint(0, workers // 4) if rng.random() < 0.2 else 0),
        "annual_revenue": None if incomplete else round(workers * rng.uniform(60, 260)) * 1_000_000,
        "founding_year": rng.randint(1985, 2025),
        "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
        "email": "",
        "latitude": None,
        "longitude": None,
        "status": Establishment.Status.ACTIVE if rng.random() < 0.93 else Establishment.Status.SUSPENDED,
        "women_owned": gender == demo.Gender.FEMALE and rng.random() < 0.8,
        "ethnic_minority_workers": False,
        "disadvantaged_area": rng.random() < 0.15,
        "merged_into_id": None,
        "_industry": craft.industry,
    }


def _verify(rows: list[dict]) -> None:
    for row in rows:
        obj = Establishment(**{k: v for k, v in row.items() if not k.startswith("_") and k not in {"search_text"}})
        computed = (normalize(obj.name), obj.build_search_text(), sort_key(obj.name))
        if computed != (obj.name, row["search_text"], row["name_key"]):
            raise AssertionError(f"generated row {row['external_id']} differs from what save() would write")


@generator("establishments", demo=3_000, province=50_000, national=1_000_000)
def generate_establishments(ctx: Context, count: int) -> int:
    table = Establishment._meta.db_table
    existing = Establishment.objects.filter(external_id__startswith=KEY_PREFIX)
    mark = database_mark()
    if existing.count() == count and mark is not None and mark.last_seed == ctx.seed:
        ctx.log(f"establishments: {count:,} generated rows already there; nothing to do")
        return 0
    through = Establishment.industry_lines.through
    if existing.exists():
        ctx.log("establishments: a different set is there; replacing it")
        through.objects.filter(establishment__in=existing).delete()
        existing._raw_delete(existing.db)
    communes, legacy = _scale_communes(ctx.scale)
    lines = {line.code: line.pk for line in IndustryLine.objects.filter(valid_to__isnull=True)}
    rng = ctx.rng("establishments")
    first_id = (Establishment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    now = timezone.now()
    links: list[tuple[int, int]] = []
    sample: list[dict] = []
    place = {c.pk: f"{c.name} {c.province.short_name}" for c in communes}

    def rows() -> Iterator[tuple]:
        for index in range(1, count + 1):
            row = establishment_row(index, rng, communes, legacy)
            row["id"] = first_id + index - 1
            parts = [row["name"], row["tax_code"] or "", row["owner_name"], row["main_products"], row["address"]]
            parts.append(place[row["commune_id"]])
            row["search_text"] = " ".join(filter(None, map(_fold, filter(None, parts))))
            row["name_key"] = _sort_key(row["name"])
            row["created_at"] = row["updated_at"] = now
            row["created_by_id"] = None
            if len(sample) < 200:
                sample.append(row)
            line = lines.get(row["_industry"])
            if line:
                links.append((row["id"], line))
            yield tuple(row[a] if a in row else defaults[a] for a in attnames)

    columns, attnames, defaults = _columns(Establishment)
    written = bulk_write(table, columns, rows())
    _verify(sample)
    bulk_write(through._meta.db_table, ["establishment_id", "industryline_id"], iter(links))
    reset_sequence(table)
    reset_sequence(through._meta.db_table)
    place_names.cache_clear()
    return written


# --- running --------------------------------------------------------------------------------------


def generate(*, scale: str, seed: int = 1, log: Log = print, only: list[str] | None = None) -> dict[str, dict]:
    """Run every registered generator (or ``only`` those) at ``scale``; returns rows and rows/s each."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    require_mark()
    ctx = Context(scale=scale, seed=seed, log=log)
    for gen in GENERATORS:
        if only and gen.name not in only:
            continue
        count = gen.counts[scale]
        started = time.perf_counter()
        with transaction.atomic():
            written = gen.run(ctx, count)
        seconds = time.perf_counter() - started
        rate = written / seconds if seconds and written else 0.0
        ctx.results[gen.name] = {"rows": written, "seconds": round(seconds, 2), "rows_per_second": round(rate)}
        log(f"{gen.name}: {written:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s) on {connection.vendor}")
        for table, indexes, checks, rebuilt in REBUILDS:
            log(f"  {table}: {indexes} secondary indexes dropped before the COPY, rebuilt after it in {rebuilt:.1f} s "
                f"(foreign-key checks {checks:.1f} s)")  # fmt: skip
        REBUILDS.clear()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    DatabaseMark.objects.update(last_generated=dt.datetime.now(dt.UTC), last_scale=scale, last_seed=seed)
    return ctx.results


# Generators of other domains register themselves on import (after the establishments: they read them).
# isort: off
from khuyencong.demo import generate_projects  # noqa: E402, F401
from khuyencong.demo import generate_ledger  # noqa: E402, F401  (reads the generated projects)
# isort: on
