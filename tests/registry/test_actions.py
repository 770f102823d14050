"""registry.actions: each action allowed, refused with its code, and nothing changed on refusal;
then the same actions through the pages and the API (the audit's F1, F8, F9, F12, F15, F16)."""

import pytest
from django.urls import reverse

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.registry import actions
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, DuplicateDecision, Establishment, IndustryLine
from khuyencong.registry.services import queue_duplicates
from tests.registry.factories import commune_of, make_establishment, make_village

pytestmark = pytest.mark.django_db

VALID_TAX_CODE = "0100112437"


def lines(n):
    return list(IndustryLine.objects.filter(valid_to__isnull=True).order_by("code")[:n])


def make_pair(name="Cơ sở Mây tre Thạch Hà", **fields):
    first = make_establishment(name=name, **fields)
    second = make_establishment(name=name.upper(), **fields)
    queue_duplicates(second)
    return DuplicateCandidate.objects.get(first=first, second=second)


def row(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


# --- save_establishment -----------------------------------------------------------------------


def new_values(province="42", **overrides):
    return {"name": "Cơ sở Hành động", "legal_form": "household", "commune": commune_of(province), **overrides}


def test_create_records_the_creator_and_queues_duplicates_after_commit(
    hatinh_officer, django_capture_on_commit_callbacks
):
    make_establishment(name="Cơ sở Hành động")
    with django_capture_on_commit_callbacks(execute=True):
        est = actions.save_establishment(user=hatinh_officer, values=new_values(), industry_line_ids=[lines(1)[0].pk])
        assert not DuplicateCandidate.objects.exists()  # only once the save is committed
    assert est.created_by == hatinh_officer and est.province.code == "42"
    assert [line.pk for line in est.industry_lines.all()] == [lines(1)[0].pk]
    assert DuplicateCandidate.objects.filter(status="open").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"workers_total": 3, "workers_women": 4}, "workers_women"),
        ({"tax_code": "0100112438"}, "tax_code"),
        ({"name": ""}, "name"),
        ({"latitude": 50.0}, "latitude"),
    ],
)
def test_invalid_values_are_refused_with_field_messages(hatinh_officer, overrides, field):
    with pytest.raises(Invalid) as refused:
        actions.save_establishment(user=hatinh_officer, values=new_values(**overrides))
    assert refused.value.status == 422 and field in refused.value.errors
    assert not Establishment.objects.exists()


def test_unknown_industry_lines_are_refused(hatinh_officer):
    with pytest.raises(Invalid) as refused:
        actions.save_establishment(user=hatinh_officer, values=new_values(), industry_line_ids=[2**70, 1])
    assert "industry_lines" in refused.value.errors
    assert not Establishment.objects.exists()


def test_create_refusals(hatinh_officer, implementer):
    with pytest.raises(ActionRefused) as refused:
        actions.save_establishment(user=implementer, values=new_values())
    assert refused.value.code == "forbidden" and refused.value.status == 403
    with pytest.raises(Invalid) as refused:
        actions.save_establishment(user=hatinh_officer, values=new_values("40"))
    assert "commune" in refused.value.errors
    assert not Establishment.objects.exists()


def test_change_of_a_record_out_of_reach_is_not_found(hatinh_officer):
    other = make_establishment("40")
    before = row(other)
    with pytest.raises(ActionRefused) as refused:
        actions.save_establishment(user=hatinh_officer, values={"name": "Đổi"}, instance=other)
    assert refused.value.code == "not_found"
    assert row(other) == before


def test_change_keeps_the_fields_not_given(hatinh_officer):
    est = make_establishment(tax_code=VALID_TAX_CODE, phone="0912345678", workers_total=9)
    est.industry_lines.set(lines(2))
    actions.save_establishment(user=hatinh_officer, values={"name": "Tên mới"}, instance=est)
    est.refresh_from_db()
    assert (est.name, est.tax_code, est.phone, est.workers_total) == ("Tên mới", VALID_TAX_CODE, "0912345678", 9)
    assert est.industry_lines.count() == 2


