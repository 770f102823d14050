#!/usr/bin/env python
"""Seed a benchmark database with synthetic establishments, fast and idempotently.

    KC_ENV=development DATABASE_URL=postgres://postgres@127.0.0.1:5432/kc_bench KC_VAR_DIR=var/bench \\
        .venv/bin/python bench/seed_registry.py --count 1000000

Run ``python -m khuyencong migrate`` on the same database first (territory and reference org units).

The rows are SYNTHETIC and are written straight into ``registry_establishment`` (COPY on PostgreSQL,
one ``executemany`` transaction on SQLite), bypassing the ORM and therefore the change log: no
``ObjectChange`` rows are written, ``save()`` is not called. What the ORM would compute is computed
here the same way: ``province_id`` from the commune, NFC names, and ``search_text`` built exactly like
``Establishment.build_search_text`` (checked against it on a sample before writing).

Rows carry ``external_id = 'BENCH-0000001'…``; a run that finds exactly ``--count`` of them does
nothing, otherwise it deletes them and seeds again. The data is deterministic (``--seed``).
Refuses to touch a database that does not look like a benchmark one (PostgreSQL name ``kc_bench*``,
SQLite file under ``var/bench``).
"""

# SQL below is assembled from constant identifiers and fixed fragments; values are always parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import sys
import time
from pathlib import Path

from stdnum.vn import mst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")

MARK = "BENCH-"
TABLE = "registry_establishment"

# (craft as written in a name, main products)
CRAFTS = [
    ("mây tre đan", "Rổ, rá, giỏ, đèn mây tre đan"),
    ("rèn", "Dao, cuốc, liềm, cày rèn thủ công"),
    ("mộc mỹ nghệ", "Bàn ghế, tủ, tượng gỗ mỹ nghệ"),
    ("mộc dân dụng", "Giường, tủ, cửa gỗ"),
    ("chế biến nông sản", "Gạo, lạc, tinh bột nghệ sấy"),
    ("dệt thổ cẩm", "Vải thổ cẩm, túi, khăn"),
    ("gốm sứ", "Bình, chum, ấm chén gốm"),
    ("nón lá", "Nón lá, nón bài thơ"),
    ("nước mắm", "Nước mắm truyền thống"),
    ("bánh đa", "Bánh đa nem, bánh đa vừng"),
    ("cơ khí nhỏ", "Máy tuốt lúa, khung cửa sắt, lò sấy"),
    ("sơn mài", "Tranh sơn mài, hộp sơn mài"),
    ("đúc đồng", "Lư hương, chuông, tượng đồng"),
    ("chiếu cói", "Chiếu cói, thảm cói, túi cói"),
    ("chế biến chè", "Chè xanh, chè búp khô"),
    ("thêu ren", "Khăn, áo, tranh thêu tay"),
    ("đá mỹ nghệ", "Tượng đá, lan can đá"),
    ("bún bánh", "Bún, bánh phở, bánh cuốn"),
    ("nấu rượu", "Rượu gạo, rượu nếp cái hoa vàng"),
    ("vật liệu xây dựng", "Gạch không nung, ngói xi măng"),
    ("may mặc", "Quần áo bảo hộ lao động"),
    ("chế biến gỗ", "Ván ép, pallet gỗ"),
    ("kẹo cu đơ", "Kẹo cu đơ, kẹo lạc"),
    ("hương trầm", "Hương nén, hương vòng"),
]
# Common Vietnamese surnames with rough frequencies (per cent).
SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 2), ("Phan", 4.5),
    ("Vũ", 2), ("Võ", 2), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.8), ("Đoàn", 0.6), ("Lương", 0.5),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Công", "Thanh", "Đình", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Minh", "Phương"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hoàng", "Huy", "Khánh", "Long", "Nam", "Phong", "Quân",
    "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Đức", "Thành", "Tài", "Trung", "Lâm", "Hiếu", "Toàn", "Lợi",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh", "Mai", "Nga",
    "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Hiền", "Loan", "Tâm",
]  # fmt: skip
HAMLET_WORDS = ["Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân", "Phú", "Yên", "Hòa", "An"]
COMMUNE_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")

