"""A reusable scoping suite that every scoped resource plugs into.

A subclass names its model and URLs and knows how to make one record in Hà Tĩnh and one in
Nghệ An, and how to build valid form data. The suite then checks, for the agency officer, a
Hà Tĩnh provincial officer, a Nghệ An provincial officer, an implementer and an outsider:
list, detail, create, update, delete, export and the API list/detail; on every denial it
asserts that nothing changed.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"


class ScopedResourceSuite:
    model = None
    url_prefix = ""  # e.g. "organisation:orgunit"
    api_list_url = ""  # e.g. "/api/v1/org-units"
    # role name -> set of actions that role may do on its own province's records
    expectations: dict[str, set[str]] = {}
    # query parameters that make both test records appear on the first page of the list
    list_params: dict[str, str] = {}

    # --- hooks ------------------------------------------------------------------------------
    def make_record(self, province_code: str):
        raise NotImplementedError

    def form_data(self, province_code: str, **overrides) -> dict:
        raise NotImplementedError

    def label(self, obj) -> str:
        return str(obj)

    def snapshot(self, obj) -> dict:
        obj.refresh_from_db()
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    # --- fixtures ---------------------------------------------------------------------------
    @pytest.fixture
    def records(self, territory):
        return {"hatinh": self.make_record("42"), "nghean": self.make_record("40")}

    def url(self, suffix, *args):
        return reverse(f"{self.url_prefix}_{suffix}", args=args)

    def allowed(self, who, action):
        return action in self.expectations.get(who, set())

    # --- the suite --------------------------------------------------------------------------
    @pytest.mark.parametrize("who", ["agency", "hatinh", "nghean", "implementer", "outsider"])
    def test_list_shows_only_records_in_scope(self, who, people, records, client_for):
        response = client_for(people[who]).get(self.url("list"), self.list_params)
        if not self.allowed(who, VIEW):
            assert response.status_code == 403
            return
        assert response.status_code == 200
        body = response.content.decode()
        own = {"agency": ("hatinh", "nghean"), "hatinh": ("hatinh",), "nghean": ("nghean",), "implementer": ("hatinh",)}
        for key, obj in records.items():
            shown = key in own.get(who, ())
            assert (self.label(obj) in body) == shown, f"{who} list shows {key}: expected {shown}"

    @pytest.mark.parametrize("who", ["hatinh", "nghean", "implementer", "outsider"])
    def test_detail_of_other_province_is_not_found(self, who, people, records, client_for):
        client = client_for(people[who])
        own_key = "nghean" if who == "nghean" else "hatinh"
        other_key = "hatinh" if who == "nghean" else "nghean"
        if self.allowed(who, VIEW):
            assert client.get(self.url("detail", records[own_key].pk)).status_code == 200
            assert client.get(self.url("detail", records[other_key].pk)).status_code == 404
        else:
            assert client.get(self.url("detail", records[own_key].pk)).status_code == 403

    @pytest.mark.parametrize("who", ["agency", "hatinh", "implementer", "outsider"])
    def test_create_in_own_scope(self, who, people, territory, client_for):
        before = self.model.objects.count()
        response = client_for(people[who]).post(self.url("add"), self.form_data("42"))
        if self.allowed(who, ADD):
            assert response.status_code == 302, response.content.decode()[:2000]
            assert self.model.objects.count() == before + 1
        else:
            assert response.status_code == 403
            assert self.model.objects.count() == before

    def test_create_outside_scope_is_refused_and_writes_nothing(self, people, territory, client_for):
        before = self.model.objects.count()
        response = client_for(people["hatinh"]).post(self.url("add"), self.form_data("40"))
        assert response.status_code == 200  # the form comes back with an error
        assert self.model.objects.count() == before

    @pytest.mark.parametrize("who", ["hatinh", "nghean", "implementer", "outsider"])
    def test_update_of_other_province_changes_nothing(self, who, people, records, client_for):
        other_key = "hatinh" if who == "nghean" else "nghean"
        target = records[other_key]
        before = self.snapshot(target)
        response = client_for(people[who]).post(
            self.url("edit", target.pk), self.form_data("42" if other_key == "hatinh" else "40", name_suffix=" (sửa)")
        )
        assert response.status_code in (403, 404)
        assert self.snapshot(target) == before

    def test_update_in_scope(self, people, records, client_for):
        if not self.allowed("hatinh", CHANGE):
            pytest.skip("provincial officers do not change this resource")
        target = records["hatinh"]
        response = client_for(people["hatinh"]).post(
            self.url("edit", target.pk), self.form_data("42", name_suffix=" (sửa)")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        target.refresh_from_db()
        assert "(sửa)" in self.label(target)

    def test_update_cannot_move_record_out_of_scope(self, people, records, client_for):
        if not self.allowed("hatinh", CHANGE):
            pytest.skip("provincial officers do not change this resource")
        target = records["hatinh"]
        before = self.snapshot(target)
        response = client_for(people["hatinh"]).post(self.url("edit", target.pk), self.form_data("40"))
        assert response.status_code == 200
        assert self.snapshot(target) == before

    @pytest.mark.parametrize("who", ["hatinh", "nghean", "implementer", "outsider"])
    def test_delete(self, who, people, records, client_for):
        own_key = "nghean" if who == "nghean" else "hatinh"
        other_key = "hatinh" if who == "nghean" else "nghean"
        client = client_for(people[who])
        other = records[other_key]
        assert client.post(self.url("delete", other.pk)).status_code in (403, 404)
        assert self.model.objects.filter(pk=other.pk).exists()
        own = records[own_key]
        response = client.post(self.url("delete", own.pk))
        if self.allowed(who, DELETE):
            assert response.status_code == 302
            assert not self.model.objects.filter(pk=own.pk).exists()
        else:
            assert response.status_code in (403, 404)
            assert self.model.objects.filter(pk=own.pk).exists()

    def test_agency_may_delete_anywhere(self, people, records, client_for):
        if not self.allowed("agency", DELETE):
            pytest.skip("the agency does not delete this resource")
        target = records["nghean"]
        assert client_for(people["agency"]).post(self.url("delete", target.pk)).status_code == 302
        assert not self.model.objects.filter(pk=target.pk).exists()

    @pytest.mark.parametrize("who", ["agency", "hatinh", "nghean", "implementer", "outsider"])
    def test_export_contains_only_records_in_scope(self, who, people, records, client_for):
        response = client_for(people[who]).get(self.url("export"), self.list_params)
        if not self.allowed(who, EXPORT):
            assert response.status_code == 403
            return
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
        own = {"agency": ("hatinh", "nghean"), "hatinh": ("hatinh",), "nghean": ("nghean",), "implementer": ("hatinh",)}
        for key, obj in records.items():
            assert (self.label(obj) in text) == (key in own.get(who, ())), f"{who} export has {key}"

    @pytest.mark.parametrize("who", ["agency", "hatinh", "nghean", "implementer", "outsider"])
    def test_api_list_and_detail_are_scoped(self, who, people, records, client):
        _token, secret = issue_token(user=people[who], name="test")
        headers = {"Authorization": f"Bearer {secret}"}
        # The first page (a lookup, no export permission needed); bulk reads: tests/registry/test_list_api.py.
        response = client.get(self.api_list_url, self.list_params, headers=headers)
        assert response.status_code == (200 if self.allowed(who, VIEW) else 403)
        ids = {item["id"] for item in response.json()["items"]} if response.status_code == 200 else set()
        own = {"agency": ("hatinh", "nghean"), "hatinh": ("hatinh",), "nghean": ("nghean",), "implementer": ("hatinh",)}
        visible = own.get(who, ()) if self.allowed(who, VIEW) else ()
        for key, obj in records.items():
            assert (obj.pk in ids) == (key in visible)
            detail = client.get(f"{self.api_list_url}/{obj.pk}", headers=headers)
            assert detail.status_code == (200 if key in visible else 404)
            if detail.status_code == 404:
                assert detail.json()["code"] == "not_found"
