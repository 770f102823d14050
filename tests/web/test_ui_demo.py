"""`khuyencong demo` gives a newcomer something to explore, the same every time, and only once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from stdnum.vn import mst

from khuyencong.accounts.models import User
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, Establishment

pytestmark = pytest.mark.django_db


def test_demo_loads_a_registry_to_explore_and_is_idempotent(territory, capsys):
    call_command("kc_demo", establishments=300)
    first = capsys.readouterr().out
    assert "300 establishments (300 added)" in first or "establishments (300 added)" in first
    demo = Establishment.objects.filter(external_id__startswith="demo-")
    count = demo.count()
    snapshot = sorted(demo.values_list("external_id", "name", "commune__code", "workers_total"))
    duplicates = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    villages = CraftVillage.objects.count()

    call_command("kc_demo", establishments=300)
    assert "(0 added)" in capsys.readouterr().out
    assert sorted(demo.values_list("external_id", "name", "commune__code", "workers_total")) == snapshot
    assert DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count() == duplicates
    assert CraftVillage.objects.count() == villages
    assert User.objects.filter(username="hatinh.chuyenvien").count() == 1

    # Four provinces, some records still on a Nam Định / Hà Nam commune from before 1/7/2025.
    assert set(demo.values_list("province__short_name", flat=True)) == {"Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Ninh Bình"}
    # (The demo projects' beneficiaries also get the commune theirs succeeded, so that eligibility
    # on a date before the reform can be decided: khuyencong/demo/projects.py.)
    legacy = demo.filter(legacy_commune__isnull=False, beneficiary_lines__isnull=True)
    assert legacy.exists()
    assert set(legacy.values_list("legacy_commune__province__short_name", flat=True)) <= {"Nam Định", "Hà Nam"}
    assert not legacy.exclude(province__short_name="Ninh Bình").exists()
    # Realistic records: Vietnamese names, valid tax codes, women never more than workers.
    assert count >= 300 and duplicates >= 3 and villages >= 16
    assert demo.filter(name__contains="mây tre đan").exists()
    for code in demo.exclude(tax_code=None).values_list("tax_code", flat=True)[:50]:
        assert mst.is_valid(code)
    for total, women in demo.exclude(workers_total=None).values_list("workers_total", "workers_women"):
        assert women is None or women <= total
    assert demo.filter(workers_total=None).exists()  # some records wait for missing data
    assert demo.filter(search_text__contains="ha tinh").exists()  # accent-free search finds them