# F12: a key used in another province is "already registered", without saying where or by whom.
def test_a_key_used_out_of_reach_is_not_named(hatinh_officer, vietnamese):
    make_establishment("40", name="Cơ sở Nghệ An kín", tax_code=VALID_TAX_CODE, external_id="NA-7")
    for values in ({"tax_code": VALID_TAX_CODE}, {"external_id": "NA-7"}):
        with pytest.raises(Invalid) as refused:
            actions.save_establishment(user=hatinh_officer, values=new_values(**values))
        message = next(iter(refused.value.errors.values()))
        assert "đã được đăng ký" in message and "Nghệ An" not in message
    assert not Establishment.objects.filter(province__code="42").exists()


def test_a_key_used_in_reach_names_the_record(hatinh_officer, vietnamese):
    make_establishment(name="Cơ sở Hà Tĩnh có mã", tax_code=VALID_TAX_CODE)
    with pytest.raises(Invalid) as refused:
        actions.save_establishment(user=hatinh_officer, values=new_values(tax_code=VALID_TAX_CODE))
    assert "Cơ sở Hà Tĩnh có mã" in refused.value.errors["tax_code"]


# F16: the craft village must be in the establishment's commune.
def test_a_village_of_another_commune_or_province_is_refused(agency_officer, hatinh_officer):
    elsewhere = CraftVillage.objects.create(name="Làng khác xã", commune=commune_of("42", 1))
    other_province = make_village("40", name="Làng NGHEAN-SECRET")
    for user, village in ((hatinh_officer, elsewhere), (agency_officer, other_province)):
        with pytest.raises(Invalid) as refused:
            actions.save_establishment(user=user, values=new_values(craft_village=village))
        assert "craft_village" in refused.value.errors
    assert not Establishment.objects.exists()
    same = make_village()  # in commune_of("42"), like new_values()
    assert actions.save_establishment(user=hatinh_officer, values=new_values(craft_village=same)).craft_village == same


# --- duplicate review -------------------------------------------------------------------------


def test_dismiss_records_who_when_and_why(hatinh_officer):
    pair = make_pair()
    actions.dismiss_duplicate(candidate=pair, user=hatinh_officer, comment="Hai chủ khác nhau")
    pair.refresh_from_db()
    assert pair.status == "dismissed" and pair.reviewed_by == hatinh_officer and pair.reviewed_at
    decision = DuplicateDecision.objects.get(candidate=pair)
    assert (decision.action, decision.user, decision.comment) == ("dismiss", hatinh_officer, "Hai chủ khác nhau")


def test_dismiss_refusals_change_nothing(hatinh_officer, nghean_officer, implementer):
    pair = make_pair()
    before = row(pair)
    for user, code in ((nghean_officer, "forbidden"), (implementer, "forbidden")):
        with pytest.raises(ActionRefused) as refused:
            actions.dismiss_duplicate(candidate=pair, user=user)
        assert refused.value.code == code
    assert row(pair) == before and not DuplicateDecision.objects.exists()
    actions.dismiss_duplicate(candidate=pair, user=hatinh_officer)
    with pytest.raises(ActionRefused) as refused:
        actions.dismiss_duplicate(candidate=DuplicateCandidate.objects.get(pk=pair.pk), user=hatinh_officer)
    assert refused.value.code == "wrong_state"
    assert DuplicateDecision.objects.count() == 1


def test_a_pair_with_a_record_moved_out_of_reach_is_not_found(hatinh_officer):
    pair = make_pair()
    pair.second.commune = commune_of("40")
    pair.second.save()
    with pytest.raises(ActionRefused) as refused:
        actions.merge_duplicate(candidate=pair, keep="first", user=hatinh_officer)
    assert refused.value.code == "not_found"
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open"
    assert Establishment.objects.live().count() == 2


