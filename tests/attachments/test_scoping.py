"""Attached documents follow their owner's permissions and reach, for every role (tests/roles.py):
for an establishment and a local plan version in Hà Tĩnh and in Nghệ An, each role lists, downloads
(page and API) and uploads (page and API) exactly where its role allows; a refusal is 403 without the
permission, 404 out of reach, in the API's error shape, and leaves no row, no file, no log."""

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.attachments import actions
from khuyencong.attachments.models import Attachment
from khuyencong.audit.models import AccessLog
from khuyencong.organisation.models import Role
from tests.attachments.conftest import PDF, stored_files, upload
from tests.planning.factories import make_plan
from tests.registry.factories import make_establishment
from tests.roles import CASE_IDS, CASES

ALL = {"view", "change"}
READ = {"view"}
# What each role does with an establishment's documents (REGISTRY_RECORDS: read, and change to attach).
ESTABLISHMENT = {
    Role.SYSTEM_ADMIN: ALL, Role.AGENCY_OFFICER: ALL, Role.AGENCY_LEADER: READ, Role.REGIONAL_OFFICER: READ,
    Role.PROVINCIAL_OFFICER: ALL, Role.PROVINCIAL_LEADER: READ, Role.PROVINCIAL_FINANCE: READ,
    Role.IMPLEMENTER: READ, Role.INSPECTOR: READ, Role.ESTABLISHMENT: set(), Role.VIEWER: READ,
}  # fmt: skip
# A plan version's (PLAN_VERSIONS: officers change, everyone else in planning reads).
PLAN_VERSION = {
    Role.SYSTEM_ADMIN: ALL, Role.AGENCY_OFFICER: ALL, Role.AGENCY_LEADER: READ, Role.REGIONAL_OFFICER: READ,
    Role.PROVINCIAL_OFFICER: ALL, Role.PROVINCIAL_LEADER: READ, Role.PROVINCIAL_FINANCE: READ,
    Role.IMPLEMENTER: READ, Role.INSPECTOR: READ, Role.ESTABLISHMENT: set(), Role.VIEWER: READ,
}  # fmt: skip
PROVINCE = {"hatinh": "42", "nghean": "40"}


def _establishment(code):
    return make_establishment(code)


def _plan_version(code):
    return make_plan(code, approved=True).versions.get()


OWNERS = {"establishment": (_establishment, ESTABLISHMENT), "planversion": (_plan_version, PLAN_VERSION)}


def expected(matrix, case, action, key, done):
    if not case.role or action not in matrix[case.role]:
        return 403
    return done if key in case.reach else 404


@pytest.mark.parametrize("kind", list(OWNERS))
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_reaches_exactly_its_owners_documents(kind, case, person_in_role, people, client_for, client,
                                                        files_dir):  # fmt: skip
    make, matrix = OWNERS[kind]
    owners = {key: make(code) for key, code in PROVINCE.items()}
    files = {
        key: actions.attach(user=people["admin"], owner=o, slot="other", upload=upload()) for key, o in owners.items()
    }
    user = person_in_role(case)
    pages = client_for(user)
    _token, secret = issue_token(user=user, name="scoping")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    for key, owner in owners.items():
        ref = f"{owner._meta.label_lower}:{owner.pk}"
        rows, stored, logs = Attachment.objects.count(), stored_files(files_dir), AccessLog.objects.count()
        # reads
        want = expected(matrix, case, "view", key, 200)
        listed = client.get("/api/v1/attachments", {"owner": ref})
        assert listed.status_code == want, (key, listed.content[:300])
        if want == 200:
            assert [i["id"] for i in listed.json()["items"]] == [files[key].pk]
        else:
            assert listed.json()["code"] == {403: "forbidden", 404: "not_found"}[want]
        assert pages.get(f"/files/{files[key].pk}/").status_code == want, key
        assert client.get(f"/api/v1/attachments/{files[key].pk}/download").status_code == want, key
        assert AccessLog.objects.count() == logs + (2 if want == 200 else 0)
        # writes
        want = expected(matrix, case, "change", key, 201)
        response = client.post("/api/v1/attachments", {"owner": ref, "slot": "other", "file": upload()})
        assert response.status_code == want, (key, response.content[:300])
        page = pages.post(f"/files/upload/?owner={ref}", {"slot": "other", "file": upload(), "next": "/"})
        assert page.status_code == (302 if want == 201 else want), key
        if want != 201:
            assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[want]
            assert Attachment.objects.count() == rows and stored_files(files_dir) == stored
        else:
            versions = list(Attachment.objects.filter(object_id=owner.pk, owner_type=files[key].owner_type)
                            .order_by("version").values_list("version", flat=True))  # fmt: skip
            assert versions == [1, 2, 3]
            assert (files_dir / Attachment.objects.get(pk=response.json()["id"]).path).read_bytes() == PDF
