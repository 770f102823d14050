"""The bundled territory data, as loaded into the database."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.db.models import Count, F

from khuyencong.territory.models import REFORM_DATE, Commune, District, Province, Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

LEGACY_END = dt.date(2025, 6, 30)


def test_counts():
    assert Province.objects.current().count() == 34
    assert Province.objects.legacy().count() == 63
    assert Commune.objects.current().count() == 3321
    # 10,040 rows in the source, less the 5 island districts that have no commune level
    assert Commune.objects.legacy().count() == 10035
    assert District.objects.count() == 696


def test_validity_dates():
    assert not Province.objects.current().exclude(valid_from=REFORM_DATE).exists()
    assert not Province.objects.legacy().exclude(valid_to=LEGACY_END).exists()
    assert not Province.objects.legacy().filter(valid_from__isnull=False).exists()
    assert not Commune.objects.current().exclude(valid_from=REFORM_DATE).exists()
    assert not Commune.objects.legacy().exclude(valid_to=LEGACY_END, valid_from__isnull=True).exists()


def test_every_legacy_unit_has_a_current_successor():
    assert not Province.objects.legacy().filter(successor__isnull=True).exists()
    assert not Province.objects.legacy().exclude(successor__valid_to__isnull=True).exists()
    assert not Commune.objects.legacy().filter(successor__isnull=True).exists()
    assert not Commune.objects.legacy().exclude(successor__valid_to__isnull=True).exists()
    assert not Province.objects.current().filter(successor__isnull=False).exists()
    assert not Commune.objects.current().filter(successor__isnull=False).exists()


def test_legacy_commune_successor_is_in_its_province_successor():
    mismatched = Commune.objects.legacy().exclude(successor__province=F("province__successor"))
    assert not mismatched.exists()


def test_communes_belong_to_provinces_of_their_generation():
    assert not Commune.objects.current().filter(province__valid_to__isnull=False).exists()
    assert not Commune.objects.legacy().filter(province__valid_to__isnull=True).exists()
    assert not Commune.objects.legacy().filter(district__isnull=True).exists()
    assert not Commune.objects.current().filter(district__isnull=False).exists()
    assert not Commune.objects.legacy().exclude(district__province=F("province")).exists()


def test_names_are_nfc_with_diacritics():
    ha_tinh = Province.objects.current().get(code="42")
    assert (ha_tinh.name, ha_tinh.short_name, ha_tinh.unit_type) == ("Tỉnh Hà Tĩnh", "Hà Tĩnh", "province")
    assert ha_tinh.folded_name == "tinh ha tinh"
    hanoi = Province.objects.current().get(code="01")
    assert (hanoi.name, hanoi.unit_type) == ("Thành phố Hà Nội", "city")
    for name in Commune.objects.values_list("name", flat=True).iterator():
        assert unicodedata.is_normalized("NFC", name)
    assert Province.objects.current().filter(unit_type="city").count() == 6


def test_commune_unit_types():
    current = dict(Commune.objects.current().values("unit_type").annotate(n=Count("pk")).values_list("unit_type", "n"))
    assert current == {"commune": 2621, "ward": 687, "special_zone": 13}
    legacy = set(Commune.objects.legacy().values_list("unit_type", flat=True))
    assert legacy == {"commune", "ward", "township"}
    # the type comes from the name, which is right where the source's type column is not
    assert Commune.objects.current().get(code="10543").unit_type == "ward"  # Phường Việt Hòa
    assert Commune.objects.legacy().get(code="15061").unit_type == "township"  # Thị trấn Ngọc Lặc
    names = Commune.objects.values_list("name", flat=True)
    assert not [n for n in names if n.startswith("Thị Trấn")]  # capitalisation fixed


def test_coordinates_present_and_rounded():
    assert not Commune.objects.filter(latitude__isnull=True).exists()
    for lat, lon in Commune.objects.values_list("latitude", "longitude")[:500]:
        assert 8 < lat < 24 and 102 < lon < 118
        assert round(lat, 5) == lat and round(lon, 5) == lon


def test_regions():
    assert Region.objects.filter(kind=Region.Kind.CENTRE).count() == 3
    assert Region.objects.filter(kind=Region.Kind.SOCIOECONOMIC).count() == 6
    for province in list(Province.objects.prefetch_related("regions")):
        kinds = sorted(r.kind for r in province.regions.all())
        assert kinds == ["centre", "socioeconomic"], province
