"""Names sort in Vietnamese alphabetical order on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from khuyencong.kernel.text import collation_key, vi_order
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Province
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

VIETNAMESE_ORDER = ["Cà Mau", "Cao Bằng", "Dương Nội", "Đông Sơn", "Hà Nội", "Huế", "Thái Nguyên", "Thanh Hóa"]


def test_collation_key_follows_the_vietnamese_alphabet():
    shuffled = list(reversed(VIETNAMESE_ORDER))
    assert sorted(shuffled, key=collation_key) == VIETNAMESE_ORDER
    # ă and â are letters after a; tones only count when the letters are equal; case comes last.
    assert sorted(["ân", "ăn", "an", "áo"], key=collation_key) == ["an", "áo", "ăn", "ân"]
    assert sorted(["cạ", "cá", "cã", "cả", "Cà", "cà", "ca"], key=collation_key) == [
        "ca",
        "cà",
        "Cà",
        "cả",
        "cã",
        "cá",
        "cạ",
    ]


def test_database_orders_names_the_vietnamese_way(territory):
    for name in reversed(VIETNAMESE_ORDER):
        make_establishment(name=name)
    ours = Establishment.objects.filter(name__in=VIETNAMESE_ORDER)
    assert list(ours.order_by(vi_order("name")).values_list("name", flat=True)) == VIETNAMESE_ORDER
    backwards = Establishment.objects.filter(name__in=VIETNAMESE_ORDER).order_by(vi_order("name", descending=True))
    assert list(backwards.values_list("name", flat=True)) == VIETNAMESE_ORDER[::-1]


def _names_in_table(body: str) -> list[str]:
    table = body.split('id="results"', 1)[1]
    return [
        n
        for n in re.findall(r'<a class="kc-row-link" href="/establishments/\d+/">([^<]+)</a>', table)
        if n in VIETNAMESE_ORDER
    ]


def test_registry_list_sorts_names_the_vietnamese_way(client_for, hatinh_officer):
    for name in reversed(VIETNAMESE_ORDER):
        make_establishment(name=name)
    client = client_for(hatinh_officer)
    assert _names_in_table(client.get(reverse("registry:establishment_list")).content.decode()) == VIETNAMESE_ORDER
    descending = client.get(reverse("registry:establishment_list"), {"sort": "-name"}).content.decode()
    assert _names_in_table(descending) == VIETNAMESE_ORDER[::-1]


def test_province_filter_lists_provinces_in_vietnamese_order(client_for, agency_officer):
    body = client_for(agency_officer).get(reverse("registry:establishment_list")).content.decode()
    select = body.split('name="province"', 1)[1].split("</select>", 1)[0]
    shown = re.findall(r"<option value=\"\d+\">([^<]+)</option>", select)
    short_names = dict(Province.objects.current().values_list("name", "short_name"))
    order = [short_names[name] for name in shown]
    assert order == sorted(order, key=collation_key)
    assert order.index("Cà Mau") < order.index("Cao Bằng")
    assert order.index("Hà Nội") < order.index("Huế")
    assert order.index("Đồng Nai") < order.index("Gia Lai")
    assert order.index("Điện Biên") < order.index("Vĩnh Long")
