"""Domain functions in khuyencong.territory.services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khuyencong.territory.models import Commune, Province, Region
from khuyencong.territory.services import (
    commune_successor,
    get_province,
    province_successor,
    provinces_at,
    region_of,
    regroup_by_province,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BEFORE = dt.date(2024, 1, 1)
AFTER = dt.date(2025, 7, 1)


def legacy(short_name: str) -> Province:
    return Province.objects.legacy().get(short_name=short_name)


def current(short_name: str) -> Province:
    return Province.objects.current().get(short_name=short_name)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Nam Định", "Ninh Bình"),
        ("Hà Nam", "Ninh Bình"),
        ("Ninh Bình", "Ninh Bình"),
        ("Hà Giang", "Tuyên Quang"),
        ("Yên Bái", "Lào Cai"),
        ("Bắc Giang", "Bắc Ninh"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("Hà Tĩnh", "Hà Tĩnh"),
    ],
)
def test_province_successor(old, new):
    resolved = province_successor(legacy(old), on=AFTER)
    assert resolved == current(new)
    assert resolved.valid_to is None


def test_province_successor_by_code_and_default_date():
    assert province_successor("36") == current("Ninh Bình")  # Nam Định
    assert province_successor("35") == current("Ninh Bình")  # Hà Nam
    assert province_successor(2) == current("Tuyên Quang")  # Hà Giang, zero-padded
    # "15" is Yên Bái's legacy code and the new Lào Cai's code: read as the legacy unit
    assert province_successor("15") == current("Lào Cai")
    assert current("Lào Cai").code == "15"


def test_unmerged_province_resolves_to_itself():
    ha_tinh_new = current("Hà Tĩnh")
    assert province_successor(ha_tinh_new, on=AFTER) == ha_tinh_new
    assert province_successor(ha_tinh_new) == ha_tinh_new
    # before the reform the unit in force is the legacy row
    assert province_successor("42", on=BEFORE) == legacy("Hà Tĩnh")
    assert province_successor(legacy("Nam Định"), on=BEFORE) == legacy("Nam Định")


def test_current_province_before_reform_raises():
    with pytest.raises(Province.DoesNotExist):
        province_successor(current("Ninh Bình"), on=BEFORE)
    with pytest.raises(Province.DoesNotExist):
        province_successor("99")


def test_commune_successor():
    phuc_xa = Commune.objects.legacy().get(code="00001")  # Phường Phúc Xá, Ba Đình
    hong_ha = commune_successor(phuc_xa, on=AFTER)
    assert (hong_ha.code, hong_ha.name, hong_ha.valid_to) == ("00097", "Phường Hồng Hà", None)
    assert commune_successor("00001") == hong_ha
    assert commune_successor(1) == hong_ha
    assert commune_successor(hong_ha) == hong_ha
    assert commune_successor(phuc_xa, on=BEFORE) == phuc_xa
    with pytest.raises(Commune.DoesNotExist):
        commune_successor(hong_ha, on=BEFORE)


def test_provinces_at():
    assert provinces_at(BEFORE).count() == 63
    assert provinces_at(dt.date(2025, 6, 30)).count() == 63
    assert provinces_at(AFTER).count() == 34
    assert provinces_at().count() == 34
    assert not provinces_at(AFTER).filter(valid_to__isnull=False).exists()
    assert list(provinces_at(AFTER).values_list("code", flat=True))[:3] == ["01", "04", "08"]


def test_get_province():
    assert get_province("42") == current("Hà Tĩnh")
    assert get_province(42, at=BEFORE) == legacy("Hà Tĩnh")
    assert get_province("36", at=BEFORE) == legacy("Nam Định")
    assert get_province("24") == current("Bắc Ninh")  # new Bắc Ninh took Bắc Giang's code
    assert get_province("24", at=BEFORE) == legacy("Bắc Giang")
    with pytest.raises(Province.DoesNotExist):
        get_province("36")
    with pytest.raises(Province.DoesNotExist):
        get_province("00")


def test_regroup_by_province_current():
    rows = [
        {"province": legacy("Nam Định"), "value": 10},
        {"province": legacy("Hà Nam"), "value": 5},
        {"province": legacy("Ninh Bình"), "value": 1},
        {"province": current("Ninh Bình"), "value": 100},
        {"province": legacy("Hà Tĩnh"), "value": 7},
        {"province": current("Hà Tĩnh"), "value": 3},
        {"province": legacy("Hà Giang").pk, "value": 2},
        {"province": "15", "value": 4},  # Yên Bái (legacy code)
        {"province": current("Lào Cai"), "value": None},
    ]
    totals = regroup_by_province(rows)
    assert totals == {
        current("Tuyên Quang"): 2,
        current("Lào Cai"): 4,
        current("Ninh Bình"): 116,
        current("Hà Tĩnh"): 10,
    }
    assert [p.code for p in totals] == ["08", "15", "37", "42"]
    assert all(p.valid_to is None for p in totals)


def test_regroup_by_province_accessors_and_decimals():
    class Row:
        def __init__(self, province, amount):
            self.where, self.amount = province, amount

    rows = [Row(legacy("Nam Định"), Decimal("1.5")), Row(legacy("Hà Nam"), Decimal("2.25")), Row(None, Decimal(1))]
    totals = regroup_by_province(rows, key="where", value=lambda r: r.amount * 2)
    assert totals == {current("Ninh Bình"): Decimal("7.50"), None: Decimal(2)}
    assert list(totals)[-1] is None


def test_regroup_by_province_legacy_level():
    rows = [
        {"province": legacy("Nam Định"), "value": 10},
        {"province": legacy("Hà Nam"), "value": 5},
        {"province": current("Hà Tĩnh"), "value": 3},
        {"province": legacy("Hà Tĩnh"), "value": 7},
        {"province": current("Ninh Bình"), "value": 100},
    ]
    totals = regroup_by_province(rows, level="legacy")
    assert totals == {
        legacy("Hà Nam"): 5,
        legacy("Nam Định"): 10,
        current("Ninh Bình"): 100,  # several predecessors: cannot be split, stays current
        legacy("Hà Tĩnh"): 10,
    }
    with pytest.raises(ValueError):
        regroup_by_province(rows, level="district")


def test_region_membership_current():
    centres = Region.objects.filter(kind=Region.Kind.CENTRE)
    socio = Region.objects.filter(kind=Region.Kind.SOCIOECONOMIC)
    for province in provinces_at(AFTER):
        assert province.regions.filter(kind=Region.Kind.CENTRE).count() == 1, province
        assert province.regions.filter(kind=Region.Kind.SOCIOECONOMIC).count() == 1, province
    assert sum(r.provinces.current().count() for r in centres) == 34
    assert sum(r.provinces.current().count() for r in socio) == 34
    assert sum(r.provinces.legacy().count() for r in centres) == 63
    assert sum(r.provinces.legacy().count() for r in socio) == 63
    sizes = {r.code: r.provinces.current().count() for r in socio}
    assert sizes == {"TDMNPB": 9, "DBSH": 6, "BTBDHMT": 8, "TN": 3, "DNB": 3, "DBSCL": 5}
    assert {r.code: r.provinces.legacy().count() for r in centres} == {"1": 25, "2": 19, "3": 19}


def test_region_of():
    assert region_of("01", "centre").code == "1"
    assert region_of("48", Region.Kind.CENTRE).code == "2"  # Đà Nẵng
    assert region_of(current("Hồ Chí Minh"), "centre").code == "3"
    assert region_of(current("Bắc Ninh"), "socioeconomic").name == "Đồng bằng sông Hồng"
    assert region_of(legacy("Bắc Giang"), "socioeconomic").name == "Trung du và miền núi phía Bắc"
    assert region_of(legacy("Kon Tum"), "socioeconomic").code == "TN"
    assert region_of(current("Quảng Ngãi"), "socioeconomic").code == "BTBDHMT"
    with pytest.raises(ValueError):
        region_of("01", "planet")


def test_legacy_and_successor_share_centre_region():
    for old in Province.objects.legacy().select_related("successor"):
        assert region_of(old, "centre") == region_of(old.successor, "centre"), old
