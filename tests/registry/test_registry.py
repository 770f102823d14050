import datetime as dt

import pytest
from django.urls import reverse

from khuyencong.audit.models import ObjectChange
from khuyencong.registry.models import DuplicateCandidate, EligibilityRule, Establishment
from khuyencong.registry.services import eligibility, merge_establishments, queue_duplicates
from khuyencong.rulebook.models import LegalDocument
from tests.registry.factories import commune_of, make_establishment, make_village

pytestmark = pytest.mark.django_db

VALID_TAX_CODE = "0100112437"  # a real check-digit-valid code (stdnum's example)


def list_names(client, **params):
    response = client.get(reverse("registry:establishment_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_search_without_accents(client_for, hatinh_officer):
    make_establishment(name="Hợp tác xã Mây tre đan Hà Tĩnh")
    make_establishment(name="Cơ sở Rèn Trung Lương")
    client = client_for(hatinh_officer)
    body = list_names(client, q="tre dan")
    assert "Mây tre đan" in body and "Rèn Trung Lương" not in body
    assert "Mây tre đan" in list_names(client, q="MAY TRE ĐAN")
    assert "Rèn Trung Lương" in list_names(client, q="ren trung luong")
    assert "Rèn Trung Lương" in list_names(client, q="ha tinh")  # place names are searchable too


def test_filters(client_for, agency_officer):
    make_establishment(name="Cơ sở nữ chủ", women_owned=True)
    make_establishment(name="Cơ sở nam chủ", province_code="40")
    client = client_for(agency_officer)
    body = list_names(client, women_owned="1", q="co so")
    assert "Cơ sở nữ chủ" in body and "Cơ sở nam chủ" not in body
    from khuyencong.territory.models import Province

    nghe_an = Province.objects.current().get(code="40")
    body = list_names(client, province=nghe_an.code, q="co so")
    assert "Cơ sở nam chủ" in body and "Cơ sở nữ chủ" not in body


def test_legacy_province_filter(client_for, agency_officer):
    from khuyencong.territory.models import Commune, Province

    legacy = Commune.objects.legacy().filter(province__code="42").first()
    make_establishment(name="Cơ sở có xã cũ", commune=legacy.successor, legacy_commune=legacy)
    make_establishment(name="Cơ sở không có xã cũ")
    legacy_ht = Province.objects.legacy().get(code="42")
    body = list_names(client_for(agency_officer), legacy_province=legacy_ht.code, q="co so")
    assert "Cơ sở có xã cũ" in body and "Cơ sở không có xã cũ" not in body


def test_count_is_capped_not_counted_in_full(client_for, agency_officer, monkeypatch):
    for i in range(12):
        make_establishment(name=f"Cơ sở đếm {i:02}")
    from khuyencong.registry import views

    monkeypatch.setattr(views.EstablishmentListView, "count_cap", 10)
    monkeypatch.setattr(views.EstablishmentListView, "page_size", 5)
    body = list_names(client_for(agency_officer), q="co so dem")
    last_page = list_names(client_for(agency_officer), q="co so dem", page=3)
    assert "trong hơn 10" in body
    assert "11–12" in last_page


def test_sorting(client_for, agency_officer):
    make_establishment(name="Cơ sở A sắp xếp", workers_total=5)
    make_establishment(name="Cơ sở B sắp xếp", workers_total=50)
    body = list_names(client_for(agency_officer), q="sap xep", sort="-workers_total")
    assert body.index("Cơ sở B sắp xếp") < body.index("Cơ sở A sắp xếp")


def test_create_validates_tax_code_and_commune(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    data = {"name": "Cơ sở mới", "legal_form": "household", "commune": commune_of("42").code, "status": "active"}
    response = client.post(reverse("registry:establishment_add"), {**data, "tax_code": "0100112438"})
    assert response.status_code == 200
    assert "không hợp lệ" in response.content.decode()
    response = client.post(reverse("registry:establishment_add"), {**data, "commune": "99999"})
    assert "Không có xã" in response.content.decode()
    assert not Establishment.objects.filter(name="Cơ sở mới").exists()
    response = client.post(reverse("registry:establishment_add"), {**data, "tax_code": "0100-112-437"})
    assert response.status_code == 302
    assert Establishment.objects.get(name="Cơ sở mới").tax_code == VALID_TAX_CODE


def test_same_tax_code_is_refused(client_for, hatinh_officer):
    make_establishment(tax_code=VALID_TAX_CODE)
    data = {"name": "Cơ sở trùng MST", "legal_form": "household", "commune": commune_of("42").code,
            "status": "active", "tax_code": VALID_TAX_CODE}  # fmt: skip
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), data)
    assert response.status_code == 200
    assert "đã có mã số thuế này" in response.content.decode()


def test_women_workers_cannot_exceed_total(client_for, hatinh_officer):
    data = {"name": "Cơ sở lao động", "legal_form": "household", "commune": commune_of("42").code,
            "status": "active", "workers_total": 5, "workers_women": 9}  # fmt: skip
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), data)
    assert response.status_code == 200
    assert not Establishment.objects.filter(name="Cơ sở lao động").exists()


