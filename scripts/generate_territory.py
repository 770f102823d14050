#!/usr/bin/env python
"""Generate the territory data files in ``khuyencong/territory/data/`` (one-off, re-runnable).

Source: the MIT-licensed PyPI package ``vietnamadminunits`` (its SQLite ``dataset.db`` and its
legacy→2025 converter). Only this script needs that package; the application reads the CSV
files it writes (see ``docs/territory-data.md`` and ``docs/adr/0002-territory-data-source.md``).

    pip install vietnamadminunits==1.0.4     # not a runtime dependency
    python scripts/generate_territory.py      # rewrites the four files
    python scripts/generate_territory.py --check   # fails if the files would change

Output (UTF-8, NFC, ``\\n`` line ends, stable order, gzip with mtime 0 → byte-identical reruns):

* ``provinces.csv``   34 current + 63 legacy provinces; legacy rows name their successor.
* ``districts.csv``   the ~700 districts abolished on 1/7/2025 (legacy only).
* ``communes.csv.gz`` 3,321 current + 10,035 legacy communes; each legacy commune names the
  current commune it (mostly) went into, per the package's converter.
* ``regions.csv``     3 centre regions and 6 socio-economic regions, membership for both
  generations, one row per (region, generation, province).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sqlite3
import sys
import unicodedata
from collections import Counter
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "khuyencong" / "territory" / "data"

LEGACY_TO = "2025-06-30"
CURRENT_FROM = "2025-07-01"

# ---------------------------------------------------------------------------------------------
# Regions (editorial data, not in the source package). Keys are province codes.
#
# Socio-economic regions: legacy membership as in the national master plan 2021-2030
# (Nghị quyết 81/2023/QH15: Quảng Ninh in the Red River Delta, Ninh Thuận/Bình Thuận in the
# North Central & Central Coast); current membership as adjusted for the 34 provinces in 2025.
# Centre regions: the three MoIT regional khuyến công centres (Trung tâm Khuyến công và Tư vấn
# phát triển công nghiệp I, II, III) and the regional rural-industry product competitions:
# North = the two northern socio-economic regions, Centre = North Central & Central Coast plus
# Central Highlands, South = South East plus Mekong Delta.
# ---------------------------------------------------------------------------------------------

SOCIOECONOMIC = [
    # code, name, current province codes, legacy province codes
    (
        "TDMNPB",
        "Trung du và miền núi phía Bắc",
        "04 08 11 12 14 15 19 20 25",
        "02 04 06 08 10 11 12 14 15 17 19 20 24 25",
    ),
    ("DBSH", "Đồng bằng sông Hồng", "01 22 24 31 33 37", "01 22 26 27 30 31 33 34 35 36 37"),
    (
        "BTBDHMT",
        "Bắc Trung Bộ và duyên hải miền Trung",
        "38 40 42 44 46 48 51 56",
        "38 40 42 44 45 46 48 49 51 52 54 56 58 60",
    ),
    ("TN", "Tây Nguyên", "52 66 68", "62 64 66 67 68"),
    ("DNB", "Đông Nam Bộ", "75 79 80", "70 72 74 75 77 79"),
    ("DBSCL", "Đồng bằng sông Cửu Long", "82 86 91 92 96", "80 82 83 84 86 87 89 91 92 93 94 95 96"),
]

CENTRE = [
    # code, name, socio-economic regions it is made of
    ("1", "Khu vực phía Bắc", ("TDMNPB", "DBSH")),
    ("2", "Khu vực miền Trung và Tây Nguyên", ("BTBDHMT", "TN")),
    ("3", "Khu vực phía Nam", ("DNB", "DBSCL")),
]

COMMUNE_TYPES = {"Xã": "commune", "Phường": "ward", "Thị trấn": "township", "Đặc khu": "special_zone"}
DISTRICT_TYPES = {"Huyện": "district", "Quận": "urban_district", "Thị xã": "town", "Thành phố": "city"}


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def coord(value) -> str:
    return "" if value is None else repr(round(float(value), 5))


def province_type(name: str) -> str:
    return "city" if name.startswith("Thành phố ") else "province"


def commune_name_and_type(name: str, source_type: str, code: str, notes: list[str]) -> tuple[str, str]:
    """Unit type from the name's prefix, which is authoritative; the source's type column has a few errors."""
    name = nfc(name)
    for prefix, unit_type in COMMUNE_TYPES.items():
        if name.casefold().startswith(prefix.casefold() + " "):
            fixed = prefix + name[len(prefix) :]
            if fixed != name:
                notes.append(f"commune {code}: name {name!r} written {fixed!r}")
            if source_type != prefix:
                notes.append(f"commune {code} {fixed!r}: source type {source_type!r}, using {prefix!r} from the name")
            return fixed, unit_type
    raise ValueError(f"commune {code}: no unit type in name {name!r}")


def package_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).resolve().parent


def build(verify: bool) -> tuple[dict[str, bytes], list[str]]:
    notes: list[str] = []
    data_dir = package_dir() / "data"
    db = sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    conv = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    new_rows = db.execute("SELECT * FROM admin_units").fetchall()
    old_rows = db.execute("SELECT * FROM admin_units_legacy").fetchall()

    # --- provinces ---------------------------------------------------------------------------
    cur_prov: dict[str, dict] = {}
    cur_prov_by_key: dict[str, str] = {}
    for r in new_rows:
        cur_prov.setdefault(
            r["provinceCode"],
            {
                "name": nfc(r["province"]),
                "short": nfc(r["provinceShort"]),
                "lat": r["provinceLat"],
                "lon": r["provinceLon"],
            },
        )
        cur_prov_by_key[r["provinceKey"]] = r["provinceCode"]
    old_prov: dict[str, dict] = {}
    old_prov_key: dict[str, str] = {}
    for r in old_rows:
        old_prov.setdefault(
            r["provinceCode"],
            {
                "name": nfc(r["province"]),
                "short": nfc(r["provinceShort"]),
                "lat": r["provinceLat"],
                "lon": r["provinceLon"],
            },
        )
        old_prov_key[r["provinceKey"]] = r["provinceCode"]
    prov_successor: dict[str, str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        for old_key in old_keys:
            prov_successor[old_prov_key[old_key]] = cur_prov_by_key[new_key]
    assert len(cur_prov) == 34 and len(old_prov) == 63, (len(cur_prov), len(old_prov))
    assert set(prov_successor) == set(old_prov), "every legacy province needs a successor"

    # --- current communes ----------------------------------------------------------------
    cur_comm: dict[str, dict] = {}
    cur_comm_by_key: dict[tuple[str, str], str] = {}
    for r in new_rows:
        name, unit_type = commune_name_and_type(r["ward"], r["wardType"], r["wardCode"], notes)
        assert r["wardCode"] not in cur_comm
        cur_comm[r["wardCode"]] = {
            "name": name,
            "type": unit_type,
            "province": r["provinceCode"],
            "lat": r["wardLat"],
            "lon": r["wardLon"],
        }
        cur_comm_by_key[(r["provinceKey"], r["wardKey"])] = r["wardCode"]

    # --- legacy → current commune map (the converter's own tables) -----------------------
    undivided: dict[str, tuple[str, str]] = {}
    for new_pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, olds in wards.items():
            for old in olds:
                assert old not in undivided, old
                undivided[old] = (new_pk, new_wk)
    divided: dict[str, tuple[str, str]] = {}
    divided_count: Counter = Counter()
    for new_pk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in olds.items():
            defaults = [c["newWardKey"] for c in candidates if c["isDefaultNewWard"]]
            assert len(defaults) == 1, (old, candidates)
            divided[old] = (new_pk, defaults[0])
            divided_count[len(candidates)] += 1

    # --- districts and legacy communes ------------------------------------------------------
    districts: dict[str, dict] = {}
    old_comm: dict[str, dict] = {}
    island_districts = []
    for r in old_rows:
        dname = nfc(r["district"])
        dtype = nfc(r["districtType"])
        districts.setdefault(
            r["districtCode"], {"name": dname, "type": DISTRICT_TYPES[dtype], "province": r["provinceCode"]}
        )
        if not r["wardCode"]:  # island districts without a commune level (Côn Đảo, Lý Sơn, ...)
            island_districts.append(f"{r['districtCode']} {dname}")
            continue
        name, unit_type = commune_name_and_type(r["ward"], r["wardType"], r["wardCode"], notes)
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        target = undivided.get(key) or divided.get(key)
        assert target, f"no successor for {key}"
        successor = cur_comm_by_key[target]
        assert cur_comm[successor]["province"] == prov_successor[r["provinceCode"]], key
        assert r["wardCode"] not in old_comm, r["wardCode"]
        old_comm[r["wardCode"]] = {
            "name": name,
            "type": unit_type,
            "province": r["provinceCode"],
            "district": r["districtCode"],
            "successor": successor,
            "lat": r["wardLat"],
            "lon": r["wardLon"],
        }
    notes.append("legacy districts without communes (no commune rows): " + ", ".join(island_districts))
    notes.append(
        f"legacy communes split between several new communes: {sum(divided_count.values())} "
        f"(by number of parts {dict(sorted(divided_count.items()))}); each is mapped to the converter's default"
    )
    orphans = sorted(set(cur_comm) - {c["successor"] for c in old_comm.values()})
    if orphans:
        notes.append(
            "current communes that are no legacy commune's primary successor: "
            + ", ".join(f"{c} {cur_comm[c]['name']}" for c in orphans)
        )

    if verify:
        verify_with_converter(old_rows, old_comm, notes)

    # --- regions ---------------------------------------------------------------------------
    region_rows = []
    seen = {("current", kind): Counter() for kind in ("centre", "socioeconomic")}
    seen |= {("legacy", kind): Counter() for kind in ("centre", "socioeconomic")}
    socio = {code: (cur.split(), old.split()) for code, _, cur, old in SOCIOECONOMIC}
    for code, name, cur, old in SOCIOECONOMIC:
        for gen, codes in (("current", cur.split()), ("legacy", old.split())):
            for p in codes:
                region_rows.append(("socioeconomic", code, name, gen, p))
                seen[(gen, "socioeconomic")][p] += 1
    for code, name, parts in CENTRE:
        for gen_index, gen in enumerate(("current", "legacy")):
            for p in sorted(p for part in parts for p in socio[part][gen_index]):
                region_rows.append(("centre", code, name, gen, p))
                seen[(gen, "centre")][p] += 1
    for (gen, kind), counts in seen.items():
        universe = cur_prov if gen == "current" else old_prov
        assert set(counts) == set(universe) and set(counts.values()) == {1}, (gen, kind)
    centre_of = {(gen, p): code for kind, code, _, gen, p in region_rows if kind == "centre"}
    for old, new in prov_successor.items():
        assert centre_of[("legacy", old)] == centre_of[("current", new)], (old, new)
    for old, new in prov_successor.items():
        s_old = next(c for k, c, _, g, p in region_rows if k == "socioeconomic" and g == "legacy" and p == old)
        s_new = next(c for k, c, _, g, p in region_rows if k == "socioeconomic" and g == "current" and p == new)
        if s_old != s_new:
            notes.append(
                f"socio-economic region changes: {old_prov[old]['short']} {s_old} → {cur_prov[new]['short']} {s_new}"
            )

    # --- write ------------------------------------------------------------------------------
    files: dict[str, bytes] = {}
    rows = [["code", "name", "short_name", "unit_type", "valid_from", "valid_to", "successor", "latitude", "longitude"]]
    for code, p in sorted(cur_prov.items()):
        rows.append(
            [
                code,
                p["name"],
                p["short"],
                province_type(p["name"]),
                CURRENT_FROM,
                "",
                "",
                coord(p["lat"]),
                coord(p["lon"]),
            ]
        )
    for code, p in sorted(old_prov.items()):
        rows.append(
            [
                code,
                p["name"],
                p["short"],
                province_type(p["name"]),
                "",
                LEGACY_TO,
                prov_successor[code],
                coord(p["lat"]),
                coord(p["lon"]),
            ]
        )
    files["provinces.csv"] = to_csv(rows)

    rows = [["code", "name", "unit_type", "province", "valid_to"]]
    for code, d in sorted(districts.items()):
        rows.append([code, d["name"], d["type"], d["province"], LEGACY_TO])
    files["districts.csv"] = to_csv(rows)

    rows = [
        [
            "code",
            "name",
            "unit_type",
            "province",
            "district",
            "valid_from",
            "valid_to",
            "successor",
            "latitude",
            "longitude",
        ]
    ]
    for code, c in sorted(cur_comm.items()):
        rows.append(
            [code, c["name"], c["type"], c["province"], "", CURRENT_FROM, "", "", coord(c["lat"]), coord(c["lon"])]
        )
    for code, c in sorted(old_comm.items()):
        rows.append(
            [
                code,
                c["name"],
                c["type"],
                c["province"],
                c["district"],
                "",
                LEGACY_TO,
                c["successor"],
                coord(c["lat"]),
                coord(c["lon"]),
            ]
        )
    files["communes.csv.gz"] = gzip_bytes(to_csv(rows))

    rows = [["kind", "code", "name", "generation", "province"]]
    rows += [list(r) for r in region_rows]
    files["regions.csv"] = to_csv(rows)
    return files, notes


def verify_with_converter(old_rows, old_comm: dict[str, dict], notes: list[str]) -> None:
    """Cross-check every legacy commune against ``vietnamadminunits.convert_address`` (no street)."""
    from vietnamadminunits import convert_address

    disagree = []
    for r in old_rows:
        if not r["wardCode"]:
            continue
        unit = convert_address(f"{r['ward']}, {r['district']}, {r['province']}")
        if unit.OldAdminUnit.ward_code != r["wardCode"]:
            disagree.append(
                f"{r['wardCode']}: parser read {unit.OldAdminUnit.ward_code} for {r['ward']}, {r['district']}"
            )
        elif unit.ward_code != old_comm[r["wardCode"]]["successor"]:
            disagree.append(
                f"{r['wardCode']}: convert_address {unit.ward_code}, table {old_comm[r['wardCode']]['successor']}"
            )
    notes.append(f"convert_address cross-check: {len(disagree)} disagreement(s)")
    notes.extend("  " + d for d in disagree)


def to_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def gzip_bytes(raw: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the files on disk differ from what would be written"
    )
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the convert_address cross-check (saves a few seconds)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    print(f"vietnamadminunits {metadata.version('vietnamadminunits')} from {package_dir()}")
    files, notes = build(verify=not args.no_verify)
    for note in notes:
        print("note:", note)
    changed = []
    for name, content in files.items():
        path = args.out / name
        if not path.exists() or path.read_bytes() != content:
            changed.append(name)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"{'changed' if name in changed else 'same   '} {shown} ({len(content):,} bytes)")
    if args.check and changed:
        print("territory data files are out of date:", ", ".join(changed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
