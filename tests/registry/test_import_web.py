"""The import pages: template download, upload, the dry run's report, the commit, permissions."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from khuyencong import tabular
from khuyencong.audit.models import AccessLog
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.registry import imports
from khuyencong.registry.models import Establishment
from khuyencong.web.imports import COMMIT as IMPORT_COMMIT
from khuyencong.web.imports import DRY_RUN as IMPORT_DRY_RUN
from tests.registry.fixtures.builders import row, tax_code, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload_file(tmp_path, ht, name="co-so.xlsx") -> SimpleUploadedFile:
    rows = [
        row(ht[0], **{"Mã số thuế": tax_code(1), "Tổng lao động": 10}),
        row(ht[1], **{"Tên cơ sở": "Cơ sở nón lá", "Mã ngoài": "HT-2"}),
        row("99999", **{"Tên cơ sở": "Sai mã xã"}),
    ]
    content = write_xlsx(tmp_path / "upload.xlsx", rows).read_bytes()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def only_job(**filters) -> Job:
    return Job.objects.get(**filters)


def test_upload_page_shows_the_limits(client_for, hatinh_officer):
    response = client_for(hatinh_officer).get(reverse("registry_import:upload"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhập cơ sở CNNT từ tệp" in body
    assert "Mỗi tệp tối đa 20 MB và 200.000 dòng" in body and "200 MB" in body
    assert reverse("registry_import:template") in body


@pytest.mark.parametrize("who", ["implementer", "outsider"])
def test_only_users_who_may_add_establishments_get_in(client_for, people, who, tmp_path, ht):
    client = client_for(people[who])
    assert client.get(reverse("registry_import:upload")).status_code == 403
    assert client.get(reverse("registry_import:template")).status_code == 403
    response = client.post(reverse("registry_import:upload"), {"file": upload_file(tmp_path, ht)})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("registry_import:upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_template_download(client_for, hatinh_officer, ht):
    response = client_for(hatinh_officer).get(reverse("registry_import:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "mau-nhap-co-so-cnnt.xlsx" in response["Content-Disposition"]
    with CalamineWorkbook.from_filelike(io.BytesIO(response.content)) as workbook:
        assert workbook.sheet_names[:2] == ["Cơ sở CNNT", "Giá trị hợp lệ"]
        example = workbook.get_sheet_by_index(0).to_python()[1]
    assert ht[0] in example  # the example commune is one the officer may import into
    assert AccessLog.objects.filter(user=hatinh_officer, target="registry:import_template").exists()


def test_upload_check_then_commit(
    client_for, hatinh_officer, nghean_officer, tmp_path, ht, django_capture_on_commit_callbacks
):
    client = client_for(hatinh_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("registry_import:upload"), {"file": upload_file(tmp_path, ht)})
    dry = only_job(kind=IMPORT_DRY_RUN)
    assert len(callbacks) == 1  # enqueued after commit
    assert response.status_code == 302 and response["Location"] == reverse("registry_import:status", args=[dry.pk])
    assert dry.owner == hatinh_officer and dry.params["filename"] == "co-so.xlsx" and dry.params["language"] == "vi"

    # while queued, the page polls its progress partial every second
    body = client.get(reverse("registry_import:status", args=[dry.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and reverse("registry_import:progress", args=[dry.pk]) in body
    assert Establishment.objects.count() == 0

    execute(str(dry.pk))
    dry.refresh_from_db()
    assert dry.status == Job.Status.SUCCEEDED
    assert dry.result["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert Establishment.objects.count() == 0  # the dry run wrote nothing

    partial = client.get(reverse("registry_import:progress", args=[dry.pk])).content.decode()
    assert "hx-trigger" not in partial
    for text in ("Mới", "Cập nhật", "Không đổi", "Bị từ chối", "Ghi vào cơ sở dữ liệu"):
        assert text in partial
    assert "Không có xã/phường/đặc khu nào mang mã 99999." in partial
    assert 'id="count-new">2<' in partial and 'id="count-rejected">1<' in partial
    assert "data-confirm=" in partial
    download = reverse("jobs:job_download", args=[dry.pk])
    assert download in partial
    errors = client.get(download)
    assert errors.status_code == 200 and "co-so-loi" in errors["Content-Disposition"]
    with CalamineWorkbook.from_filelike(io.BytesIO(b"".join(errors.streaming_content))) as workbook:
        rejected = workbook.get_sheet_by_index(0).to_python()
    assert rejected[0][0] == "Dòng" and rejected[0][-1] == "Lỗi" and rejected[1][0] == 4.0

    # someone else sees nothing of it
    other = client_for(nghean_officer)
    assert other.get(reverse("registry_import:status", args=[dry.pk])).status_code == 404
    assert other.post(reverse("registry_import:commit", args=[dry.pk])).status_code == 404

    response = client.post(reverse("registry_import:commit", args=[dry.pk]))
    commit = only_job(kind=IMPORT_COMMIT)
    assert response["Location"] == reverse("registry_import:status", args=[commit.pk])
    assert commit.params["path"] == dry.params["path"] and commit.params["dry_run_job"] == str(dry.pk)
    execute(str(commit.pk))
    commit.refresh_from_db()
    assert commit.status == Job.Status.SUCCEEDED, commit.error
    assert commit.result["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert Establishment.objects.count() == 2
    assert set(Establishment.objects.values_list("created_by__username", flat=True)) == {"hatinh"}
    page = client.get(reverse("registry_import:status", args=[commit.pk])).content.decode()
    assert "Đã nhập: xử lý 3 dòng." in page and "Ghi vào cơ sở dữ liệu" not in page

    # the dry run cannot be committed twice: the button leads to the commit job
    again = client.post(reverse("registry_import:commit", args=[dry.pk]))
    assert again["Location"] == reverse("registry_import:status", args=[commit.pk])
    assert Job.objects.filter(kind=IMPORT_COMMIT).count() == 1
    dry_page = client.get(reverse("registry_import:status", args=[dry.pk])).content.decode()
    assert 'id="import-commit-job"' in dry_page and 'id="import-commit"' not in dry_page


def test_jobs_run_through_the_queue_in_immediate_mode(
    client_for, hatinh_officer, tmp_path, ht, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    previous, HUEY.immediate = HUEY.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client_for(hatinh_officer).post(reverse("registry_import:upload"), {"file": upload_file(tmp_path, ht)})
    finally:
        HUEY.immediate = previous
    job = only_job(kind=IMPORT_DRY_RUN)
    assert job.status == Job.Status.SUCCEEDED and job.result["counts"]["new"] == 2


def test_a_file_that_cannot_be_imported_offers_no_commit(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    bad = SimpleUploadedFile("sai.xlsx", b"%PDF-1.4 not a workbook")
    client.post(reverse("registry_import:upload"), {"file": bad})
    job = only_job(kind=IMPORT_DRY_RUN)
    execute(str(job.pk))
    body = client.get(reverse("registry_import:status", args=[job.pk])).content.decode()
    assert "Không nhập được tệp" in body and "không phải bảng tính Excel" in body
    assert 'id="import-commit"' not in body
    assert client.post(reverse("registry_import:commit", args=[job.pk])).status_code == 404


def test_upload_form_refuses_other_file_types(client_for, hatinh_officer):
    response = client_for(hatinh_officer).post(
        reverse("registry_import:upload"), {"file": SimpleUploadedFile("ghi-chu.txt", b"abc")}
    )
    assert response.status_code == 200
    assert "Hãy chọn bảng tính Excel (.xlsx) hoặc tệp CSV." in response.content.decode()
    assert not Job.objects.exists()


class FailingSecondBatch(imports.EstablishmentImport):
    def __init__(self):
        self.batches = 0

    def save(self, creates, updates):
        self.batches += 1
        super().save(creates, updates)
        if self.batches == 2:
            raise RuntimeError("mất kết nối")


def test_a_failed_commit_can_be_resumed(client_for, hatinh_officer, tmp_path, ht, monkeypatch):
    from khuyencong.tabular import engine

    client = client_for(hatinh_officer)
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở {i}"}) for i in range(5)]
    content = write_xlsx(tmp_path / "f.xlsx", rows).read_bytes()
    client.post(reverse("registry_import:upload"), {"file": SimpleUploadedFile("f.xlsx", content)})
    dry = only_job(kind=IMPORT_DRY_RUN)
    execute(str(dry.pk))
    client.post(reverse("registry_import:commit", args=[dry.pk]))
    commit = only_job(kind=IMPORT_COMMIT)

    monkeypatch.setattr(engine, "BATCH_SIZE", 2)
    with tabular.replaced_importer(imports.NAME, FailingSecondBatch):
        execute(str(commit.pk))
    commit.refresh_from_db()
    assert commit.status == Job.Status.FAILED and commit.result["committed_through_row"] == 3
    assert Establishment.objects.count() == 2
    page = client.get(reverse("registry_import:status", args=[commit.pk])).content.decode()
    assert "Các dòng đến dòng 3 đã được ghi" in page and 'id="import-resume"' in page

    client.post(reverse("registry_import:commit", args=[commit.pk]))
    resumed = Job.objects.get(kind=IMPORT_COMMIT, params__resumes=str(commit.pk))
    assert resumed.params["start_after_row"] == 3
    execute(str(resumed.pk))
    resumed.refresh_from_db()
    assert resumed.status == Job.Status.SUCCEEDED and resumed.result["counts"]["new"] == 3
    assert Establishment.objects.count() == 5
    # resuming is offered once
    assert 'id="import-resume"' not in client.get(reverse("registry_import:status", args=[commit.pk])).content.decode()