# F1: a merge of records sharing an industry line (and other links) unions them, no 500.
def test_merge_unions_shared_lines_and_moves_every_link(hatinh_officer):
    shared, own_first, own_second = lines(3)
    pair = make_pair()
    keep, drop = pair.first, pair.second
    keep.industry_lines.set([shared, own_first])
    drop.industry_lines.set([shared, own_second])
    absorbed = make_establishment(name="Bản ghi đã gộp trước")
    absorbed.merged_into = drop
    absorbed.save()
    third = make_establishment(name=drop.name + "x")
    queue_duplicates(third)
    other_pair = DuplicateCandidate.objects.get(first=drop, second=third)

    kept = actions.merge_duplicate(candidate=pair, keep="first", user=hatinh_officer, comment="Cùng chủ")

    assert kept.pk == keep.pk
    assert set(kept.industry_lines.all()) == {shared, own_first, own_second}
    drop.refresh_from_db()
    absorbed.refresh_from_db()
    assert drop.merged_into_id == keep.pk and absorbed.merged_into_id == keep.pk
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "merged"
    assert DuplicateCandidate.objects.get(pk=other_pair.pk).status == "merged"
    decisions = DuplicateDecision.objects.order_by("pk")
    assert [(d.candidate_id, d.action, d.comment) for d in decisions] == [
        (pair.pk, "merge", "Cùng chủ"),
        (other_pair.pk, "merge", ""),
    ]
    assert decisions[1].data["with_pair"] == pair.pk


def test_merge_refusals_change_nothing(hatinh_officer, implementer, vietnamese):
    pair = make_pair()
    before = row(pair.first), row(pair.second)
    with pytest.raises(ActionRefused) as refused:
        actions.merge_duplicate(candidate=pair, keep="both", user=hatinh_officer)
    assert refused.value.code == "invalid_choice" and refused.value.field == "keep"
    with pytest.raises(ActionRefused) as refused:
        actions.merge_duplicate(candidate=pair, keep="first", user=implementer)
    assert refused.value.code == "forbidden"
    pair.second.merged_into = make_establishment(name="Nơi khác")
    pair.second.save()
    with pytest.raises(ActionRefused) as refused:
        actions.merge_duplicate(candidate=pair, keep="first", user=hatinh_officer)
    assert refused.value.code == "already_merged" and "đã được gộp" in refused.value.message
    assert row(pair.first) == before[0]
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open" and not DuplicateDecision.objects.exists()


# --- craft villages ---------------------------------------------------------------------------


# F9: deleting a village still linked to records is refused and says how many; nothing is unlinked.
def test_deleting_a_linked_village_is_refused_with_the_count(client_for, hatinh_officer, vietnamese):
    village = make_village()
    linked = [make_establishment(craft_village=village) for _ in range(2)]
    client = client_for(hatinh_officer)
    page = client.get(reverse("registry:craftvillage_delete", args=[village.pk])).content.decode()
    assert 'id="delete-refused"' in page and "2 cơ sở" in page and 'id="confirm-delete"' not in page
    response = client.post(reverse("registry:craftvillage_delete", args=[village.pk]), follow=True)
    assert "2 cơ sở" in response.content.decode()
    assert CraftVillage.objects.filter(pk=village.pk).exists()
    assert all(Establishment.objects.get(pk=e.pk).craft_village_id == village.pk for e in linked)


def test_deleting_a_village_only_merged_records_point_at_logs_their_unlinking(hatinh_officer):
    village = make_village()
    old = make_establishment(craft_village=village)
    old.merged_into = make_establishment()
    old.save()
    village_pk = village.pk
    actions.delete_craft_village(village=village, user=hatinh_officer)
    assert not CraftVillage.objects.filter(pk=village_pk).exists()
    old.refresh_from_db()
    assert old.craft_village_id is None
    change = ObjectChange.objects.filter(object_id=str(old.pk), action="update").latest("pk")
    assert (
        change.prechange_data["craft_village_id"] == village_pk and change.postchange_data["craft_village_id"] is None
    )


