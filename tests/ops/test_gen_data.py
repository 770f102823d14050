"""khuyencong gen-data: only on a database marked as demo or benchmark; deterministic by seed; real
territory codes with legacy units; what save() would compute; generators of later domains plug in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from khuyencong.demo import generate as gen
from khuyencong.kernel.models import DatabaseMark
from khuyencong.kernel.text import fold
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

ROWS = 400


@pytest.fixture
def small(monkeypatch, territory):
    """The registered generators, with the demo scale cut to a few hundred establishments."""
    generators = [
        gen.Generator(g.name, {**g.counts, "demo": ROWS}, g.run) if g.name == "establishments" else g
        for g in gen.GENERATORS
    ]
    monkeypatch.setattr(gen, "GENERATORS", generators)
    return generators


def fingerprint() -> list[tuple]:
    rows = Establishment.objects.filter(external_id__startswith=gen.KEY_PREFIX).order_by("external_id")
    return list(rows.values_list("external_id", "name", "tax_code", "owner_name", "commune__code", "legacy_commune_id"))


def quiet(_text):
    pass


def test_refuses_a_database_not_marked(small):
    with pytest.raises(gen.NotSyntheticDatabase):
        gen.generate(scale="demo", log=quiet)
    with pytest.raises(CommandError, match="not marked"):
        call_command("kc_gen_data", "--scale", "demo")
    assert not Establishment.objects.exists()


def test_only_an_empty_database_can_be_marked_by_gen_data(small):
    make_establishment(name="Cơ sở có thật")
    with pytest.raises(CommandError, match="only an empty database"):
        call_command("kc_gen_data", "--scale", "demo", "--mark-database", "benchmark")
    assert not DatabaseMark.objects.exists() and Establishment.objects.count() == 1


def test_demo_command_marks_its_database(territory):
    call_command("kc_demo", "--establishments", "0")
    assert DatabaseMark.objects.get().kind == "demo"


def test_generates_deterministic_rows_on_real_territory(small):
    gen.mark_database("benchmark")
    results = gen.generate(scale="demo", seed=7, log=quiet)
    assert results["establishments"]["rows"] == ROWS and results["establishments"]["rows_per_second"] > 0
    first = fingerprint()
    assert len(first) == ROWS
    # Again with the same seed: nothing to do; a new seed replaces the set; the first seed brings it back.
    assert gen.generate(scale="demo", seed=7, log=quiet)["establishments"]["rows"] == 0
    gen.generate(scale="demo", seed=8, log=quiet)
    assert fingerprint() != first and len(fingerprint()) == ROWS
    gen.generate(scale="demo", seed=7, log=quiet)
    assert fingerprint() == first

    rows = Establishment.objects.filter(external_id__startswith=gen.KEY_PREFIX).select_related(
        "commune__province", "legacy_commune"
    )
    provinces = {row.commune.province.code for row in rows}
    assert provinces <= set(gen.demo.PROVINCES) and len(provinces) == len(gen.demo.PROVINCES)
    legacy = [row for row in rows if row.legacy_commune_id]
    assert legacy and all(row.legacy_commune.successor_id == row.commune_id for row in legacy)
    assert all(row.province_id == row.commune.province_id for row in rows)
    sample = rows[:50]
    assert all(row.search_text == row.build_search_text() for row in sample)
    tax_codes = [row.tax_code for row in rows if row.tax_code]
    assert len(tax_codes) == len(set(tax_codes)) > 0
    assert Establishment.objects.filter(search_text__contains=fold("Mây tre đan")).exists()
    assert Establishment.objects.live().count() == ROWS  # the list shows them
    assert Establishment.industry_lines.through.objects.filter(establishment__in=rows).exists()
    mark = DatabaseMark.objects.get()
    assert (mark.last_scale, mark.last_seed) == ("demo", 7)
    assert Commune.objects.filter(pk__in=[r.commune_id for r in sample], valid_to__isnull=True).count() > 0


def test_a_later_domain_adds_its_generator(small):
    seen = []

    @gen.generator("projects", demo=3, province=30, national=60_000)
    def projects(ctx, count):
        seen.append((ctx.scale, count, Establishment.objects.count()))
        return count

    assert gen.GENERATORS is small and small[-1].name == "projects"  # registered into the patched list
    gen.mark_database("benchmark")
    results = gen.generate(scale="demo", log=quiet)
    assert seen == [("demo", 3, ROWS)]  # after the establishments it builds on
    assert results["projects"]["rows"] == 3
    with pytest.raises(ValueError, match="no count"):
        gen.generator("ledger", demo=1)(lambda ctx, count: 0)


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL's COPY path")
def test_a_large_copy_rebuilds_the_secondary_indexes_it_dropped(small, monkeypatch):
    """Above the threshold the table's own secondary indexes are dropped before the COPY and built
    again from their definitions after it; the rows, the indexes and the foreign keys are all there."""
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            return sorted(gen._secondary_indexes(cursor, Establishment._meta.db_table))

    before = indexes()
    assert len(before) > 5
    monkeypatch.setattr(gen, "REBUILD_MIN_ROWS", 50)
    gen.REBUILDS.clear()
    gen.mark_database("benchmark")
    logged = []
    results = gen.generate(scale="demo", log=logged.append, only=["establishments"])
    assert results["establishments"]["rows"] == ROWS
    assert any("registry_establishment: " in line and "secondary indexes" in line for line in logged)
    assert indexes() == before
    assert [r[:2] for r in gen.REBUILDS] == []  # the log took them
    assert Establishment.objects.filter(external_id__startswith=gen.KEY_PREFIX).count() == ROWS
    with connection.cursor() as cursor:  # the planner can use a rebuilt index at once
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM registry_establishment WHERE province_id = 1")
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "Index" in plan


def test_a_small_copy_keeps_the_indexes(small, monkeypatch):
    logged = []
    gen.mark_database("benchmark")
    gen.generate(scale="demo", log=logged.append, only=["establishments"])
    assert not any("secondary indexes" in line for line in logged)  # 400 rows < REBUILD_MIN_ROWS
