"""load_territory and the loadterritory command."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from khuyencong.territory.loader import load_territory
from khuyencong.territory.models import Commune, Province, Region

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def test_load_covers_every_row(territory):
    # Created on a fresh test database; counted as unchanged if something loaded it before.
    def total(stats):
        return stats["created"] + stats["updated"] + stats["unchanged"]

    assert total(territory["province"]) == 97
    assert total(territory["district"]) == 696
    assert total(territory["commune"]) == 3321 + 10035
    assert total(territory["region"]) == 9
    assert territory["region_membership"]["added"] + territory["region_membership"]["unchanged"] == 2 * (34 + 63)
    assert Province.objects.count() == 97
    assert Commune.objects.count() == 13356


def test_reload_is_idempotent(territory):
    before = list(Commune.objects.order_by("pk").values_list("pk", "code", "valid_to", "successor_id"))
    started = time.monotonic()
    result = load_territory()
    elapsed = time.monotonic() - started
    for model, stats in result.items():
        assert stats.get("created", 0) == stats.get("updated", 0) == stats.get("added", 0) == 0, model
        assert stats.get("removed", 0) == stats.get("stale", 0) == 0, model
    assert result["commune"]["unchanged"] == 13356
    assert list(Commune.objects.order_by("pk").values_list("pk", "code", "valid_to", "successor_id")) == before
    assert elapsed < 10


def test_reload_repairs_changes(territory):
    ha_tinh = Province.objects.current().get(code="42")
    Province.objects.filter(pk=ha_tinh.pk).update(name="Hà Tĩnh (sửa tay)", folded_name="x")
    Commune.objects.legacy().filter(code="00001").update(successor=None)
    north = Region.objects.get(kind="centre", code="1")
    north.provinces.remove(Province.objects.current().get(code="01"))
    north.provinces.add(Province.objects.current().get(code="79"))

    result = load_territory()
    assert result["province"]["updated"] == 1
    assert result["commune"]["updated"] == 1
    assert result["region_membership"] == {"added": 1, "removed": 1, "unchanged": 193}
    ha_tinh.refresh_from_db()
    assert (ha_tinh.name, ha_tinh.folded_name) == ("Tỉnh Hà Tĩnh", "tinh ha tinh")
    assert Commune.objects.legacy().get(code="00001").successor.code == "00097"
    assert set(north.provinces.current().values_list("code", flat=True)) >= {"01"}
    assert not north.provinces.filter(code="79").exists()


def test_management_command(territory):
    out = io.StringIO()
    call_command("loadterritory", stdout=out)
    text = out.getvalue()
    assert "commune: created 0, updated 0, unchanged 13356, stale 0" in text
    assert re.search(r"Territory loaded in [\d.]+s \(0 change\(s\)\)\.", text)


def test_runtime_does_not_depend_on_the_source_package():
    package = REPO / "khuyencong" / "territory"
    for path in package.rglob("*.py"):
        assert "vietnamadminunits" not in path.read_text(encoding="utf-8"), path


def test_generated_files_are_up_to_date():
    pytest.importorskip("vietnamadminunits")
    import runpy

    generator = runpy.run_path(str(REPO / "scripts" / "generate_territory.py"), run_name="generate_territory")
    assert generator["main"](["--check", "--no-verify"]) == 0