def test_deleting_a_village_out_of_reach_is_not_found(nghean_officer):
    village = make_village()
    with pytest.raises(ActionRefused) as refused:
        actions.delete_craft_village(village=village, user=nghean_officer)
    assert refused.value.code == "not_found" and CraftVillage.objects.filter(pk=village.pk).exists()


# --- through the pages ------------------------------------------------------------------------


def test_queue_merge_of_a_pair_sharing_a_line_succeeds(client_for, hatinh_officer):
    pair = make_pair()
    pair.first.industry_lines.set(lines(1))
    pair.second.industry_lines.set(lines(1))
    response = client_for(hatinh_officer).post(
        reverse("registry:duplicate_queue"), {"candidate": pair.pk, "decision": "keep_first"}
    )
    assert response.status_code == 302
    assert Establishment.objects.get(pk=pair.second.pk).merged_into_id == pair.first.pk


def test_the_queue_buttons_post_to_the_action_view(client_for, hatinh_officer):
    import re

    pair = make_pair()
    client = client_for(hatinh_officer)
    page = client.get(reverse("registry:duplicate_queue")).content.decode()
    merge_url = reverse("registry:duplicatecandidate_action", args=[pair.pk, "merge"])
    assert re.search(rf'action="{merge_url}"[^>]*>.*?name="keep" value="first"', page)
    response = client.post(merge_url, {"keep": "first"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:establishment_detail", args=[pair.first.pk]
    )
    assert Establishment.objects.get(pk=pair.second.pk).merged_into_id == pair.first.pk


def test_action_view_dismisses_and_refuses_with_a_translated_message(client_for, hatinh_officer, nghean_officer):
    pair = make_pair()
    url = reverse("registry:duplicatecandidate_action", args=[pair.pk, "dismiss"])
    assert client_for(nghean_officer).post(url).status_code == 404
    assert client_for(hatinh_officer).get(url).status_code == 405
    client = client_for(hatinh_officer)
    assert client.post(url, {"comment": "Khác nhau"}).status_code == 302
    assert DuplicateDecision.objects.get().comment == "Khác nhau"
    body = client.post(url, follow=True).content.decode()
    assert "trạng thái hiện tại" in body  # wrong_state, in Vietnamese
    assert DuplicateDecision.objects.count() == 1


def test_htmx_action_returns_the_buttons_partial(client_for, hatinh_officer):
    pair = make_pair()
    url = reverse("registry:duplicatecandidate_action", args=[pair.pk, "dismiss"])
    response = client_for(hatinh_officer).post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="actions-{pair.pk}"' in body and "<html" not in body


def test_queue_pages_through_every_pair(client_for, hatinh_officer):
    records = [make_establishment(name=f"Cơ sở {i}") for i in range(54)]
    for first, second in zip(records[::2], records[1::2], strict=True):
        DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="similar_name")
    client = client_for(hatinh_officer)
    first = client.get(reverse("registry:duplicate_queue")).content.decode()
    second = client.get(reverse("registry:duplicate_queue"), {"page": 2}).content.decode()
    ids = {p.pk for p in DuplicateCandidate.objects.all()}
    shown = {pk for pk in ids if f'id="candidate-{pk}"' in first or f'id="candidate-{pk}"' in second}
    assert len(ids) == 27 and shown == ids and first.count('id="candidate-') == 25


def test_form_create_records_the_creator(client_for, hatinh_officer):
    data = {"name": "Cơ sở người tạo", "legal_form": "household", "commune": commune_of("42").code,
            "status": "active"}  # fmt: skip
    assert client_for(hatinh_officer).post(reverse("registry:establishment_add"), data).status_code == 302
    assert Establishment.objects.get(name="Cơ sở người tạo").created_by == hatinh_officer


def test_form_refuses_a_village_of_another_commune(client_for, hatinh_officer, vietnamese):
    village = CraftVillage.objects.create(name="Làng xã bên", commune=commune_of("42", 1))
    data = {"name": "Cơ sở làng sai", "legal_form": "household", "commune": commune_of("42").code,
            "status": "active", "craft_village": village.pk}  # fmt: skip
    response = client_for(hatinh_officer).post(reverse("registry:establishment_add"), data)
    assert response.status_code == 200 and "Làng nghề phải ở" in response.content.decode()
    assert not Establishment.objects.filter(name="Cơ sở làng sai").exists()