COLUMNS = [
    "id", "legal_form", "name", "tax_code", "registration_number", "external_id", "owner_name", "owner_gender",
    "address", "main_products", "workers_total", "workers_women", "workers_ethnic_minority", "annual_revenue",
    "founding_year", "phone", "email", "latitude", "longitude", "status", "women_owned",
    "ethnic_minority_workers", "disadvantaged_area", "search_text", "created_at", "updated_at", "commune_id",
    "craft_village_id", "created_by_id", "legacy_commune_id", "merged_into_id", "province_id",
]  # fmt: skip
SEARCH_PARTS = ("name", "tax_code", "owner_name", "main_products", "address")
MERGED_EVERY = 400  # one row in 400 is a merged duplicate (hidden by .live())


def tax_codes():
    serial = 0
    while True:
        serial += 1
        base = f"8{serial:08d}"
        digit = mst.calc_check_digit(base)
        if len(digit) == 1:  # a base whose check digit would be 10 has no valid code
            yield base + digit


def owner(rnd: random.Random) -> tuple[str, str]:
    surname = rnd.choices(SURNAMES_NAMES, SURNAMES_WEIGHTS)[0]
    if rnd.random() < 0.42:
        return f"{surname} {rnd.choice(MIDDLE_FEMALE)} {rnd.choice(GIVEN_FEMALE)}", "female"
    return f"{surname} {rnd.choice(MIDDLE_MALE)} {rnd.choice(GIVEN_MALE)}", "male"


SURNAMES_NAMES = [s for s, _w in SURNAMES]
SURNAMES_WEIGHTS = [w for _s, w in SURNAMES]


def place_of(commune_name: str) -> str:
    for prefix in COMMUNE_PREFIXES:
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def establishment(rnd: random.Random, communes, codes, villages, lines) -> dict:
    """One synthetic establishment as a dict of model field values (without ids and timestamps)."""
    commune_id, commune_name, province_id, province_name = rnd.choice(communes)
    place = place_of(commune_name)
    craft, products = rnd.choice(CRAFTS)
    owner_name, gender = owner(rnd)
    hamlet = f"Thôn {rnd.randint(1, 15)}" if rnd.random() < 0.6 else f"Xóm {rnd.choice(HAMLET_WORDS)}"
    roll = rnd.random()
    if roll < 0.30:
        legal_form = "household"
        name = f"Hộ kinh doanh {owner_name}" if rnd.random() < 0.6 else f"Hộ kinh doanh {craft} {owner_name}"
    elif roll < 0.55:
        legal_form = "household" if rnd.random() < 0.7 else "artisan"
        name = f"Cơ sở {craft} {owner_name}" if rnd.random() < 0.6 else f"Cơ sở {craft} {place}"
    elif roll < 0.67:
        legal_form = "cooperative"
        name = f"Hợp tác xã {craft} {place}" if rnd.random() < 0.7 else f"HTX {craft} {hamlet} {place}"
    elif roll < 0.72:
        legal_form = "cooperative_group"
        name = f"Tổ hợp tác {craft} {hamlet}"
    elif roll < 0.97:
        legal_form = "sme"
        kind = rnd.random()
        if kind < 0.5:
            name = f"Công ty TNHH {craft} {place}"
        elif kind < 0.75:
            name = f"Công ty TNHH MTV {craft} {owner_name.split()[-1]} {place}"
        elif kind < 0.9:
            name = f"Công ty cổ phần {craft} {place}"
        else:
            name = f"Doanh nghiệp tư nhân {owner_name}"
    else:
        legal_form = "artisan"
        name = f"Nghệ nhân {owner_name}"
    name = name[0].upper() + name[1:]
    has_tax_code = legal_form not in {"household", "artisan"} or rnd.random() < 0.35
    total = rnd.randint(1, 8) if legal_form in {"household", "artisan"} else rnd.randint(5, 250)
    women = rnd.randint(0, total)
    ethnic = rnd.randint(0, total) if rnd.random() < 0.15 else 0
    roll = rnd.random()
    status = "active" if roll < 0.9 else "suspended" if roll < 0.95 else "closed"
    return {
        "legal_form": legal_form,
        "name": name,
        "tax_code": next(codes) if has_tax_code else None,
        "registration_number": f"{rnd.randint(10, 99)}A{rnd.randint(1000000, 9999999)}" if has_tax_code else "",
        "owner_name": owner_name,
        "owner_gender": gender,
        "address": f"{hamlet}, {commune_name}, {province_name}",
        "main_products": products,
        "workers_total": total,
        "workers_women": women,
        "workers_ethnic_minority": ethnic,
        "annual_revenue": rnd.randint(50, 50_000) * 1_000_000 if rnd.random() < 0.7 else None,
        "founding_year": rnd.randint(1970, 2025),
        "phone": f"09{rnd.randint(10_000_000, 99_999_999)}",
        "email": "",
        "latitude": None,
        "longitude": None,
        "status": status,
        "women_owned": gender == "female",
        "ethnic_minority_workers": ethnic > 0,
        "disadvantaged_area": rnd.random() < 0.2,
        "commune_id": commune_id,
        "province_id": province_id,
        "place": f"{commune_name} {province_name}",  # not a column: the place part of search_text
        # Not columns either: a craft village of the same commune (about one row in eight, where
        # the commune has one) and one or two industry lines (about three rows in four).
        "craft_village_id": rnd.choice(villages[commune_id])
        if villages.get(commune_id) and rnd.random() < 0.125
        else None,
        "lines": rnd.sample(lines, 2 if rnd.random() < 0.2 else 1) if lines and rnd.random() < 0.75 else [],
    }


