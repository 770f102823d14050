import datetime as dt

import pytest

from khuyencong.rulebook.models import ActivityContent, LegalDocument

pytestmark = pytest.mark.django_db


def test_legal_texts_of_the_domain_are_seeded_with_their_relations():
    decree_235 = LegalDocument.objects.get(number="235/2025/NĐ-CP")
    assert decree_235.effective_from == dt.date(2025, 10, 15)
    assert list(decree_235.amends.values_list("number", flat=True)) == ["45/2012/NĐ-CP"]
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    assert tt28.replaces.number == "26/2014/TTLT-BTC-BCT"
    assert LegalDocument.objects.get(number="26/2014/TTLT-BTC-BCT").replaced_by.get() == tt28
    for number in ("2990/BCT-CTĐP", "8474/BCT-CTĐP", "2646/QĐ-BCT", "1881/QĐ-TTg", "1288/QĐ-TTg"):
        assert LegalDocument.objects.filter(number=number).exists()
    assert "xác nhận" in LegalDocument.objects.get(number="64/2024/TT-BTC").to_confirm


def test_search_text_is_accent_folded():
    assert LegalDocument.objects.filter(search_text__contains="binh chon san pham").count() >= 3


def test_activity_catalogue_changes_on_15_10_2025():
    before = list(ActivityContent.in_force_on(dt.date(2025, 10, 14)).values_list("catalogue", flat=True))
    after = list(ActivityContent.in_force_on(dt.date(2025, 10, 15)).values_list("catalogue", flat=True))
    assert set(before) == {"2012"} and len(before) == 10
    assert set(after) == {"2025"} and len(after) == 12
    assert ActivityContent.objects.filter(catalogue="2025", name__icontains="chuyển đổi số").exists()
