"""The establishment form for an official (ux review P1.7): the commune picked by its name among
the communes in reach, amounts typed as people write them, errors listed at the top."""

from __future__ import annotations

import pytest
from django.urls import reverse

from khuyencong.registry.models import CraftVillage, Establishment
from khuyencong.territory.models import Commune
from tests.registry.factories import make_establishment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]
SUGGEST = "registry:establishment_commune_suggest"


def suggest(client, query: str, url: str = SUGGEST) -> str:
    response = client.get(reverse(url), {"commune_search": query})
    assert response.status_code == 200
    return response.content.decode()


def test_suggestions_match_names_without_accents_in_the_users_provinces(client_for, hatinh_officer, territory):
    body = suggest(client_for(hatinh_officer), "thach ha")
    assert "Xã Thạch Hà, Tỉnh Hà Tĩnh" in body and 'data-code="18562"' in body
    assert "Thạch Thất" not in body  # same word, Hà Nội: not in this officer's reach
    assert 'data-code="18604"' in suggest(client_for(hatinh_officer), "18604")  # a code works too


def test_suggestions_outside_the_users_reach_are_not_offered(client_for, hatinh_officer, nghean_officer, outsider,
                                                            territory):  # fmt: skip
    assert "Thành Vinh" not in suggest(client_for(hatinh_officer), "thanh vinh")
    assert "Không có xã/phường nào bạn quản lý" in suggest(client_for(hatinh_officer), "thanh vinh")
    assert "Phường Thành Vinh, Tỉnh Nghệ An" in suggest(client_for(nghean_officer), "thanh vinh")
    assert "data-code" not in suggest(client_for(outsider), "thanh")


def test_suggestions_need_a_login(client, territory):
    response = client.get(reverse(SUGGEST), {"q": "thach"})
    assert response.status_code == 302 and "data-code" not in response.content.decode()


def test_a_commune_before_2025_is_offered_as_its_successor_and_says_so(client_for, hatinh_officer, territory):
    body = suggest(client_for(hatinh_officer), "phuong bac ha")
    assert "Phường Bắc Hà → Phường Thành Sen, Tỉnh Hà Tĩnh" in body
    assert 'data-code="18073"' in body and 'data-code="18077"' not in body
    assert "trước 1/7/2025" in body and "nay thuộc Phường Thành Sen" in body


def test_suggestions_are_limited_and_say_so(client_for, agency_officer, territory):
    body = suggest(client_for(agency_officer), "xa")
    assert body.count("data-code=") == 15
    assert "15 xã/phường đầu tiên" in body


def test_bad_queries_answer_an_empty_list(client_for, hatinh_officer, territory):
    client = client_for(hatinh_officer)
    for query in ("", "   ", "x" * 5000, "%", "_"):
        assert "data-code" not in suggest(client, query)
    response = client.get(reverse(SUGGEST), {"q": "thach\x00"})
    assert response.status_code in (200, 400) and "data-code" not in response.content.decode()


def test_craft_village_picker_follows_the_craft_village_reach(client_for, hatinh_officer, territory):
    body = suggest(client_for(hatinh_officer), "thach khe", "registry:craftvillage_commune_suggest")
    assert 'data-code="18604"' in body


FORM = {"name": "Cơ sở mây tre Thạch Hà", "legal_form": "household", "status": "active"}


def test_the_form_shows_the_picker_with_the_chosen_communes_name(client_for, hatinh_officer, territory):
    record = make_establishment(commune=Commune.objects.current().get(code="18562"))
    body = client_for(hatinh_officer).get(reverse("registry:establishment_edit", args=[record.pk])).content.decode()
    assert 'type="hidden" name="commune" value="18562"' in body
    assert 'value="Xã Thạch Hà, Tỉnh Hà Tĩnh"' in body
    assert reverse(SUGGEST) in body and "kc/picker.js" in body


def test_a_code_before_2025_is_refused_naming_the_successor(client_for, hatinh_officer, territory):
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), {**FORM, "commune": "18077"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "18077 là mã của Phường Bắc Hà trước 1/7/2025" in body and "Phường Thành Sen (mã 18073)" in body
    assert not Establishment.objects.exists()


def test_a_commune_outside_the_users_reach_is_refused(client_for, hatinh_officer, territory):
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), {**FORM, "commune": "16681"})
    assert "nằm ngoài các tỉnh/thành phố bạn quản lý" in response.content.decode()
    assert not Establishment.objects.exists()