def search_text(row: dict) -> str:
    """Exactly ``Establishment.build_search_text`` (verified against it in ``verify_sample``)."""
    from khuyencong.kernel.text import fold

    parts = [row[k] or "" for k in SEARCH_PARTS] + [row["place"]]
    return fold(" ".join(p for p in parts if p))


def verify_sample(rows: list[dict]) -> None:
    from khuyencong.kernel.text import normalize
    from khuyencong.registry.models import Establishment

    for row in rows:
        obj = Establishment(**{k: v for k, v in row.items() if k in {f.attname for f in Establishment._meta.fields}})
        assert obj.name == normalize(obj.name) and obj.owner_name == normalize(obj.owner_name), row
        assert obj.build_search_text() == row["search_text"], (obj.build_search_text(), row["search_text"])
        if "name_key" in row:
            from khuyencong.kernel.text import sort_key

            assert sort_key(obj.name) == row["name_key"], row


def generate(count: int, seed: int, first_id: int, communes, villages=None, lines=()):
    rnd = random.Random(seed)
    codes = tax_codes()
    now = dt.datetime.now(dt.UTC)
    for i in range(count):
        row = establishment(rnd, communes, codes, villages or {}, list(lines))
        row["id"] = first_id + i
        row["external_id"] = f"{MARK}{i + 1:07d}"
        row["search_text"] = search_text(row)
        for name, compute in DERIVED.items():
            row[name] = compute(row)
        row["created_at"] = row["updated_at"] = now
        row["created_by_id"] = row["legacy_commune_id"] = None
        row["merged_into_id"] = row["id"] - 1 if i % MERGED_EVERY == MERGED_EVERY - 1 else None
        yield row


def guard(connection) -> None:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        ok = str(settings["NAME"]).startswith("kc_bench")
    else:
        ok = "bench" in Path(str(settings["NAME"])).resolve().parent.parts
    if not ok:
        sys.exit(f"refusing to seed {settings['NAME']!r}: not a benchmark database (kc_bench*, var/bench/)")


def seeded_count(cursor) -> int:
    cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE external_id LIKE %s", [MARK + "%"])
    return cursor.fetchone()[0]


def current_communes(cursor):
    cursor.execute(
        "SELECT c.id, c.name, p.id, p.short_name FROM territory_commune c "
        "JOIN territory_province p ON p.id = c.province_id WHERE c.valid_to IS NULL ORDER BY c.code"
    )
    return cursor.fetchall()


