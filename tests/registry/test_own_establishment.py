"""An establishment's own account: it sees and keeps up to date the record linked to its org unit
(contacts, products, workers), every change in the change log, and nothing else, on the pages
and through the API. Every role of tests/roles.py is tried, reads and writes, in and out of scope."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.registry import actions
from khuyencong.registry.models import Establishment
from tests.registry.factories import make_establishment
from tests.roles import CASE_IDS, CASES, ESTABLISHMENT_UNIT, RoleCase

pytestmark = pytest.mark.django_db

OWN_URL = reverse("registry:own_establishment")


def edit_url(pk):
    return reverse("registry:own_establishment_edit", args=[pk])


@pytest.fixture
def records(territory):
    """The record linked to the establishment unit of tests/roles.py, a neighbour in the same
    province (not linked) and one in Nghệ An."""
    unit, _ = OrgUnit.objects.get_or_create(
        code=ESTABLISHMENT_UNIT,
        defaults={"name": "Cơ sở gắn vai trò", "kind": OrgUnit.Kind.ESTABLISHMENT,
                  "province": make_establishment("42").province},
    )  # fmt: skip
    own = make_establishment("42", name="Cơ sở mây tre đan của tôi", workers_total=10, workers_women=6)
    own.org_unit = unit
    own.save()
    return {
        "own": own,
        "neighbour": make_establishment("42", name="Cơ sở hàng xóm Hà Tĩnh"),
        "nghean": make_establishment("40", name="Cơ sở Nghệ An"),
    }


def snapshot(records):
    return {key: {f.attname: getattr(Establishment.objects.get(pk=obj.pk), f.attname)
                  for f in Establishment._meta.concrete_fields if f.name != "updated_at"}
            for key, obj in records.items()}  # fmt: skip


def api(client, user):
    _token, secret = issue_token(user=user, name="own")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def is_owner(case: RoleCase) -> bool:
    return case.role == Role.ESTABLISHMENT


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_reads_only_its_own_record(case, person_in_role, records, client_for, client):
    user = person_in_role(case)
    pages = client_for(user)
    response = pages.get(OWN_URL)
    assert response.status_code == (200 if is_owner(case) else 403)
    if is_owner(case):
        html = response.content.decode()
        assert "Cơ sở mây tre đan của tôi" in html
        assert "Cơ sở hàng xóm" not in html and "Cơ sở Nghệ An" not in html
        # Its menu leads to no refusal, and the generic registry stays closed to it.
        for link in response.context["nav_items"]:
            assert pages.get(link["url"]).status_code == 200, link
        assert pages.get(reverse("registry:establishment_list")).status_code == 403
        assert pages.get(reverse("registry:establishment_detail", args=[records["own"].pk])).status_code == 403
    listed = api(client, user).get("/api/v1/my-establishments")
    assert listed.status_code == (200 if is_owner(case) else 403)
    if is_owner(case):
        assert [item["name"] for item in listed.json()] == ["Cơ sở mây tre đan của tôi"]
        # The generic API shows no record either: the account reads its own through its own path.
        assert client.get(f"/api/v1/establishments/{records['own'].pk}").status_code == 404
    else:
        assert set(listed.json()) >= {"code", "message", "details"}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_updates_only_its_own_record_through_the_pages(case, person_in_role, records, client_for):
    user = person_in_role(case)
    pages = client_for(user)
    for key, obj in records.items():
        before = snapshot(records)
        data = {"phone": "0987654321", "email": "coso@example.vn", "main_products": "Giỏ mây, đèn tre",
                "workers_total": "12", "workers_women": "7", "workers_ethnic_minority": "1",
                "name": "Tên mới không được đổi"}  # fmt: skip
        assert pages.get(edit_url(obj.pk)).status_code == (403 if not is_owner(case) else 200 if key == "own" else 404)
        response = pages.post(edit_url(obj.pk), data)
        expected = 403 if not is_owner(case) else 302 if key == "own" else 404
        assert response.status_code == expected, key
        if expected != 302:
            assert snapshot(records) == before, f"{key} changed"
            continue
        obj.refresh_from_db()
        assert (obj.phone, obj.email, obj.main_products) == ("0987654321", "coso@example.vn", "Giỏ mây, đèn tre")
        assert (obj.workers_total, obj.workers_women, obj.workers_ethnic_minority) == (12, 7, 1)
        assert obj.name == "Cơ sở mây tre đan của tôi"  # not a field the account may change
        change = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Establishment), object_id=str(obj.pk), action="update"
        ).latest("pk")
        assert change.user == user
        assert {column for column, _b, _a in change.changed_fields} >= {"phone", "workers_total"}
        # The page shows the change it just made.
        assert "0987654321" in pages.get(OWN_URL).content.decode()


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_updates_only_its_own_record_through_the_api(case, person_in_role, records, client):
    user = person_in_role(case)
    client = api(client, user)
    for key, obj in records.items():
        before = snapshot(records)
        body = {"phone": "0911222333", "workers_total": 15, "name": "Không đổi được"}
        response = client.patch(f"/api/v1/my-establishments/{obj.pk}", body, "application/json")
        expected = 403 if not is_owner(case) else 200 if key == "own" else 404
        assert response.status_code == expected, (key, response.content[:300])
        if expected == 200:
            obj.refresh_from_db()
            assert (obj.phone, obj.workers_total, obj.name) == ("0911222333", 15, "Cơ sở mây tre đan của tôi")
            assert response.json()["phone"] == "0911222333"
        else:
            assert set(response.json()) >= {"code", "message", "details"}
            assert snapshot(records) == before, f"{key} changed"
        # The generic write is refused to everyone without the change permission, the owner included.
        if is_owner(case):
            refused = client.patch(f"/api/v1/establishments/{obj.pk}", {"phone": "1"}, "application/json")
            assert refused.status_code == 403


def test_bad_values_are_field_messages_and_nothing_is_written(person_in_role, records, client_for, client):
    owner = person_in_role(CASES[9])
    assert CASES[9].role == Role.ESTABLISHMENT
    own = records["own"]
    before = snapshot(records)
    response = client_for(owner).post(edit_url(own.pk), {"workers_total": "5", "workers_women": "9", "email": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"workers_women", "email"}
    assert snapshot(records) == before
    bad = api(client, owner).patch(f"/api/v1/my-establishments/{own.pk}", {"workers_women": 99}, "application/json")
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"workers_women"}
    assert snapshot(records) == before


def test_the_action_refuses_other_fields_and_other_records(person_in_role, records):
    owner = person_in_role(CASES[9])
    with pytest.raises(ValueError):
        actions.update_own_establishment(user=owner, establishment=records["own"], values={"name": "X"})
    with pytest.raises(ActionRefused) as refused:
        actions.update_own_establishment(user=owner, establishment=records["neighbour"], values={"phone": "1"})
    assert refused.value.status == 404


def test_a_superuser_owns_nothing_and_has_no_such_menu(admin_user, records, client_for):
    pages = client_for(admin_user)
    response = pages.get("/")
    assert OWN_URL not in [item["url"] for item in response.context["nav_items"]]
    assert "Cơ sở mây tre đan của tôi" not in pages.get(OWN_URL).content.decode()


def test_an_unlinked_account_sees_how_to_get_linked(person_in_role, records, client_for):
    owner = person_in_role(CASES[9])
    Establishment.objects.filter(pk=records["own"].pk).update(org_unit=None)
    response = client_for(owner).get(OWN_URL)
    assert response.status_code == 200
    assert 'id="own-empty"' in response.content.decode()


def test_the_home_page_leads_the_account_to_its_record(person_in_role, records, client_for):
    owner = person_in_role(CASES[9])
    html = client_for(owner).get("/").content.decode()
    assert 'id="own-records"' in html and "Cơ sở mây tre đan của tôi" in html


def test_linking_a_unit_follows_reach_and_kind(records, hatinh_officer, nghean_officer):
    neighbour = records["neighbour"]
    unit = OrgUnit.objects.create(code="CS-LINK-1", name="Cơ sở liên kết", kind=OrgUnit.Kind.ESTABLISHMENT,
                                  province=neighbour.province)  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        actions.link_account_unit(user=nghean_officer, establishment=neighbour, org_unit=unit)
    assert refused.value.status == 404
    with pytest.raises(Invalid):
        actions.link_account_unit(user=hatinh_officer, establishment=neighbour, org_unit=records["own"].org_unit)
    with pytest.raises(Invalid):
        actions.link_account_unit(
            user=hatinh_officer, establishment=neighbour, org_unit=OrgUnit.objects.get(code="SCT-42")
        )
    actions.link_account_unit(user=hatinh_officer, establishment=neighbour, org_unit=unit)
    neighbour.refresh_from_db()
    assert neighbour.org_unit == unit


def test_the_history_names_industry_lines_and_the_account_unit(records, vietnamese):
    from khuyencong.registry.models import IndustryLine
    from khuyencong.web.changes import change_rows

    own = records["own"]
    line = IndustryLine.objects.filter(valid_to__isnull=True).first()
    own.industry_lines.add(line)
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Establishment), object_id=str(own.pk)
    )
    rows = [row for change in changes for row in change_rows(change)]
    assert ("Ngành nghề", "—", str(line)) in rows
    assert ("Đơn vị của tài khoản cơ sở", "—", "Cơ sở gắn vai trò") in rows
    assert all(label != "Province" for label, _before, _after in rows)


def test_only_the_establishment_role_reaches_records_through_org_units(records, hatinh_officer, person_in_role):
    """A province's officers reach its records by place alone: their query has no org-unit branch
    (which would cost the provincial list its ordered index scan)."""
    from khuyencong.kernel.scoping import restrict, user_scope

    scope = user_scope(hatinh_officer, "view", Establishment)
    assert scope.province_ids and not scope.org_unit_ids
    where = str(restrict(Establishment.objects.all(), hatinh_officer, "view").query).split(" WHERE ")[1]
    assert "org_unit_id" not in where
    owner_scope = user_scope(person_in_role(CASES[9]), "view_own", Establishment)
    assert owner_scope.org_unit_ids == {records["own"].org_unit_id} and not owner_scope.province_ids
