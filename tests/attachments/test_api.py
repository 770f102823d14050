"""/api/v1/attachments: list, upload (multipart) and download, with coded errors."""

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.attachments import actions
from khuyencong.attachments.models import Attachment
from khuyencong.audit.models import AccessLog
from tests.attachments.conftest import EXE, PDF, stored_files, upload
from tests.registry.factories import make_establishment


@pytest.fixture
def est(territory):
    return make_establishment("42")


def api(client, user):
    _token, secret = issue_token(user=user, name="api")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def post(client, owner, slot="other", name="a.pdf", data=PDF, **extra):
    return client.post("/api/v1/attachments", {"owner": owner, "slot": slot, "file": upload(name, data), **extra})


def test_upload_list_and_download(client, hatinh_officer, est):
    c = api(client, hatinh_officer)
    ref = f"registry.establishment:{est.pk}"
    first = post(c, ref, "business_registration", "GCN.pdf", title="Giấy chứng nhận")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["version"], body["latest"], body["original_name"], body["title"]) == (1, True, "GCN.pdf",
                                                                                        "Giấy chứng nhận")  # fmt: skip
    assert body["owner"] == ref and body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    second = post(c, ref, "business_registration", "GCN-2.pdf").json()
    assert second["version"] == 2
    items = c.get("/api/v1/attachments", {"owner": ref}).json()["items"]
    assert [(i["version"], i["latest"]) for i in items] == [(2, True), (1, False)]
    response = c.get(body["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff" and "GCN.pdf" in response["Content-Disposition"]
    assert AccessLog.objects.get().parameters["channel"] == "api"


@pytest.mark.parametrize("name, data, code", [("hop-dong.pdf", EXE, "forbidden_type"), ("a.pdf", b"", "empty_file")])
def test_bad_files_are_422_with_their_code(client, hatinh_officer, est, files_dir, name, data, code):
    response = post(api(client, hatinh_officer), f"registry.establishment:{est.pk}", name=name, data=data)
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["details"] == {"field": "file"}
    assert Attachment.objects.count() == 0 and stored_files(files_dir) == []


def test_too_large_is_422(client, hatinh_officer, est, settings):
    settings.KC_ATTACHMENT_MAX_BYTES = 10
    response = post(api(client, hatinh_officer), f"registry.establishment:{est.pk}")
    assert response.status_code == 422 and response.json()["code"] == "too_large"


def test_owner_errors(client, hatinh_officer, est):
    c = api(client, hatinh_officer)
    assert post(c, "registry.establishment").json()["code"] == "validation_error"
    assert post(c, "accounts.user:1").json()["code"] == "not_attachable"
    assert post(c, "registry.establishment:999999").status_code == 404
    assert post(c, f"registry.establishment:{est.pk}", slot="Không hợp lệ").json()["code"] == "invalid_slot"
    missing = c.post("/api/v1/attachments", {"owner": f"registry.establishment:{est.pk}", "slot": "other"})
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    assert c.get("/api/v1/attachments", {"owner": "x"}).status_code == 422
    assert Attachment.objects.count() == 0


def test_scoping(client, people, est):
    a = actions.attach(user=people["hatinh"], owner=est, slot="other", upload=upload())
    ref = f"registry.establishment:{est.pk}"
    outsider = api(client, people["outsider"])
    assert outsider.get("/api/v1/attachments", {"owner": ref}).status_code == 403
    assert outsider.get(f"/api/v1/attachments/{a.pk}/download").status_code == 403
    nghean = api(client, people["nghean"])
    answers = [nghean.get("/api/v1/attachments", {"owner": ref}), nghean.get(f"/api/v1/attachments/{a.pk}/download"),
               post(nghean, ref), nghean.delete(f"/api/v1/attachments/{a.pk}")]  # fmt: skip
    for response in answers:
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    reader = api(client, people["implementer"])
    assert reader.get("/api/v1/attachments", {"owner": ref}).status_code == 200
    assert post(reader, ref).json()["code"] == "forbidden"
    assert Attachment.objects.count() == 1 and AccessLog.objects.count() == 0


def test_remove_through_the_api(client, hatinh_officer, est):
    a = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload())
    c = api(client, hatinh_officer)
    assert c.delete(f"/api/v1/attachments/{a.pk}").status_code == 204
    assert c.delete(f"/api/v1/attachments/{a.pk}").json()["code"] == "already_removed"
    items = c.get("/api/v1/attachments", {"owner": f"registry.establishment:{est.pk}"}).json()["items"]
    assert items[0]["removed"] and not items[0]["latest"]
