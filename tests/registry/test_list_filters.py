"""One filter spec per list: the page, the API and the export accept the same names and values."""

import pytest
from django.urls import reverse

from khuyencong.kernel.filters import InvalidFilters
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.models import IndustryLine
from khuyencong.registry.selectors import establishment_list
from khuyencong.registry.views import CraftVillageListView, EstablishmentListView
from khuyencong.territory.models import Commune
from tests.registry.factories import commune_of, make_establishment, make_village

pytestmark = pytest.mark.django_db


def page_names(client, **params):
    response = client.get(reverse("registry:establishment_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def api_names(client, **params):
    response = client.get("/api/v1/establishments", params)
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


@pytest.fixture
def sample(territory):
    line = IndustryLine.objects.create(code="3240", name="Sản xuất đồ chơi")
    village = make_village(name="Làng nghề lọc thử", recognised=True)
    legacy = Commune.objects.legacy().filter(province__code="42").exclude(successor=commune_of("42")).first()
    women = make_establishment(name="Cơ sở lọc nữ chủ", women_owned=True, workers_total=3)
    nghe_an = make_establishment(name="Cơ sở lọc Nghệ An", province_code="40", status="closed", workers_total=9)
    old = make_establishment(name="Cơ sở lọc xã cũ", commune=legacy.successor, legacy_commune=legacy,
                             craft_village=village, disadvantaged_area=True, workers_total=5)  # fmt: skip
    old.industry_lines.add(line)
    return {"women": women, "nghe_an": nghe_an, "old": old, "village": village, "legacy": legacy}


# Every filter of the page, by the same name and value on the page and in the API.
CASES = [
    ({"province": "40"}, {"nghe_an"}),
    ({"legacy_province": "42"}, {"old"}),
    ({"status": "closed"}, {"nghe_an"}),
    ({"legal_form": "household"}, {"women", "nghe_an", "old"}),
    ({"industry_line": "3240"}, {"old"}),
    ({"women_owned": "1"}, {"women"}),
    ({"women_owned": "0", "province": "42"}, {"old"}),
    ({"disadvantaged_area": "1"}, {"old"}),
    ({"ethnic_minority_workers": "0", "status": "closed"}, {"nghe_an"}),
]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_page_and_api_apply_the_same_filters(params, expected, sample, client_for, agency_officer):
    client = client_for(agency_officer)
    names = {key: sample[key].name for key in ("women", "nghe_an", "old")}
    body = page_names(client, q="co so loc", **params)
    assert {key for key, name in names.items() if name in body} == expected
    assert {key for key, name in names.items() if name in api_names(client, q="co so loc", **params)} == expected


def test_commune_and_craft_village_filters(sample, client_for, agency_officer):
    client = client_for(agency_officer)
    old, village = sample["old"], sample["village"]
    for params in ({"commune": old.commune.code}, {"craft_village": village.pk}):
        assert api_names(client, q="co so loc", **params) == {old.name}
        body = page_names(client, q="co so loc", **params)
        assert old.name in body and sample["women"].name not in body


def test_api_accepts_true_and_false_for_yes_no_filters(sample, client_for, agency_officer):
    client = client_for(agency_officer)
    assert api_names(client, q="co so loc", women_owned="true") == {sample["women"].name}


def test_page_shows_a_field_message_for_a_bad_value_and_keeps_the_good_filters(sample, client_for, agency_officer):
    body = page_names(client_for(agency_officer), q="co so loc", province="99", status="closed")
    assert "invalid-feedback" in body
    assert sample["nghe_an"].name in body and sample["women"].name not in body  # status still applied


@pytest.mark.parametrize(
    "params",
    [{"province": "99"}, {"province": "abc"}, {"status": "gone"}, {"women_owned": "maybe"},
     {"craft_village": "99999999999999999999999"}, {"commune": "ab"}, {"industry_line": "0000"}],
)  # fmt: skip
def test_api_refuses_bad_filter_values_with_field_errors(params, client_for, agency_officer, territory):
    response = client_for(agency_officer).get("/api/v1/establishments", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [detail["field"] for detail in body["details"]] == list(params)


def test_api_refuses_an_unknown_parameter(client_for, agency_officer, territory):
    response = client_for(agency_officer).get("/api/v1/establishments", {"provnice": "42"})
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "provnice"


def test_province_outside_reach_is_not_offered_and_is_refused(client_for, hatinh_officer, territory):
    client = client_for(hatinh_officer)
    body = page_names(client)
    assert 'value="42"' in body and 'value="40"' not in body
    assert client.get("/api/v1/establishments", {"province": "40"}).status_code == 422


def test_selector_refuses_invalid_filters_and_scopes(sample, hatinh_officer):
    with pytest.raises(InvalidFilters) as caught:
        establishment_list(user=hatinh_officer, filters={"province": "40"})
    assert caught.value.details[0]["field"] == "province"
    names = set(establishment_list(user=hatinh_officer, filters={"q": "co so loc"}).values_list("name", flat=True))
    assert names == {sample["women"].name, sample["old"].name}


def test_selector_sorts_like_the_page(sample, agency_officer):
    rows = establishment_list(user=agency_officer, filters={"q": "co so loc", "sort": "-workers_total"})
    assert [row.name for row in rows] == [sample[k].name for k in ("nghe_an", "old", "women")]
    # A search without a chosen sort is newest first (the speed work on big tables).
    newest = establishment_list(user=agency_officer, filters={"q": "co so loc"}).first()
    assert newest == sample["old"]


def test_craft_village_province_filter_on_page_and_api(client_for, agency_officer, territory):
    make_village(name="Làng nghề lọc Hà Tĩnh")
    make_village(province_code="40", name="Làng nghề lọc Nghệ An")
    client = client_for(agency_officer)
    body = client.get(reverse("registry:craftvillage_list"), {"province": "40", "q": "lang nghe loc"}).content.decode()
    assert "Làng nghề lọc Nghệ An" in body and "Làng nghề lọc Hà Tĩnh" not in body
    items = client.get("/api/v1/craft-villages", {"province": "40", "q": "lang nghe loc"}).json()["items"]
    assert [item["name"] for item in items] == ["Làng nghề lọc Nghệ An"]


def test_org_unit_province_filter_takes_a_code_on_page_and_api(client_for, agency_officer, territory):
    client = client_for(agency_officer)
    body = client.get(reverse("organisation:orgunit_list"), {"province": "42", "q": "so cong thuong"}).content.decode()
    body = body[body.index('id="results"') :]  # the table, not the filter's choices
    assert "Sở Công Thương tỉnh Hà Tĩnh" in body and "Nghệ An" not in body
    items = client.get("/api/v1/org-units", {"province": "42", "kind": "doit"}).json()["items"]
    assert items and {item["province_code"] for item in items} == {"42"}


@pytest.mark.parametrize(("view", "spec"), [(EstablishmentListView, EstablishmentFilters),
                                            (CraftVillageListView, CraftVillageFilters)])  # fmt: skip
def test_every_sortable_column_is_a_sort_of_the_spec(view, spec):
    assert {col.sort for col in view.columns if col.sort} <= set(spec.sorts)


def test_commune_code_without_leading_zeros(agency_officer, territory):
    commune = commune_of("01")  # Hà Nội: codes such as 00004
    assert commune.code.startswith("0")
    here = make_establishment(name="Cơ sở lọc Hà Nội", commune=commune)
    make_establishment(name="Cơ sở lọc nơi khác")
    rows = establishment_list(user=agency_officer, filters={"commune": commune.code.lstrip("0"), "q": "co so loc"})
    assert list(rows) == [here]


def test_org_unit_filters_refuse_bad_values_on_page_and_api(client_for, agency_officer, territory):
    client = client_for(agency_officer)
    body = client.get(reverse("organisation:orgunit_list"), {"kind": "palace"}).content.decode()
    assert "invalid-feedback" in body
    response = client.get("/api/v1/org-units", {"kind": "palace", "province": "99"})
    assert response.status_code == 422
    assert sorted(detail["field"] for detail in response.json()["details"]) == ["kind", "province"]
