"""What keeps the establishment list fast at national scale (issue 14, bench/README.md): the
stored Vietnamese sort key, filters on ids, the minimum search length, the type-ahead without a
count, the statement time limit, the duplicate queue without a semi-join for national users."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from khuyencong.kernel.text import collation_key, sort_key
from khuyencong.registry import actions
from khuyencong.registry.models import Establishment
from khuyencong.registry.views import EstablishmentListView
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db
LIST = "registry:establishment_list"


def test_sort_key_orders_like_the_vietnamese_collation():
    names = ["Đà Nẵng", "Dương", "Cao Bằng", "Cà Mau", "Cần Thơ", "an", "An", "Ấn", "Ăn", "Hà", "Há", "Hạ Long",
             "Hà Nội", "Hợp tác xã 10", "Hợp tác xã 2", "Huế", "Zeta", "Hợp-tác"]  # fmt: skip
    assert sorted(names, key=sort_key) == sorted(names, key=collation_key)
    assert sorted(names, key=sort_key)[:3] == ["an", "An", "Ăn"]
    assert sort_key("Cà Mau") < sort_key("Cao Bằng") < sort_key("Dương") < sort_key("Đà Nẵng")
    assert sort_key("x" * 255).isascii() and len(sort_key("Ậ" * 255)) <= 800


def test_the_name_sort_reads_the_stored_key(client_for, agency_officer):
    for name in ("Đông Sơn", "Dương Nội", "Cao Lộc", "Cà Ná"):
        make_establishment(name=name)
    saved = Establishment.objects.get(name="Đông Sơn")
    assert saved.name_key == sort_key("Đông Sơn")
    client = client_for(agency_officer)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse(LIST), {"sort": "name"}).content.decode()
    page = next(q["sql"] for q in queries if "LIMIT 51" in q["sql"] and "registry_establishment" in q["sql"])
    assert "name_key" in page and "COLLATE" not in page
    positions = [body.index(name) for name in ("Cà Ná", "Cao Lộc", "Dương Nội", "Đông Sơn")]
    assert positions == sorted(positions)
    reverse_body = client.get(reverse(LIST), {"sort": "-name"}).content.decode()
    assert reverse_body.index("Đông Sơn") < reverse_body.index("Cà Ná")


def test_province_sort_groups_by_province_then_name(client_for, agency_officer):
    make_establishment(name="Bắc Ninh một", province_code="24")
    make_establishment(name="Hà Tĩnh B")
    make_establishment(name="Hà Tĩnh A")
    body = client_for(agency_officer).get(reverse(LIST), {"sort": "province"}).content.decode()
    assert body.index("Bắc Ninh một") < body.index("Hà Tĩnh A") < body.index("Hà Tĩnh B")


def test_commune_filter_reads_by_id_and_an_unknown_code_reads_nothing(client_for, agency_officer):
    here = make_establishment(name="Cơ sở ở xã này")
    make_establishment(name="Cơ sở ở xã khác", province_code="40")
    client = client_for(agency_officer)
    body = client.get(reverse(LIST), {"commune": here.commune.code}).content.decode()
    assert "Cơ sở ở xã này" in body and "Cơ sở ở xã khác" not in body
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse(LIST), {"commune": "99998"}).content.decode()
    assert "Cơ sở ở xã" not in body
    assert not [q for q in queries if 'FROM "registry_establishment"' in q["sql"]]  # nothing to read


def test_a_search_shorter_than_three_characters_does_not_search(client_for, agency_officer):
    make_establishment(name="Cơ sở fo một")
    make_establishment(name="Cơ sở khác")
    client = client_for(agency_officer)
    body = client.get(reverse(LIST), {"q": "fo"}).content.decode()
    assert "Gõ ít nhất 3 chữ cái hoặc chữ số để tìm kiếm." in body
    assert "Cơ sở khác" in body  # the list as if nothing were typed
    assert "Cơ sở fo một" in client.get(reverse(LIST), {"q": "fo m"}).content.decode()
    api = client.get("/api/v1/establishments", {"q": "f"})
    assert api.status_code == 422 and api.json()["code"] == "validation_error"


def test_the_type_ahead_partial_does_not_count(client_for, agency_officer):
    for number in range(3):
        make_establishment(name=f"Cơ sở gõ tìm {number}")
    client = client_for(agency_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(LIST), {"q": "go tim"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Cơ sở gõ tìm 2" in response.content.decode()
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no statement timeout")
def test_a_runaway_list_query_is_stopped_with_a_message(client_for, agency_officer, settings, monkeypatch):
    make_establishment(name="Cơ sở chậm")
    settings.KC_LIST_STATEMENT_TIMEOUT_MS = 50
    read = EstablishmentListView.read.__func__

    def slow(cls, **kwargs):
        return read(cls, **kwargs).annotate(slow=RawSQL("pg_sleep(0.5)::text", []))

    monkeypatch.setattr(EstablishmentListView, "read", classmethod(slow))
    client = client_for(agency_officer)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(reverse(LIST), **headers)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Danh sách này đọc quá lâu nên đã bị dừng." in body and "Cơ sở chậm" not in body
    # The limit ended with the page: the session's next query runs unlimited.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_a_national_duplicate_queue_needs_no_semi_join(agency_officer, hatinh_officer):
    first = make_establishment(name="Cơ sở trùng")
    second = make_establishment(name="Cơ sở trùng", commune=first.commune)
    from khuyencong.registry.models import DuplicateCandidate

    DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="same_name_commune")
    national = str(actions.pairs_in_reach(agency_officer).query)
    provincial = str(actions.pairs_in_reach(hatinh_officer).query)
    assert "IN (SELECT" not in national and "IN (SELECT" in provincial
    assert actions.pairs_in_reach(agency_officer).count() == actions.pairs_in_reach(hatinh_officer).count() == 1


def test_filter_choices_are_read_once_and_follow_a_change(client_for, agency_officer):
    from khuyencong.registry.models import IndustryLine

    client = client_for(agency_officer)
    client.get(reverse(LIST))  # fills the caches
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse(LIST)).content.decode()
    assert not [q for q in queries if re.search(r"FROM \"(territory_province|registry_industryline)\"", q["sql"])]
    assert "Hà Tĩnh" in body and "Ngành mới thêm" not in body
    IndustryLine.objects.create(code="9999", name="Ngành mới thêm")
    assert "Ngành mới thêm" in client.get(reverse(LIST)).content.decode()


def test_craft_villages_are_picked_by_name_not_listed(client_for, hatinh_officer):
    from tests.registry.factories import make_village

    village = make_village(name="Làng nghề nón lá Thử Nghiệm")
    for number in range(30):
        make_village(name=f"Làng nghề khác {number}")
    make_establishment(name="Cơ sở trong làng", craft_village=village)
    make_establishment(name="Cơ sở ngoài làng")
    client = client_for(hatinh_officer)
    page = client.get(reverse(LIST)).content.decode()
    assert "Làng nghề khác 7" not in page  # no <option> per village
    found = client.get(reverse("registry:craftvillage_suggest"), {"q": "non la thu"}).content.decode()
    assert f'data-code="{village.pk}"' in found and "Làng nghề khác" not in found
    body = client.get(reverse(LIST), {"craft_village": village.pk}).content.decode()
    assert "Cơ sở trong làng" in body and "Cơ sở ngoài làng" not in body
    assert "Làng nghề nón lá Thử Nghiệm" in body  # the picker shows the chosen village's name
    form = client.get(reverse("registry:establishment_add")).content.decode()
    assert "Làng nghề khác 7" not in form and 'name="craft_village_search"' in form
