"""Generated documents in the reusable scoping suite: every role reads the documents of its reach
(a provincial report by its province; a national one only nationwide), the centre, the detail,
the export and the API agree; the API offers no PUT, PATCH or DELETE (405). Generating: only the
roles holding ``generate``, and only for a scope within their reach (422 on the scope field
otherwise); downloads out of reach are 404 and log nothing."""

from __future__ import annotations

import pytest

from khuyencong.audit.models import AccessLog
from khuyencong.documents.models import GeneratedDocument
from khuyencong.jobs.models import Job
from khuyencong.organisation.models import Role
from tests.documents.factories import make_document
from tests.finance.factories import contracted_project
from tests.roles import CASE_IDS, CASES
from tests.scoping import ScopedResourceSuite

READ = {"view", "export"}
DOCUMENT_ROLES = {
    Role.SYSTEM_ADMIN: READ,
    Role.AGENCY_OFFICER: READ,
    Role.AGENCY_LEADER: READ,
    Role.REGIONAL_OFFICER: READ,
    Role.PROVINCIAL_OFFICER: READ,
    Role.PROVINCIAL_LEADER: READ,
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: READ,
    Role.INSPECTOR: READ,
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}
GENERATORS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.AGENCY_LEADER, Role.PROVINCIAL_OFFICER,
              Role.PROVINCIAL_LEADER}  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class TestDocumentScoping(ScopedResourceSuite):
    model = GeneratedDocument
    url_prefix = "documents:generateddocument"
    api_list_url = "/api/v1/documents"
    role_actions = DOCUMENT_ROLES
    api_writes = frozenset()

    @pytest.fixture
    def records(self, territory):
        return {"hatinh": make_document("42"), "nghean": make_document("40")}

    def make_record(self, province_code):
        return make_document(province_code)

    def label(self, obj):
        return obj.title

    def test_update_cannot_move_record_out_of_scope(self):
        pytest.skip("a generated document is a log row: never edited")

    def test_each_role_creates_only_in_its_reach_through_the_api(self, case=None):
        pytest.skip("POST /documents starts a generation job: see the generation tests below")

    def test_each_role_writes_only_its_reach_through_the_pages(self):
        pytest.skip("a generated document is a log row: never edited or deleted")

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_downloads_only_its_reach(self, case, person_in_role, records, client_for, client):
        user = person_in_role(case)
        pages, api = client_for(user), self.api_client(client, user)
        for key, obj in records.items():
            visible = key in self.visible_to(case)
            before = AccessLog.objects.filter(kind="download").count()
            page = pages.get(f"/documents/{obj.pk}/docx/")
            assert page.status_code == (200 if visible else 404 if self.role_can(case, "view") else 403), key
            response = api.get(f"/api/v1/documents/{obj.pk}/pdf")
            assert response.status_code == (200 if visible else 404), key  # the API's detail rule
            if not visible:
                self.assert_refusal_shape(response, response.status_code)
            logged = AccessLog.objects.filter(kind="download").count() - before
            assert logged == (2 if visible else 0), key

    @pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
    def test_each_role_generates_only_within_its_reach(self, case, person_in_role, territory, client,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
        contracted_project()  # something to report in Hà Tĩnh in 2026; nothing in Nghệ An
        user = person_in_role(case)
        api = self.api_client(client, user)
        for key, code in self.PROVINCE.items():
            before = (Job.objects.count(), GeneratedDocument.objects.count())
            params = {"scope": f"province:{code}", "year": "2026", "period": "year"}
            body = {"kind": "periodic_report", "params": params}
            with django_capture_on_commit_callbacks(execute=False):
                response = api.post(self.api_list_url, body, "application/json")
            if case.role not in GENERATORS:
                assert response.status_code == 403, (key, response.content[:300])
            elif key not in case.reach:
                assert response.status_code == 422, (key, response.content[:300])
                assert {d["field"] for d in response.json()["details"]} == {"scope"}
            elif key == "nghean":
                assert response.status_code == 422 and response.json()["code"] == "empty_period"
            else:
                assert response.status_code == 202, (key, response.content[:300])
                assert Job.objects.count() == before[0] + 1
                continue
            assert (Job.objects.count(), GeneratedDocument.objects.count()) == before
