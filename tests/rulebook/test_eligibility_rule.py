"""The registry's eligibility rule is a rule of the rulebook: each version rests on its decree and
matches DOMAIN.md §3 (wards of the six centrally-run cities not eligible from 15/10/2025; city
grades decide for wards before)."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.registry.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNDECIDED, eligibility
from khuyencong.registry.models import EligibilityRule
from khuyencong.territory.models import Commune
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db
BEFORE, FROM = dt.date(2025, 10, 14), dt.date(2025, 10, 15)
SIX_CITIES = {"01", "46", "31", "48", "79", "92"}  # Hà Nội, Huế, Hải Phòng, Đà Nẵng, TP HCM, Cần Thơ


def test_each_version_rests_on_its_decree():
    assert EligibilityRule.in_force(BEFORE).legal_document.number == "45/2012/NĐ-CP"
    assert EligibilityRule.in_force(FROM).legal_document.number == "235/2025/NĐ-CP"


def test_the_six_centrally_run_cities_are_the_city_units(territory):
    from khuyencong.territory.models import Province

    assert set(Province.objects.current().filter(unit_type="city").values_list("code", flat=True)) == SIX_CITIES


@pytest.mark.parametrize("code", sorted(SIX_CITIES))
def test_wards_of_the_six_cities_are_not_eligible_from_15_10_2025(territory, code):
    ward = Commune.objects.current().filter(province__code=code, unit_type="ward").first()
    commune = Commune.objects.current().filter(province__code=code, unit_type="commune").first()
    assert eligibility(make_establishment(commune=ward), FROM).status == NOT_ELIGIBLE
    if commune is not None:  # Đà Nẵng and the others keep rural communes
        assert eligibility(make_establishment(commune=commune), FROM).status == ELIGIBLE


def test_before_15_10_2025_a_ward_depends_on_its_city_grade(territory):
    ward = Commune.objects.current().filter(province__code="42", unit_type="ward").first()
    assert eligibility(make_establishment(commune=ward), FROM).status == ELIGIBLE
    assert eligibility(make_establishment(commune=ward), BEFORE).status == UNDECIDED  # grade not recorded
    clause_texts = [clause["text"] for clause in EligibilityRule.in_force(BEFORE).clauses]
    assert "phường thuộc thành phố loại 2, loại 3" in clause_texts


def test_legal_document_page_lists_the_eligibility_rule(client_for, admin_user):
    from django.urls import reverse

    from khuyencong.rulebook.models import LegalDocument

    document = LegalDocument.objects.get(number="235/2025/NĐ-CP")
    body = client_for(admin_user).get(reverse("rulebook:legaldocument_detail", args=[document.pk])).content.decode()
    assert "15/10/2025" in body and "không gồm phường" in body
