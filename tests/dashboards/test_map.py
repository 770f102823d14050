"""The committed province maps: every province of each generation once, by the territory's codes,
the archipelagos labelled, small enough to send to a phone."""

import json
from pathlib import Path

import pytest

from khuyencong.territory.models import Province

MAPS = Path(__file__).resolve().parents[2] / "khuyencong" / "static" / "kc" / "maps"


def _load(name):
    path = MAPS / name
    return path, json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "generation", "count"), [("vn-34.json", "current", 34), ("vn-63.json", "legacy", 63)])
def test_map_has_exactly_the_provinces_of_its_generation(territory, name, generation, count):
    path, data = _load(name)
    provinces = [f for f in data["features"] if f["properties"]["kind"] == "province"]
    codes = [f["properties"]["code"] for f in provinces]
    expected = Province.objects.current() if generation == "current" else Province.objects.legacy()
    assert len(codes) == count == len(set(codes))
    assert set(codes) == set(expected.values_list("code", flat=True))
    names = dict(expected.values_list("code", "short_name"))
    assert all(f["properties"]["name"] == names[f["properties"]["code"]] for f in provinces)
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in provinces)
    assert path.stat().st_size < 400 * 1024


@pytest.mark.parametrize("name", ["vn-34.json", "vn-63.json"])
def test_map_shows_and_labels_hoang_sa_and_truong_sa(name):
    _path, data = _load(name)
    islands = {f["properties"]["name"]: f for f in data["features"] if f["properties"]["kind"] == "archipelago"}
    assert set(islands) == {"Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)"}
    assert islands["Quần đảo Hoàng Sa (Đà Nẵng)"]["properties"]["code"] == "48"
    assert islands["Quần đảo Trường Sa (Khánh Hòa)"]["properties"]["code"] == "56"
    lon, lat = islands["Quần đảo Trường Sa (Khánh Hòa)"]["geometry"]["coordinates"]
    assert 111 < lon < 117 and 6 < lat < 12


def test_merged_provinces_cover_their_predecessors():
    """Ninh Bình (37) after the reform spans legacy Hà Nam, Nam Định and Ninh Bình: its outline's
    extent holds the three legacy outlines' extents."""

    def extent(feature):
        points = []

        def walk(c):
            if isinstance(c[0], (int, float)):
                points.append(c)
            else:
                for part in c:
                    walk(part)

        walk(feature["geometry"]["coordinates"])
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    def provinces(name):
        return {f["properties"]["code"]: f for f in _load(name)[1]["features"] if f["properties"]["kind"] == "province"}

    new, old = provinces("vn-34.json"), provinces("vn-63.json")
    box = extent(new["37"])
    for code in ("35", "36", "37"):
        x0, y0, x1, y1 = extent(old[code])
        assert box[0] <= x0 + 0.01 and box[1] <= y0 + 0.01 and box[2] >= x1 - 0.01 and box[3] >= y1 - 0.01
