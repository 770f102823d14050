"""The panel on an establishment's page and a plan version's, upload and removal through it, and
downloads: headers, the access log, 403 and 404."""

from urllib.parse import quote

import pytest

from khuyencong.attachments import actions
from khuyencong.attachments.models import Attachment
from khuyencong.audit.models import AccessLog
from tests.attachments.conftest import EXE, PDF, stored_files, upload
from tests.planning.factories import make_plan
from tests.registry.factories import make_establishment


@pytest.fixture
def est(territory):
    return make_establishment("42", name="Cơ sở mây tre đan Hà Tĩnh")


def post_file(client, owner_ref, slot, name, data, htmx=False):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/files/upload/?owner={owner_ref}",
                        {"owner": owner_ref, "slot": slot, "file": upload(name, data), "next": "/establishments/"},
                        **extra)  # fmt: skip


def test_the_establishment_page_shows_the_panel_with_an_upload_form(client_for, hatinh_officer, implementer, est):
    page = client_for(hatinh_officer).get(f"/establishments/{est.pk}/").content.decode()
    assert f'id="attachments-registry-establishment-{est.pk}"' in page
    assert 'name="file"' in page and 'accept=".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png"' in page
    # a reader sees the documents but no upload form
    page = client_for(implementer).get(f"/establishments/{est.pk}/").content.decode()
    assert f'id="attachments-registry-establishment-{est.pk}"' in page and 'name="file"' not in page


def test_upload_through_the_page_then_a_new_version(client_for, hatinh_officer, est):
    client = client_for(hatinh_officer)
    ref = f"registry.establishment:{est.pk}"
    response = post_file(client, ref, "business_registration", "GCN.pdf", PDF)
    assert response.status_code == 302 and response["Location"] == "/establishments/"
    response = post_file(client, ref, "business_registration", "GCN-2.pdf", PDF, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "GCN-2.pdf" in html and "GCN.pdf" in html and 'id="attachments-registry-establishment-' in html
    assert list(Attachment.objects.order_by("version").values_list("version", "original_name")) == [
        (1, "GCN.pdf"), (2, "GCN-2.pdf")]  # fmt: skip


def test_a_refused_upload_comes_back_with_the_message_and_nothing_kept(client_for, hatinh_officer, est, files_dir):
    client = client_for(hatinh_officer)
    response = post_file(client, f"registry.establishment:{est.pk}", "other", "hop-dong.pdf", EXE, htmx=True)
    assert response.status_code == 200  # htmx swaps the panel in, with the message next to the slot
    assert "Loại tệp này không được chấp nhận" in response.content.decode()
    assert Attachment.objects.count() == 0 and stored_files(files_dir) == []


def test_uploads_refused_by_permission_and_reach(client_for, implementer, nghean_officer, outsider, est):
    ref = f"registry.establishment:{est.pk}"
    assert post_file(client_for(implementer), ref, "other", "a.pdf", PDF).status_code == 403
    assert post_file(client_for(nghean_officer), ref, "other", "a.pdf", PDF).status_code == 404
    assert post_file(client_for(outsider), ref, "other", "a.pdf", PDF).status_code == 403
    assert post_file(client_for(nghean_officer), "accounts.user:1", "other", "a.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 0


def test_download_sets_the_headers_and_logs_access(client_for, hatinh_officer, implementer, est):
    a = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload("Quyết định số 1.pdf"))
    response = client_for(implementer).get(f"/files/{a.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Quyết định số 1.pdf', safe='')}" in disposition
    log = AccessLog.objects.get()
    assert (log.kind, log.target, log.user) == ("download", f"attachment:{a.pk}", implementer)
    assert log.parameters["owner"] == f"registry.establishment:{est.pk}" and log.parameters["version"] == 1


def test_earlier_versions_download_by_number(client_for, hatinh_officer, est):
    first = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload("a.pdf"))
    second = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload("b.pdf"))
    client = client_for(hatinh_officer)
    response = client.get(f"/files/{second.pk}/v/1/")
    assert response.status_code == 200 and "a.pdf" in response["Content-Disposition"]
    assert client.get(f"/files/{first.pk}/v/3/").status_code == 404


def test_download_refusals(client_for, hatinh_officer, nghean_officer, outsider, est):
    a = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload())
    assert client_for(nghean_officer).get(f"/files/{a.pk}/").status_code == 404
    assert client_for(outsider).get(f"/files/{a.pk}/").status_code == 403
    assert client_for(hatinh_officer).get("/files/999999/").status_code == 404
    assert AccessLog.objects.count() == 0


def test_removal_through_the_panel(client_for, hatinh_officer, implementer, est):
    a = actions.attach(user=hatinh_officer, owner=est, slot="other", upload=upload())
    assert client_for(implementer).post(f"/files/{a.pk}/remove/").status_code == 403
    response = client_for(hatinh_officer).post(f"/files/{a.pk}/remove/", {"next": f"/establishments/{est.pk}/"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.removed


def test_the_plan_version_page_asks_for_the_signed_decision(client_for, hatinh_officer, territory):
    plan = make_plan("42", approved=True)
    version = plan.versions.get()
    page = client_for(hatinh_officer).get(f"/plans/{plan.pk}/").content.decode()
    assert f'id="attachments-planning-planversion-{version.pk}"' in page
    assert "bg-red-lt" in page.split(f'id="attachments-planning-planversion-{version.pk}"')[1]
    actions.attach(user=hatinh_officer, owner=version, slot="decision", upload=upload("QD-phe-duyet.pdf"))
    page = client_for(hatinh_officer).get(f"/plans/{plan.pk}/").content.decode()
    assert "QD-phe-duyet.pdf" in page


def test_the_panel_alone_for_htmx(client_for, implementer, nghean_officer, est):
    ref = f"registry.establishment:{est.pk}"
    response = client_for(implementer).get("/files/panel/", {"owner": ref})
    assert response.status_code == 200 and "Giấy chứng nhận đăng ký kinh doanh" in response.content.decode()
    assert client_for(nghean_officer).get("/files/panel/", {"owner": ref}).status_code == 404
    assert client_for(implementer).get("/files/panel/", {"owner": "x"}).status_code == 404