VILLAGES = 5_400  # about as many craft villages as the country has
LINES_TABLE = "registry_establishment_industry_lines"


def reference(cursor) -> tuple[dict[int, list[int]], list[int]]:
    """Seed the craft villages once (idempotent) and return {commune id: [village ids]} and the
    ids of the industry lines in force."""
    cursor.execute("SELECT count(*) FROM registry_craftvillage")
    if cursor.fetchone()[0] < VILLAGES:
        from khuyencong.kernel.text import fold

        rnd = random.Random(7)
        communes = current_communes(cursor)
        rows = []
        for number in range(VILLAGES):
            commune_id, commune_name, province_id, _province = rnd.choice(communes)
            craft, _products = rnd.choice(CRAFTS)
            name = f"Làng nghề {craft} {place_of(commune_name)}"
            if number % 3:
                name = f"Làng {craft} thôn {rnd.randint(1, 12)} {place_of(commune_name)}"
            recognised = rnd.random() < 0.6
            rows.append(
                [name, commune_id, province_id, recognised, f"{rnd.randint(1, 999)}/QĐ-UBND" if recognised else "",
                 dt.date(rnd.randint(2000, 2024), rnd.randint(1, 12), 1) if recognised else None, craft,
                 fold(f"{name} {craft}")]
            )  # fmt: skip
        cursor.executemany(
            "INSERT INTO registry_craftvillage (name, commune_id, province_id, recognised, decision_number, "
            "decision_date, crafts, folded_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        print(f"  added {len(rows):,} craft villages", flush=True)
    villages: dict[int, list[int]] = {}
    cursor.execute("SELECT id, commune_id FROM registry_craftvillage ORDER BY id")
    for village_id, commune_id in cursor.fetchall():
        villages.setdefault(commune_id, []).append(village_id)
    cursor.execute("SELECT id FROM registry_industryline WHERE valid_to IS NULL ORDER BY code")
    return villages, [row[0] for row in cursor.fetchall()]


def seed_postgresql(connection, count: int, seed: int) -> None:
    with connection.cursor() as cursor:
        communes = current_communes(cursor)
        villages, lines = reference(cursor)
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")
        first_id = cursor.fetchone()[0]
        # Secondary (non-constraint) indexes are dropped and rebuilt around the COPY, in the same
        # transaction: a failure rolls everything back, indexes included.
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # The sample is checked BEFORE the COPY opens: ``build_search_text`` reads place names
        # through the ORM, and a query on the connection that holds an open COPY waits forever
        # for itself (psycopg's connection lock): that is how ``make bench`` used to hang.
        verify_sample(list(itertools.islice(generate(count, seed, first_id, communes, villages, lines), 500)))
        started = time.monotonic()
        pairs = []
        with cursor.cursor.copy(f"COPY {TABLE} ({', '.join(columns())}) FROM STDIN") as copy:
            for row in generate(count, seed, first_id, communes, villages, lines):
                copy.write_row([row[c] for c in columns()])
                pairs.extend((row["id"], line) for line in row["lines"])
        with cursor.cursor.copy(f"COPY {LINES_TABLE} (establishment_id, industryline_id) FROM STDIN") as copy:
            for pair in pairs:
                copy.write_row(pair)
        print(f"  copied {count:,} rows and {len(pairs):,} industry lines in {time.monotonic() - started:.0f} s")
        for name, definition in indexes:
            started = time.monotonic()
            cursor.execute(definition)
            print(f"  rebuilt {name} in {time.monotonic() - started:.0f} s", flush=True)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), (SELECT max(id) FROM {TABLE}))")


def seed_sqlite(connection, count: int, seed: int) -> None:
    with connection.cursor() as cursor:
        communes = current_communes(cursor)
        villages, lines = reference(cursor)
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")
        first_id = cursor.fetchone()[0]
        started = time.monotonic()
        rows = list(generate(count, seed, first_id, communes, villages, lines))
        verify_sample(rows[:500])
        names = columns()
        placeholders = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {TABLE} ({', '.join(names)}) VALUES ({placeholders})",
            [[row[c] for c in names] for row in rows],
        )
        cursor.executemany(
            f"INSERT INTO {LINES_TABLE} (establishment_id, industryline_id) VALUES (%s, %s)",
            [(row["id"], line) for row in rows for line in row["lines"]],
        )
        print(f"  inserted {count:,} rows in {time.monotonic() - started:.0f} s", flush=True)