# --- through the API --------------------------------------------------------------------------


class TestApi:
    @pytest.fixture
    def client(self, client, hatinh_officer):
        client.force_login(hatinh_officer)
        return client

    def full(self, est, **overrides):
        body = {
            "name": est.name, "legal_form": est.legal_form, "commune_code": est.commune.code,
            "tax_code": est.tax_code, "registration_number": "", "owner_name": "Bà Lan", "owner_gender": "female",
            "address": "Thôn 1", "craft_village_id": None, "industry_line_codes": [], "main_products": "",
            "workers_total": 10, "workers_women": 4, "workers_ethnic_minority": None, "annual_revenue": None,
            "founding_year": 2015, "phone": "0912345678", "email": "", "latitude": None, "longitude": None,
            "status": "active", "women_owned": True, "ethnic_minority_workers": False, "disadvantaged_area": False,
        }  # fmt: skip
        return {**body, **overrides}

    # F8: PUT is a full replace; a partial body is a 422 and writes nothing. PATCH changes what is sent.
    def test_partial_put_is_refused_and_writes_nothing(self, client):
        est = make_establishment(tax_code=VALID_TAX_CODE, owner_name="Bà Lan", workers_total=10, phone="0912")
        before = row(est)
        body = {"name": "PUT rút gọn", "legal_form": "household", "commune_code": est.commune.code}
        response = client.put(f"/api/v1/establishments/{est.pk}", body, "application/json")
        assert response.status_code == 422
        missing = {d["field"].rsplit(".", 1)[-1] for d in response.json()["details"]}
        assert missing >= {"tax_code", "owner_name", "industry_line_codes"}
        assert row(est) == before

    def test_full_put_replaces(self, client):
        est = make_establishment(tax_code=VALID_TAX_CODE, phone="0912")
        est.industry_lines.set(lines(2))
        response = client.put(f"/api/v1/establishments/{est.pk}", self.full(est, phone=""), "application/json")
        assert response.status_code == 200, response.content
        est.refresh_from_db()
        assert est.phone == "" and est.owner_name == "Bà Lan" and est.industry_lines.count() == 0

    def test_patch_changes_only_what_is_sent(self, client):
        est = make_establishment(tax_code=VALID_TAX_CODE, owner_name="Bà Lan", workers_total=10, phone="0912")
        est.industry_lines.set(lines(2))
        response = client.patch(f"/api/v1/establishments/{est.pk}", {"name": "Chỉ đổi tên"}, "application/json")
        assert response.status_code == 200, response.content
        est.refresh_from_db()
        assert (est.name, est.tax_code, est.owner_name, est.workers_total, est.phone) == (
            "Chỉ đổi tên", VALID_TAX_CODE, "Bà Lan", 10, "0912"
        )  # fmt: skip
        assert est.industry_lines.count() == 2
        response = client.patch(f"/api/v1/establishments/{est.pk}", {"workers_women": 11}, "application/json")
        assert response.status_code == 422 and response.json()["details"][0]["field"] == "workers_women"

    def test_patch_of_another_province_is_not_found(self, client):
        other = make_establishment("40")
        before = row(other)
        response = client.patch(f"/api/v1/establishments/{other.pk}", {"name": "x"}, "application/json")
        assert response.status_code == 404 and row(other) == before

    def test_deleting_a_linked_village_is_refused(self, client, vietnamese):
        village = make_village()
        make_establishment(craft_village=village)
        response = client.delete(f"/api/v1/craft-villages/{village.pk}")
        assert response.status_code == 409 and response.json()["code"] == "in_use"
        assert "1 cơ sở" in response.json()["message"]
        assert CraftVillage.objects.filter(pk=village.pk).exists()
        Establishment.objects.update(craft_village=None)
        assert client.delete(f"/api/v1/craft-villages/{village.pk}").status_code == 204
        assert not CraftVillage.objects.filter(pk=village.pk).exists()
        other = make_village("40")
        assert client.delete(f"/api/v1/craft-villages/{other.pk}").status_code == 404
        assert CraftVillage.objects.filter(pk=other.pk).exists()

    def test_create_records_the_creator(self, client, hatinh_officer):
        body = {"name": "Cơ sở API tạo", "legal_form": "household", "commune_code": commune_of("42").code}
        assert client.post("/api/v1/establishments", body, "application/json").status_code == 201
        assert Establishment.objects.get(name="Cơ sở API tạo").created_by == hatinh_officer

    def test_village_elsewhere_and_key_elsewhere(self, client, vietnamese):
        make_establishment("40", tax_code=VALID_TAX_CODE)
        secret = make_village("40", name="Làng NGHEAN-SECRET")
        body = {"name": "Cơ sở API", "legal_form": "household", "commune_code": commune_of("42").code}
        response = client.post("/api/v1/establishments", {**body, "craft_village_id": secret.pk}, "application/json")
        assert response.status_code == 422 and response.json()["details"][0]["field"] == "craft_village_id"
        response = client.post("/api/v1/establishments", {**body, "tax_code": VALID_TAX_CODE}, "application/json")
        assert response.status_code == 422
        assert response.json()["details"] == [{"field": "tax_code", "message": "Mã số thuế này đã được đăng ký."}]
        assert not Establishment.objects.filter(name="Cơ sở API").exists()

    def test_no_database_text_reaches_the_response(self, client, monkeypatch):
        from django.db import IntegrityError

        def clash(*args, **kwargs):
            raise IntegrityError("UNIQUE constraint failed: registry_establishment.tax_code")

        monkeypatch.setattr(Establishment, "save", clash)
        body = {"name": "Cơ sở đua", "legal_form": "household", "commune_code": commune_of("42").code}
        response = client.post("/api/v1/establishments", body, "application/json")
        assert response.status_code == 409 and response.json()["code"] == "conflict"
        assert "UNIQUE" not in response.content.decode() and "registry_" not in response.content.decode()

    def test_duplicates_list_and_decide(self, client):
        pair = make_pair()
        listed = client.get("/api/v1/duplicates").json()["items"]
        assert [(p["id"], p["version"], p["status"]) for p in listed] == [(pair.pk, 0, "open")]
        url = f"/api/v1/duplicates/{pair.pk}/actions"
        response = client.post(f"{url}/merge", {}, "application/json")
        assert response.status_code == 422 and response.json()["code"] == "invalid_choice"
        assert response.json()["details"] == {"field": "keep"}
        assert client.post(f"{url}/fly", {}, "application/json").status_code == 404
        response = client.post(f"{url}/dismiss", {"comment": "khác", "version": 0}, "application/json")
        assert response.status_code == 200 and response.json()["status"] == "dismissed"
        assert response.json()["version"] == 1 and response.json()["actions"] == []
        response = client.post(f"{url}/dismiss", {"version": 0}, "application/json")
        assert response.status_code == 409 and response.json()["code"] in {"wrong_state", "state_changed"}

    def test_stale_version_is_a_conflict(self, client):
        pair = make_pair()
        response = client.post(f"/api/v1/duplicates/{pair.pk}/actions/dismiss", {"version": 3}, "application/json")
        assert response.status_code == 409 and response.json()["code"] == "state_changed"
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open"

    def test_merge_through_the_api(self, client):
        pair = make_pair()
        pair.first.industry_lines.set(lines(1))
        pair.second.industry_lines.set(lines(1))
        url = f"/api/v1/duplicates/{pair.pk}/actions/merge"
        response = client.post(url, {"keep": "second"}, "application/json")
        assert response.status_code == 200, response.content
        assert Establishment.objects.get(pk=pair.first.pk).merged_into_id == pair.second.pk

    def test_pairs_out_of_reach_or_without_permission(self, client_for, nghean_officer, implementer, client):
        pair = make_pair()
        from django.test import Client

        other = Client()
        other.force_login(nghean_officer)
        assert other.post(f"/api/v1/duplicates/{pair.pk}/actions/dismiss", {}, "application/json").status_code == 404
        assert other.get("/api/v1/duplicates").json()["items"] == []
        viewer = Client()
        viewer.force_login(implementer)
        assert viewer.post(f"/api/v1/duplicates/{pair.pk}/actions/dismiss", {}, "application/json").status_code == 403
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open"


