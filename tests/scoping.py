"""A reusable scoping suite that every scoped resource plugs into.

A subclass names its model, URLs and API path, knows how to make one record in Hà Tĩnh and one
in Nghệ An, how to build valid form data and (when its API writes) a full API body, and states
per role which actions it expects (``role_actions``, written out, not read from the matrix).

For each of the eleven roles bound to a realistic unit, plus a provincial officer of Nghệ An
and a user without a role (``tests/roles.py``), the suite checks what the list, detail, export
and API list/detail show; creating, changing and deleting through the pages; and every API write
(POST, PUT, PATCH, DELETE): a write the resource's API does not offer must answer 405. Refusals
are 403 without the permission, 404 (422 for a create: the commune is the field at fault) out
of reach, with the API's error shape; on every refusal a snapshot of both records taken before
must equal one taken after: nothing changed.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.audit.models import ObjectChange
from tests.roles import CASE_IDS, CASES, RoleCase
from tests.roles import PROVINCIAL_OFFICER_OF_HA_TINH as PROVINCIAL_OFFICER

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"


class ScopedResourceSuite:
    model = None
    url_prefix = ""  # e.g. "organisation:orgunit"
    api_list_url = ""  # e.g. "/api/v1/org-units"
    # query parameters that make both test records appear on the first page of the list
    list_params: dict[str, str] = {}
    # role -> actions on records in the reach of its unit, for all eleven roles (tests/roles.py)
    role_actions: dict[str, set[str]] = {}
    # the writes the resource's API offers: "create" (POST), "put", "patch", "delete"
    api_writes: frozenset[str] = frozenset()

    # --- hooks ------------------------------------------------------------------------------
    def make_record(self, province_code: str):
        raise NotImplementedError

    def form_data(self, province_code: str, **overrides) -> dict:
        raise NotImplementedError

    def api_body(self, province_code: str, name_suffix: str = "") -> dict:
        """A complete API body (POST and PUT) for a record in the province."""
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

    # --- moving a record out of reach ---------------------------------------------------------
    def test_update_cannot_move_record_out_of_scope(self, people, records, client_for, client):
        if not self.role_can(PROVINCIAL_OFFICER, CHANGE):
            pytest.skip("provincial officers do not change this resource")
        target = records["hatinh"]
        before = self.snapshot(target)
        response = client_for(people["hatinh"]).post(self.url("edit", target.pk), self.form_data("40"))
        assert response.status_code == 200  # the form comes back with an error
        assert self.snapshot(target) == before
        if "patch" in self.api_writes:
            api = self.api_client(client, people["hatinh"])
            body = {"commune_code": self.api_body("40")["commune_code"]}
            response = api.patch(f"{self.api_list_url}/{target.pk}", body, "application/json")
            assert response.status_code == 422
            self.assert_refusal_shape(response, 422)
            assert self.snapshot(target) == before

    # --- all eleven roles -------------------------------------------------------------------
    PROVINCE = {"hatinh": "42", "nghean": "40"}

    def role_can(self, case: RoleCase, action: str) -> bool:
        if not case.role:
            return False
        assert case.role in self.role_actions, f"{type(self).__name__} states no expectation for {case.role}"
        return action in self.role_actions[case.role]

    def visible_to(self, case: RoleCase) -> tuple[str, ...]:
        return case.reach if self.role_can(case, VIEW) else ()

    def expected_write(self, case: RoleCase, action: str, key: str, done: int, out_of_reach: int = 404) -> int:
        """No permission: 403. Permission but the record is out of reach: ``out_of_reach``."""
        if not self.role_can(case, action):
            return 403
        return done if key in case.reach else out_of_reach

    def snapshots(self, records) -> dict:
        return {key: self.snapshot(obj) for key, obj in records.items()}

    def api_client(self, client, user):
        _token, secret = issue_token(user=user, name="suite")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    def assert_logged(self, pk, action: str, user) -> None:
        """The change log names the person who made the change."""
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=str(pk), action=action
        )
        assert changes.exists(), f"no {action} logged for {pk}"
        assert changes.latest("pk").user == user

    def assert_refusal_shape(self, response, status):
        if status == 405:
            # A write the API does not offer: the answer lists what the path does accept. (Django
            # Ninja answers this one in plain text, not in the API's error shape.)
            assert response.wsgi_request.method not in response["Allow"].split(", "), response["Allow"]
            return
        body = response.json()
        assert set(body) >= {"code", "message", "details"}, body
        expected = {403: "forbidden", 404: "not_found", 422: "validation_error"}
        assert body["code"] == expected[status], body
        assert body["message"]

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_sees_exactly_its_reach(self, case, person_in_role, records, client_for, client):
        user = person_in_role(case)
        visible = self.visible_to(case)
        pages = client_for(user)
        response = pages.get(self.url("list"), self.list_params)
        assert response.status_code == (200 if self.role_can(case, VIEW) else 403)
        for key, obj in records.items():
            if response.status_code == 200:
                assert (self.label(obj) in response.content.decode()) == (key in visible), f"list shows {key}"
            detail = pages.get(self.url("detail", obj.pk)).status_code
            assert detail == (200 if key in visible else 404 if self.role_can(case, VIEW) else 403), key
        export = pages.get(self.url("export"), self.list_params)
        assert export.status_code == (200 if self.role_can(case, EXPORT) else 403)
        if export.status_code == 200:
            book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
            text = " ".join(str(c) for r in book.active.iter_rows(values_only=True) for c in r if c is not None)
            for key, obj in records.items():
                assert (self.label(obj) in text) == (key in case.reach), f"export has {key}"
        api = self.api_client(client, user)
        listed = api.get(self.api_list_url, self.list_params)
        assert listed.status_code == (200 if self.role_can(case, VIEW) else 403)
        ids = {item["id"] for item in listed.json()["items"]} if listed.status_code == 200 else set()
        for key, obj in records.items():
            assert (obj.pk in ids) == (key in visible), f"API list has {key}"
            detail = api.get(f"{self.api_list_url}/{obj.pk}")
            assert detail.status_code == (200 if key in visible else 404), key
            if detail.status_code == 404:
                self.assert_refusal_shape(detail, 404)

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_creates_only_in_its_reach_through_the_api(self, case, person_in_role, territory, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, code in self.PROVINCE.items():
            before = self.model.objects.count()
            response = api.post(self.api_list_url, self.api_body(code) if "create" in self.api_writes else {},
                                "application/json")  # fmt: skip
            if "create" not in self.api_writes:
                expected = 405
            else:
                expected = self.expected_write(case, ADD, key, 201, out_of_reach=422)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert response.json()["province_code"] == code
                assert self.model.objects.count() == before + 1
                self.assert_logged(response.json()["id"], "create", user)
                continue
            assert self.model.objects.count() == before
            if expected == 422:  # the officer may add, only not there: the place is the field at fault
                self.assert_refusal_shape(response, 422)
                assert "commune_code" in {d["field"] for d in response.json()["details"]}
            else:
                self.assert_refusal_shape(response, expected)

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_each_role_changes_only_its_reach_through_the_api(self, case, method, person_in_role, records, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, obj in records.items():
            before = self.snapshots(records)
            suffix = f" ({method} API)"
            if method == "put" and method in self.api_writes:
                body = self.api_body(self.PROVINCE[key], name_suffix=suffix)
            else:
                body = {"name": f"{self.label(obj)}{suffix}"}
            response = getattr(api, method)(f"{self.api_list_url}/{obj.pk}", body, "application/json")
            expected = self.expected_write(case, CHANGE, key, 200) if method in self.api_writes else 405
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 200:
                obj.refresh_from_db()
                assert self.label(obj).endswith(suffix) and response.json()["name"].endswith(suffix)
                self.assert_logged(obj.pk, "update", user)
            else:
                self.assert_refusal_shape(response, expected)
                assert self.snapshots(records) == before, f"{method} refused but {key} changed"

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_deletes_only_its_reach_through_the_api(self, case, person_in_role, records, client):
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, obj in records.items():
            before = self.snapshots({k: o for k, o in records.items() if self.model.objects.filter(pk=o.pk).exists()})
            response = api.delete(f"{self.api_list_url}/{obj.pk}")
            expected = self.expected_write(case, DELETE, key, 204) if "delete" in self.api_writes else 405
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 204:
                assert not self.model.objects.filter(pk=obj.pk).exists()
                self.assert_logged(obj.pk, "delete", user)
                continue
            self.assert_refusal_shape(response, expected)
            assert self.snapshots({k: records[k] for k in before}) == before, f"delete refused but {key} changed"

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_writes_only_its_reach_through_the_pages(self, case, person_in_role, records, client_for):
        user = person_in_role(case)
        pages = client_for(user)
        # create, in each province
        for key, code in self.PROVINCE.items():
            before = self.model.objects.count()
            response = pages.post(self.url("add"), self.form_data(code))
            expected = self.expected_write(case, ADD, key, 302, out_of_reach=200)  # 200: the form, with an error
            assert response.status_code == expected, (key, response.content.decode()[:1000])
            assert self.model.objects.count() == before + (1 if expected == 302 else 0)
        # change, then delete, each record
        for key, obj in records.items():
            before = self.snapshots(records)
            response = pages.post(self.url("edit", obj.pk), self.form_data(self.PROVINCE[key], name_suffix=" (sửa)"))
            expected = self.expected_write(case, CHANGE, key, 302)
            assert response.status_code == expected, (key, response.content.decode()[:1000])
            if expected == 302:
                obj.refresh_from_db()
                assert "(sửa)" in self.label(obj)
                self.assert_logged(obj.pk, "update", user)
            else:
                assert self.snapshots(records) == before, f"edit refused but {key} changed"
        for key, obj in records.items():
            response = pages.post(self.url("delete", obj.pk))
            expected = self.expected_write(case, DELETE, key, 302)
            assert response.status_code == expected, key
            assert self.model.objects.filter(pk=obj.pk).exists() == (expected != 302)
            if expected == 302:
                self.assert_logged(obj.pk, "delete", user)


class JurisdictionSuite:
    """Reusable checks for public reference resources (legal texts, the rulebook): every role reads
    all records nationwide; writes follow the jurisdiction of the record. A subclass makes a national
    record and a local one in Hà Tĩnh and Nghệ An, builds an API body for each, and states per role
    which jurisdictions it may write (``writes``: "national" and/or "local" within its reach)."""

    model = None
    page_list_url = ""
    api_list_url = ""
    writes: dict[str, set[str]] = {}
    JURISDICTIONS = {"national": None, "hatinh": "42", "nghean": "40"}

    def make_record(self, province_code: str | None):
        raise NotImplementedError

    def api_body(self, province_code: str | None) -> dict:
        raise NotImplementedError

    def page_detail_url(self, obj) -> str:
        raise NotImplementedError

    def api_detail_url(self, obj) -> str:
        raise NotImplementedError

    def created_province_code(self, body: dict) -> str | None:
        return body.get("province_code")

    @pytest.fixture
    def jurisdiction_records(self, territory):
        return {key: self.make_record(code) for key, code in self.JURISDICTIONS.items()}

    def expected_create(self, case: RoleCase, key: str) -> int:
        allowed = self.writes.get(case.role, set()) if case.role else set()
        if key == "national":
            return 201 if "national" in allowed else 403
        if "local" not in allowed:
            return 403
        return 201 if key in case.reach else 403  # out_of_scope

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_every_role_reads_every_jurisdiction(self, case, person_in_role, jurisdiction_records, client_for, client):
        user = person_in_role(case)
        pages = client_for(user)
        expected = 200 if case.role else 403
        assert pages.get(self.page_list_url).status_code == expected
        api = ScopedResourceSuite.api_client(self, client, user)
        assert api.get(self.api_list_url).status_code == expected
        for key, obj in jurisdiction_records.items():
            assert pages.get(self.page_detail_url(obj)).status_code == expected, key
            response = api.get(self.api_detail_url(obj))
            assert response.status_code == expected, key

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_writes_follow_the_jurisdiction(self, case, person_in_role, territory, client):
        user = person_in_role(case)
        api = ScopedResourceSuite.api_client(self, client, user)
        for key, code in self.JURISDICTIONS.items():
            before = self.model.objects.count()
            response = api.post(self.api_list_url, self.api_body(code), "application/json")
            expected = self.expected_create(case, key)
            assert response.status_code == expected, (key, response.content[:500])
            if expected == 201:
                assert self.model.objects.count() == before + 1
                assert response.json()["province_code"] == code
                ScopedResourceSuite.assert_logged(self, response.json()["id"], "create", user)
            else:
                body = response.json()
                assert set(body) >= {"code", "message", "details"}
                assert body["code"] in {"forbidden", "out_of_scope"}, body
                assert self.model.objects.count() == before, f"refused but {key} was written"