def seed_duplicates(connection, wanted: int) -> None:
    """``wanted`` open duplicate pairs (a record and the next one), for the duplicate queue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_duplicatecandidate WHERE status = 'open'")
        if cursor.fetchone()[0] == wanted:
            return
        cursor.execute("DELETE FROM registry_duplicatecandidate")
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE external_id LIKE %s", [MARK + "%"])
        step = max(2, cursor.fetchone()[0] // max(1, wanted) - 1)
        cursor.execute(
            "INSERT INTO registry_duplicatecandidate (first_id, second_id, province_id, reason, score, status, "
            "created_at, version) "
            f"SELECT e.id, n.id, e.province_id, 'similar_name', (e.id * 7919 %% 1000) / 1000.0, 'open', %s, 0 "
            f"FROM {TABLE} e JOIN {TABLE} n ON n.id = e.id + 1 "
            "WHERE e.external_id LIKE %s AND e.merged_into_id IS NULL AND n.merged_into_id IS NULL "
            f"AND e.id %% {step} = 0 ORDER BY e.id LIMIT {int(wanted)}",
            [dt.datetime.now(dt.UTC), MARK + "%"],
        )
        print(f"  {cursor.rowcount:,} open duplicate pairs", flush=True)


def columns() -> list[str]:
    """The table's columns the seeder writes (derived columns a later migration adds included)."""
    from khuyencong.registry.models import Establishment

    extra = [name for name in DERIVED if any(f.attname == name for f in Establishment._meta.fields)]
    return COLUMNS + extra


def _name_key(row: dict) -> str:
    from khuyencong.kernel.text import sort_key

    return sort_key(row["name"])


# Columns computed from others, as ``save()`` computes them; written when the model has them.
DERIVED: dict = {"name_key": _name_key}


def seed(count: int, seed_value: int = 1, duplicates: int = 0) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    guard(connection)
    with connection.cursor() as cursor:
        existing = seeded_count(cursor)
    started = time.monotonic()
    if existing == count:
        print(f"{connection.vendor}: {count:,} synthetic establishments already seeded")
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # No FK triggers for synthetic rows (deferred ones would also block CREATE INDEX).
                    cursor.execute("SET LOCAL session_replication_role = replica")
            if existing:
                print(f"{connection.vendor}: found {existing:,} synthetic rows, want {count:,}: deleting them first")
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM registry_duplicatecandidate")
                    cursor.execute(
                        f"DELETE FROM {LINES_TABLE} WHERE establishment_id IN "
                        f"(SELECT id FROM {TABLE} WHERE external_id LIKE %s)",
                        [MARK + "%"],
                    )
                    cursor.execute(f"UPDATE {TABLE} SET merged_into_id = NULL WHERE external_id LIKE %s", [MARK + "%"])
                    cursor.execute(f"DELETE FROM {TABLE} WHERE external_id LIKE %s", [MARK + "%"])
            print(f"{connection.vendor}: seeding {count:,} synthetic establishments (no change log)", flush=True)
            if connection.vendor == "postgresql":
                seed_postgresql(connection, count, seed_value)
            else:
                seed_sqlite(connection, count, seed_value)
    if duplicates:
        with transaction.atomic():
            seed_duplicates(connection, duplicates)
    if existing != count or duplicates:
        with connection.cursor() as cursor:
            # VACUUM sets hint bits and the visibility map, as a long-lived table would have them.
            for table in (TABLE, LINES_TABLE, "registry_duplicatecandidate", "registry_craftvillage"):
                cursor.execute(f"VACUUM (ANALYZE) {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}")
    print(f"{connection.vendor}: ready in {time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duplicates", type=int, default=0, help="open duplicate pairs to keep in the queue")
    args = parser.parse_args()
    seed(args.count, args.seed, args.duplicates)


if __name__ == "__main__":
    main()