def test_the_openapi_spec_documents_put_patch_and_duplicate_actions(client, hatinh_officer):
    client.force_login(hatinh_officer)
    spec = client.get("/api/v1/openapi.json").json()
    item = spec["paths"]["/api/v1/establishments/{pk}"]
    assert {"get", "put", "patch"} <= set(item)

    def body_schema(operation):
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    replace, patch = body_schema(item["put"]), body_schema(item["patch"])
    assert set(replace["required"]) == set(replace["properties"]) >= {"tax_code", "industry_line_codes"}
    assert not patch.get("required")
    assert "every field is required" in item["put"]["description"].lower()
    action = spec["paths"]["/api/v1/duplicates/{pk}/actions/{action}"]["post"]
    assert {"404", "409", "422"} <= set(action["responses"])
    assert "/api/v1/craft-villages/{pk}" in spec["paths"] and "delete" in spec["paths"]["/api/v1/craft-villages/{pk}"]


# Every role against the write endpoints: allowed in reach, refused elsewhere, nothing changed.
ROLE_OUTCOMES = {"agency": 200, "hatinh": 200, "nghean": 404, "implementer": 403, "outsider": 403}


@pytest.mark.parametrize("who", sorted(ROLE_OUTCOMES))
def test_api_patch_per_role(who, people, client):
    est = make_establishment(name="Cơ sở theo vai trò")
    before = row(est)
    client.force_login(people[who])
    response = client.patch(f"/api/v1/establishments/{est.pk}", {"name": "Đổi tên"}, "application/json")
    assert response.status_code == ROLE_OUTCOMES[who], response.content
    if ROLE_OUTCOMES[who] != 200:
        assert row(est) == before