def test_without_javascript_a_typed_code_is_accepted(client_for, hatinh_officer, territory):
    response = client_for(hatinh_officer).post(
        reverse("registry:establishment_add"), {**FORM, "commune": "", "commune_search": "18562"}
    )
    assert response.status_code == 302
    assert Establishment.objects.get().commune.code == "18562"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2.080.000.000", 2_080_000_000), ("2,08 tỷ", 2_080_000_000), ("150 triệu", 150_000_000),
     ("5600000000", 5_600_000_000), ("2.080.000.000 đ", 2_080_000_000)],
)  # fmt: skip
def test_amounts_are_read_as_people_write_them(client_for, hatinh_officer, territory, typed, stored):
    data = {**FORM, "commune": "18562", "annual_revenue": typed, "founding_year": "15/05/2015"}
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), data)
    assert response.status_code == 302
    record = Establishment.objects.get()
    assert (record.annual_revenue, record.founding_year) == (stored, 2015)


def test_an_amount_is_shown_grouped_with_dots_when_editing(client_for, hatinh_officer, territory):
    record = make_establishment(annual_revenue=5_600_000_000)
    body = client_for(hatinh_officer).get(reverse("registry:establishment_edit", args=[record.pk])).content.decode()
    assert 'value="5.600.000.000"' in body


def test_a_bad_amount_is_an_error_listed_at_the_top_and_nothing_is_saved(client_for, hatinh_officer, territory):
    data = {**FORM, "name": "", "commune": "18562", "annual_revenue": "hai tỷ", "founding_year": "-5"}
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Establishment.objects.exists()
    summary = body[body.index('id="form-errors"') : body.index("</ul>", body.index('id="form-errors"'))]
    assert "3 trường" in summary
    assert 'href="#id_name"' in summary and 'href="#id_annual_revenue"' in summary
    assert "Doanh thu năm (đồng): “hai tỷ” không phải số nguyên." in summary
    assert 'aria-invalid="true"' in body and "is-invalid" in body


def test_the_long_form_is_grouped_in_sections(client_for, hatinh_officer, territory):
    body = client_for(hatinh_officer).get(reverse("registry:establishment_add")).content.decode()
    for title in ("Thông tin chung", "Địa bàn", "Lao động và doanh thu", "Liên hệ"):
        assert f"<legend>{title}</legend>" in body
    assert body.index("id_commune") < body.index("id_annual_revenue") < body.index("id_phone")


def test_craft_village_form_saves_a_commune_from_the_picker(client_for, hatinh_officer, territory):
    response = client_for(hatinh_officer).post(
        reverse("registry:craftvillage_add"), {"name": "Làng nghề nón lá", "commune": "18604"}
    )
    assert response.status_code == 302
    assert CraftVillage.objects.get().commune.code == "18604"


def test_industry_lines_picker_keeps_a_plain_multiple_select_with_folded_names(client_for, hatinh_officer):
    """The chips and search box are drawn by static/kc/multipicker.js; the page itself carries a
    plain <select multiple> (what a browser without JavaScript shows and what the form submits),
    each option with its name folded for the search, and no inline script."""
    from khuyencong.registry.models import IndustryLine

    line = IndustryLine.objects.filter(valid_to__isnull=True, code="1020").first()
    assert line is not None
    client = client_for(hatinh_officer)
    html = client.get(reverse("registry:establishment_add")).content.decode()
    assert "data-multi-picker" in html and 'select name="industry_lines"' in html and " multiple" in html
    assert f'value="{line.pk}" data-search="1020 – che bien, bao quan thuy san' in html
    assert 'id="id_industry_lines_search"' in html and 'role="combobox"' in html
    assert "kc/multipicker.js" in html and "<script>" not in html
    response = client.post(
        reverse("registry:establishment_add"),
        {"name": "Cơ sở cá khô", "legal_form": "household", "commune": "18562", "status": "active",
         "industry_lines": [line.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(Establishment.objects.get(name="Cơ sở cá khô").industry_lines.all()) == [line]
