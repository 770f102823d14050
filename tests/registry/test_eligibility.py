"""Eligibility by location under Decree 45/2012 as issued and as amended by Decree 235/2025."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from khuyencong.registry.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNDECIDED, eligibility, eligible_q
from khuyencong.registry.models import EligibilityRule, Establishment
from khuyencong.rulebook.models import LegalDocument
from khuyencong.territory.models import Commune, District, Province
from tests.registry.factories import make_establishment, make_village

pytestmark = pytest.mark.django_db

HA_TINH, HA_NOI = "42", "01"
BEFORE = dt.date(2025, 10, 14)  # last day of Decree 45 as issued
FROM = dt.date(2025, 10, 15)  # Decree 235/2025 in force
LATER = dt.date(2026, 11, 30)
OLD = dt.date(2020, 3, 1)  # before the 2025 territory reform


def current(province_code: str, unit_type: str) -> Commune:
    return Commune.objects.current().filter(province__code=province_code, unit_type=unit_type).order_by("code").first()


def legacy(unit_type: str, district_type: str | None = None, province_code: str | None = None) -> Commune:
    units = Commune.objects.legacy().filter(unit_type=unit_type)
    if district_type:
        units = units.filter(district__unit_type=district_type)
    if province_code:
        units = units.filter(province__code=province_code)
    return units.select_related("district", "province").order_by("code").first()


def reloaded(est: Establishment) -> Establishment:
    """The record as a new page request reads it (territory rows edited since are re-read)."""
    return Establishment.objects.get(pk=est.pk)


def establishment_in(province_code: str, unit_type: str, **fields) -> Establishment:
    return make_establishment(commune=current(province_code, unit_type), **fields)


@pytest.mark.parametrize(
    ("province_code", "unit_type", "on", "expected"),
    [
        (HA_TINH, "ward", FROM, ELIGIBLE),  # wards of the 28 provinces
        (HA_TINH, "ward", LATER, ELIGIBLE),
        (HA_TINH, "commune", FROM, ELIGIBLE),
        (HA_NOI, "ward", FROM, NOT_ELIGIBLE),  # not wards of the 6 centrally-run cities
        (HA_NOI, "ward", LATER, NOT_ELIGIBLE),
        (HA_NOI, "commune", FROM, ELIGIBLE),
        (HA_NOI, "commune", BEFORE, ELIGIBLE),  # communes under the old rule too
        (HA_TINH, "ward", BEFORE, UNDECIDED),  # old rule: a ward needs its city's grade
        (HA_NOI, "ward", BEFORE, UNDECIDED),
    ],
)
def test_current_units_on_both_sides_of_15_10_2025(territory, province_code, unit_type, on, expected):
    result = eligibility(establishment_in(province_code, unit_type), on)
    assert result.status == expected
    assert result.rule.effective_from == (FROM if on >= FROM else dt.date(2012, 7, 1))


def test_special_zone_of_a_centrally_run_city_is_eligible_from_15_10_2025(territory):
    zone = Commune.objects.current().filter(unit_type="special_zone", province__unit_type="city").first()
    assert eligibility(make_establishment(commune=zone), FROM).eligible


def test_recognised_craft_village_makes_a_ward_of_ha_noi_eligible(territory):
    recognised = make_village(HA_NOI, recognised=True, decision_number="12/QĐ-UBND", decision_date=dt.date(2019, 5, 1))
    unrecognised = make_village(HA_NOI)
    in_village = establishment_in(HA_NOI, "ward", craft_village=recognised)
    outside = establishment_in(HA_NOI, "ward", craft_village=unrecognised)
    assert eligibility(in_village, FROM).reason == "craft_village"
    assert eligibility(outside, FROM).status == NOT_ELIGIBLE
    # Decree 45 as issued had no craft-village clause: the ward still needs its city's grade.
    assert eligibility(in_village, BEFORE).status == UNDECIDED


def test_legacy_township_is_eligible_before_the_reform(territory):
    township = legacy("township")
    est = establishment_in(HA_TINH, "commune", legacy_commune=township)
    result = eligibility(est, OLD)
    assert result.status == ELIGIBLE
    with translation.override("vi"):
        message = eligibility(est, OLD).message
    assert "thị trấn" in message and "Nghị định 45/2012/NĐ-CP" in message and "Đủ điều kiện" in message


def test_no_legacy_commune_before_the_reform_cannot_be_decided(territory):
    result = eligibility(establishment_in(HA_TINH, "commune"), OLD)
    assert (result.status, result.reason) == (UNDECIDED, "missing_legacy_commune")


def test_legacy_ward_of_a_provincial_city_follows_its_grade(territory):
    ward = legacy("ward", district_type="city")
    est = establishment_in(HA_TINH, "commune", legacy_commune=ward)
    result = eligibility(reloaded(est), OLD)
    assert (result.status, result.reason) == (UNDECIDED, "missing_city_grade")
    with translation.override("vi"):
        assert "Chưa xác định được" in eligibility(reloaded(est), OLD).message

    District.objects.filter(pk=ward.district_id).update(city_grade=2)
    assert eligibility(reloaded(est), OLD).status == ELIGIBLE

    District.objects.filter(pk=ward.district_id).update(city_grade=1)
    assert eligibility(reloaded(est), OLD).reason == "missing_ward_since"
    Commune.objects.filter(pk=ward.pk).update(ward_since=dt.date(2017, 1, 1))
    assert eligibility(reloaded(est), OLD).status == ELIGIBLE
    Commune.objects.filter(pk=ward.pk).update(ward_since=dt.date(2014, 1, 1))  # more than 5 years before
    assert eligibility(reloaded(est), OLD).status == NOT_ELIGIBLE

    District.objects.filter(pk=ward.district_id).update(city_grade=0)
    assert eligibility(reloaded(est), OLD).status == NOT_ELIGIBLE


def test_legacy_ward_of_a_quan_takes_the_centrally_run_city_grade(territory):
    ward = legacy("ward", district_type="urban_district", province_code=HA_NOI)
    est = establishment_in(HA_NOI, "commune", legacy_commune=ward)
    assert eligibility(reloaded(est), OLD).reason == "missing_city_grade"
    Province.objects.filter(pk=ward.province_id).update(city_grade=0)  # special grade
    assert eligibility(reloaded(est), OLD).status == NOT_ELIGIBLE


def test_legacy_ward_of_a_town_is_eligible(territory):
    ward = legacy("ward", district_type="town")
    assert eligibility(establishment_in(HA_TINH, "commune", legacy_commune=ward), OLD).eligible


def test_reason_names_the_clause_and_the_legal_version_in_vietnamese(territory):
    est = establishment_in(HA_NOI, "ward")
    with translation.override("vi"):
        refused = eligibility(est, FROM).message
        accepted = eligibility(establishment_in(HA_NOI, "commune"), FROM).message
    assert refused.startswith("Không đủ điều kiện theo Nghị định 45/2012/NĐ-CP, sửa đổi bởi Nghị định 235/2025/NĐ-CP")
    assert "Thành phố Hà Nội" in refused
    assert "xã, đặc khu thuộc thành phố trực thuộc trung ương" in accepted


def test_without_a_rule_in_force_it_cannot_decide(territory):
    result = eligibility(establishment_in(HA_TINH, "ward"), dt.date(2010, 1, 1))
    assert (result.status, result.rule) == (UNDECIDED, None)


def test_seeded_rules_exist_after_migrate():
    rules = list(EligibilityRule.objects.order_by("effective_from"))
    assert [(r.effective_from, r.effective_to) for r in rules] == [
        (dt.date(2012, 7, 1), BEFORE),
        (FROM, None),
    ]
    old, new = rules
    assert old.legal_basis.startswith("Nghị định 45/2012/NĐ-CP") and not old.recognised_craft_village
    assert "235/2025" in new.legal_basis and new.recognised_craft_village
    assert {t for c in old.clauses for t in c["unit_types"]} == {"commune", "township", "ward", "special_zone"}
    assert any(c.get("confirm") for c in old.clauses)
    for rule in rules:
        rule.full_clean()


def test_a_new_rule_version_is_data(territory):
    est = establishment_in(HA_NOI, "ward")
    EligibilityRule.objects.create(
        legal_document=LegalDocument.objects.get(number="45/2012/NĐ-CP"),
        legal_basis="Văn bản thử",
        effective_from=dt.date(2030, 1, 1),
        clauses=[{"text": "phường", "unit_types": ["ward"], "parent": "any"}],
    )
    assert eligibility(est, dt.date(2029, 12, 31)).status == NOT_ELIGIBLE
    assert eligibility(est, dt.date(2030, 1, 1)).status == ELIGIBLE


@pytest.mark.parametrize(
    "clauses",
    [
        "xã",
        [{"unit_types": ["commune"]}],
        [{"text": "xã", "unit_types": ["village"]}],
        [{"text": "xã", "unit_types": ["commune"], "parent": "district"}],
        [{"text": "xã", "unit_types": ["commune"], "city_grades": ["hai"]}],
        [{"text": "xã", "unit_types": ["commune"], "grade": 2}],
    ],
)
def test_malformed_clauses_are_refused_with_a_message(clauses):
    rule = EligibilityRule(legal_basis="Thử", effective_from=dt.date(2030, 1, 1), clauses=clauses)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "clauses" in error.value.message_dict


def test_list_filter_matches_the_evaluation(territory):
    ht_ward = establishment_in(HA_TINH, "ward")
    hn_ward = establishment_in(HA_NOI, "ward")
    hn_commune = establishment_in(HA_NOI, "commune")
    township = establishment_in(HA_TINH, "commune", legacy_commune=legacy("township"))
    for on in (FROM, LATER, OLD):
        picked = set(Establishment.objects.filter(eligible_q(on)).values_list("pk", flat=True))
        for est in (ht_ward, hn_ward, hn_commune, township):
            assert (est.pk in picked) == eligibility(est, on).eligible, (on, est.commune)


def _mixed_records() -> list[Establishment]:
    """A record of each kind the rules tell apart: wards and communes inside and outside the
    centrally-run cities, a township before the reform, no commune of the time, craft villages
    recognised or not."""
    recognised = make_village(HA_NOI, recognised=True, decision_number="7/QĐ-UBND", decision_date=dt.date(2018, 1, 2))
    return [
        establishment_in(HA_TINH, "ward", legacy_commune=legacy("ward", province_code=HA_TINH)),
        establishment_in(HA_NOI, "ward"),
        establishment_in(HA_NOI, "commune", legacy_commune=legacy("commune", province_code=HA_NOI)),
        establishment_in(HA_TINH, "commune", legacy_commune=legacy("township")),
        establishment_in(HA_NOI, "ward", craft_village=recognised),
        establishment_in(HA_NOI, "ward", craft_village=make_village(HA_NOI)),
        establishment_in(HA_NOI, "ward", legacy_commune=legacy("ward", "urban_district", HA_NOI)),
    ]


@pytest.mark.parametrize("on", [OLD, BEFORE, FROM, LATER])
def test_the_list_filter_both_ways_agrees_with_the_evaluation(territory, on):
    """``eligible=1`` keeps exactly the records :func:`eligibility` calls eligible on that day and
    ``eligible=0`` exactly the others (not eligible or undecided), under each legal version."""
    from khuyencong.registry.eligibility import eligibility_filter

    records = _mixed_records()
    ids = [est.pk for est in records]
    rows = Establishment.objects.filter(pk__in=ids)
    yes = set(rows.filter(eligibility_filter(True, on)).values_list("pk", flat=True))
    no = set(rows.filter(eligibility_filter(False, on)).values_list("pk", flat=True))
    assert yes | no == set(ids) and not yes & no
    for est in records:
        assert (est.pk in yes) == eligibility(reloaded(est), on).eligible, (on, est.commune, est.legacy_commune)


def test_the_list_page_filter_and_the_detail_page_agree(client_for, agency_officer, territory):
    """What the list shows under "Eligible today" yes / no is what each record's page says."""
    records = _mixed_records()
    client = client_for(agency_officer)
    listed = {}
    for value in ("1", "0"):
        body = client.get(reverse("registry:establishment_list"), {"eligible": value}).content.decode()
        listed[value] = {est.pk for est in records if f'href="/establishments/{est.pk}/"' in body}
    assert listed["1"] | listed["0"] == {est.pk for est in records}
    for est in records:
        detail = client.get(reverse("registry:establishment_detail", args=[est.pk]))
        assert (est.pk in listed["1"]) == detail.context["eligibility"].eligible, est.commune