@pytest.mark.parametrize("who", sorted(ROLE_OUTCOMES))
def test_api_create_in_ha_tinh_per_role(who, people, client):
    client.force_login(people[who])
    body = {"name": "Cơ sở tạo theo vai trò", "legal_form": "household", "commune_code": commune_of("42").code}
    response = client.post("/api/v1/establishments", body, "application/json")
    expected = {"agency": 201, "hatinh": 201, "nghean": 422, "implementer": 403, "outsider": 403}[who]
    assert response.status_code == expected, response.content
    assert Establishment.objects.filter(name="Cơ sở tạo theo vai trò").exists() == (expected == 201)


@pytest.mark.parametrize("who", sorted(ROLE_OUTCOMES))
def test_api_dismiss_per_role(who, people, client):
    pair = make_pair()
    client.force_login(people[who])
    response = client.post(f"/api/v1/duplicates/{pair.pk}/actions/dismiss", {}, "application/json")
    assert response.status_code == ROLE_OUTCOMES[who], response.content
    status = "dismissed" if ROLE_OUTCOMES[who] == 200 else "open"
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == status
    assert DuplicateDecision.objects.count() == (1 if status == "dismissed" else 0)


def test_duplicate_list_and_queue_do_not_query_per_pair(client_for, hatinh_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        client = client_for(hatinh_officer)
        found = []
        for url in ("/api/v1/duplicates", reverse("registry:duplicate_queue")):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    records = [make_establishment(name=f"Cơ sở đếm cặp {i}") for i in range(16)]
    pairs = zip(records[::2], records[1::2], strict=True)
    first, second = next(pairs)
    DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="similar_name")
    one = counts()
    for first, second in pairs:
        DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="similar_name")
    assert counts() == one