def test_same_folded_name_in_commune_goes_to_review_queue():
    first = make_establishment(name="Cơ sở Mây tre đan Thạch Hà")
    second = make_establishment(name="CƠ SỞ MÂY TRE ĐAN THẠCH HÀ")
    third = make_establishment(name="Co so May tre dan Thach Ha.", commune=commune_of("42", 1))  # other commune
    assert queue_duplicates(second) == 1
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.first_id, candidate.second_id} == {first.pk, second.pk}
    assert candidate.reason == "same_name_commune"
    assert queue_duplicates(third) == 0


def test_close_names_go_to_review_queue():
    make_establishment(name="Hợp tác xã mây tre đan Phú Lộc")
    close = make_establishment(name="Hợp tác xã mây tre đan Phú Lộcc")
    assert queue_duplicates(close) == 1
    assert DuplicateCandidate.objects.get().reason == "similar_name"


def test_merge_keeps_links_and_history(hatinh_officer):
    village = make_village()
    keep = make_establishment(name="Cơ sở giữ lại")
    drop = make_establishment(name="Cơ sở gộp vào", tax_code=VALID_TAX_CODE, craft_village=village, phone="0912345678")
    queue_duplicates(drop)
    merged = merge_establishments(keep=keep, drop=drop, user=hatinh_officer)
    drop.refresh_from_db()
    assert drop.merged_into_id == keep.pk
    assert merged.tax_code == VALID_TAX_CODE and merged.phone == "0912345678" and merged.craft_village == village
    assert not Establishment.objects.live().filter(pk=drop.pk).exists()
    assert ObjectChange.objects.filter(object_id=str(drop.pk), content_type__model="establishment").count() >= 2
    assert ObjectChange.objects.filter(object_id=str(keep.pk), content_type__model="establishment").count() >= 2


def test_merge_from_queue_page(client_for, hatinh_officer):
    first = make_establishment(name="Cơ sở Rèn Nam Hà")
    second = make_establishment(name="Cơ sở rèn Nam Hà")
    queue_duplicates(second)
    client = client_for(hatinh_officer)
    page = client.get(reverse("registry:duplicate_queue")).content.decode()
    assert "Cơ sở Rèn Nam Hà" in page
    candidate = DuplicateCandidate.objects.get()
    response = client.post(reverse("registry:duplicate_queue"), {"candidate": candidate.pk, "decision": "keep_first"})
    assert response.status_code == 302
    kept = first if candidate.first_id == first.pk else second
    gone = second if kept is first else first
    gone.refresh_from_db()
    assert gone.merged_into_id == kept.pk
    candidate.refresh_from_db()
    assert candidate.status == "merged"


def test_queue_is_scoped(client_for, nghean_officer, implementer):
    make_establishment(name="Cơ sở Đúc đồng")
    second = make_establishment(name="Cơ sở đúc đồng")
    queue_duplicates(second)
    assert "Đúc đồng" not in client_for(nghean_officer).get(reverse("registry:duplicate_queue")).content.decode()
    candidate = DuplicateCandidate.objects.get()
    response = client_for(nghean_officer).post(
        reverse("registry:duplicate_queue"), {"candidate": candidate.pk, "decision": "keep_first"}
    )
    assert response.status_code == 404
    assert client_for(implementer).get(reverse("registry:duplicate_queue")).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == "open"


