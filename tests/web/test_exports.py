import csv
import io

import openpyxl
import pytest

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.organisation import views
from khuyencong.web.exports import ObjectExportView

pytestmark = pytest.mark.django_db


def test_csv_export_has_bom_and_vietnamese(client_for, hatinh_officer):
    response = client_for(hatinh_officer).get("/org-units/export/", {"format": "csv", "q": "ha tinh"})
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Mã", "Tên"]
    assert any("Sở Công Thương tỉnh Hà Tĩnh" in r for r in rows[1:])


def test_large_export_runs_as_a_job_with_the_same_scope(client_for, hatinh_officer, monkeypatch,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setattr(views.OrgUnitExportView, "job_threshold", 2)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(hatinh_officer).get("/org-units/export/")
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    book = openpyxl.load_workbook(job.result_file.open("rb"), read_only=True)
    names = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert job.result["rows"] == len(names) > 2
    assert all("Nghệ An" not in name for name in names)


def test_xlsx_continues_on_a_new_sheet_instead_of_truncating(client_for, agency_officer, monkeypatch):
    monkeypatch.setattr(ObjectExportView, "rows_per_sheet", 10)
    response = client_for(agency_officer).get("/org-units/export/", {"q": "so cong thuong"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    total = sum(sheet.max_row - 1 for sheet in book.worksheets)
    assert len(book.worksheets) == 4 and total == 34