def test_detail_page_shows_the_reason(client_for, hatinh_officer, nghean_officer, territory):
    est = establishment_in(HA_TINH, "ward")
    url = reverse("registry:establishment_detail", args=[est.pk])
    with translation.override("vi"):
        body = client_for(hatinh_officer).get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'id="eligibility-reason"' in body
    assert "xã, phường, đặc khu thuộc tỉnh" in body
    assert client_for(nghean_officer).get(url).status_code == 404


def test_admin_refuses_a_malformed_clause_without_saving(client_for, admin_user):
    before = EligibilityRule.objects.count()
    data = {
        "legal_document": LegalDocument.objects.get(number="235/2025/NĐ-CP").pk,
        "legal_basis": "Văn bản thử",
        "effective_from": "2030-01-01",
        "clauses": '[{"text": "xã", "unit_types": ["village"]}]',
        "note": "",
    }
    response = client_for(admin_user).post("/admin/registry/eligibilityrule/add/", data)
    assert response.status_code == 200
    assert "Clause 1" in response.content.decode() or "Địa bàn thứ 1" in response.content.decode()
    assert EligibilityRule.objects.count() == before
    data["clauses"] = '[{"text": "xã", "unit_types": ["commune"], "parent": "any"}]'
    assert client_for(admin_user).post("/admin/registry/eligibilityrule/add/", data).status_code == 302
    assert EligibilityRule.objects.get(legal_basis="Văn bản thử").clauses[0]["unit_types"] == ["commune"]


def test_city_grade_and_ward_date_can_be_filled_later_from_the_command_line(territory):
    ward = legacy("ward", district_type="city")
    est = establishment_in(HA_TINH, "commune", legacy_commune=ward)
    call_command("seturbandata", district=ward.district.code, grade=1, stdout=StringIO())
    assert eligibility(reloaded(est), OLD).reason == "missing_ward_since"
    call_command("seturbandata", commune=ward.code, ward_since=dt.date(2018, 6, 1), stdout=StringIO())
    assert eligibility(reloaded(est), OLD).status == ELIGIBLE
    with pytest.raises(CommandError):
        call_command("seturbandata", district="99999", grade=2, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("seturbandata", commune=ward.code, stdout=StringIO())
    assert Commune.objects.get(pk=ward.pk).ward_since == dt.date(2018, 6, 1)