def test_eligibility_follows_the_rule_in_force():
    from khuyencong.territory.models import Commune

    ward = Commune.objects.current().filter(province__code="42", unit_type="ward").first()
    est = make_establishment(commune=ward)
    # Old rule: a ward needs its city's grade, which the territory data does not hold.
    assert eligibility(est, dt.date(2025, 8, 1)).undecided is True
    assert eligibility(est, dt.date(2025, 11, 1)).eligible is True  # Decree 235/2025
    # Rules are data: an administrator can add a new version without code.
    EligibilityRule.objects.create(
        legal_document=LegalDocument.objects.get(number="45/2012/NĐ-CP"),
        legal_basis="Văn bản thử",
        effective_from=dt.date(2030, 1, 1),
        clauses=[],
    )
    assert eligibility(est, dt.date(2030, 6, 1)).eligible is False


def test_recognised_craft_village_makes_eligible_under_new_rule():
    from khuyencong.territory.models import Commune

    ward = Commune.objects.current().filter(province__code="42", unit_type="ward").first()
    village = make_village(recognised=True, decision_number="123/QĐ-UBND", decision_date=dt.date(2020, 1, 1))
    est = make_establishment(commune=ward, craft_village=village)
    EligibilityRule.objects.create(
        legal_document=LegalDocument.objects.get(number="45/2012/NĐ-CP"),
        legal_basis="Thử",
        effective_from=dt.date(2031, 1, 1),
        clauses=[],
        recognised_craft_village=True,
    )
    assert eligibility(est, dt.date(2031, 2, 1)).reason == "craft_village"


def test_detail_shows_eligibility_and_supports_section(client_for, hatinh_officer):
    est = make_establishment()
    body = client_for(hatinh_officer).get(reverse("registry:establishment_detail", args=[est.pk])).content.decode()
    assert 'id="eligibility"' in body and 'id="supports"' in body


class TestApi:
    @pytest.fixture
    def client(self, client, hatinh_officer):
        client.force_login(hatinh_officer)
        return client

    def payload(self, **overrides):
        return {"name": "Cơ sở API", "legal_form": "household", "commune_code": commune_of("42").code, **overrides}

    def test_create_and_update(self, client):
        response = client.post("/api/v1/establishments", self.payload(tax_code=VALID_TAX_CODE), "application/json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["tax_code"] == VALID_TAX_CODE and created["province_code"] == "42"
        response = client.patch(
            f"/api/v1/establishments/{created['id']}", {"name": "Cơ sở API đổi tên"}, "application/json"
        )
        assert response.status_code == 200
        assert response.json()["name"] == "Cơ sở API đổi tên"

    def test_invalid_payload_gives_field_errors(self, client):
        response = client.post("/api/v1/establishments", self.payload(tax_code="123"), "application/json")
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "tax_code"
        assert not Establishment.objects.filter(name="Cơ sở API").exists()

    def test_out_of_scope_create_is_refused(self, client):
        response = client.post("/api/v1/establishments", self.payload(commune_code=commune_of("40").code),
                               "application/json")  # fmt: skip
        assert response.status_code == 422
        assert not Establishment.objects.filter(name="Cơ sở API").exists()

    def test_search_and_cursor(self, client):
        for i in range(5):
            make_establishment(name=f"Cơ sở gốm {i}")
        first = client.get("/api/v1/establishments", {"q": "gom", "limit": 3}).json()
        second = client.get("/api/v1/establishments", {"q": "gom", "limit": 3, "cursor": first["next_cursor"]}).json()
        names = [e["name"] for e in first["items"] + second["items"]]
        assert len(names) == len(set(names)) == 5
        assert second["next_cursor"] is None

    def test_list_query_count_is_bounded(self, client, django_assert_max_num_queries):
        for i in range(20):
            make_establishment(name=f"Cơ sở đếm truy vấn {i}")
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/establishments", {"limit": 100}).json()["items"]) >= 20


def test_list_page_query_count_is_bounded(client_for, agency_officer, django_assert_max_num_queries):
    for i in range(30):
        make_establishment(name=f"Cơ sở trang {i}")
    client = client_for(agency_officer)
    client.get(reverse("registry:establishment_list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("registry:establishment_list")).status_code == 200


def test_creating_a_same_named_record_in_the_form_queues_it(
    client_for, hatinh_officer, django_capture_on_commit_callbacks
):
    existing = make_establishment(name="Cơ sở Gốm Cẩm Hà")
    data = {"name": "CƠ SỞ GỐM CẨM HÀ", "legal_form": "household", "commune": existing.commune.code,
            "status": "active"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the queue is filled once the save commits
        assert client_for(hatinh_officer).post(reverse("registry:establishment_add"), data).status_code == 302
    assert DuplicateCandidate.objects.filter(status="open").count() == 1
