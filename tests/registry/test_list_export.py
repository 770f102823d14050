"""Exports read the list through its selector; a background export and other people's writes
coexist (security audit F5)."""

import io
import sqlite3
import threading
import time

import openpyxl
import pytest
from django.db import connection, connections
from django.urls import reverse

from khuyencong.audit.models import AccessLog
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.registry import views
from khuyencong.registry.models import Establishment, LegalForm
from tests.registry.factories import commune_of, make_establishment

EXPORT = "khuyencong.registry.views.EstablishmentExportView"


def sheet_names(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [row[0] for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db
def test_export_has_exactly_the_rows_and_order_of_the_list(client_for, agency_officer):
    for i, workers in enumerate((5, 50, 20)):
        make_establishment(name=f"Cơ sở xuất {i}", workers_total=workers)
    make_establishment(name="Cơ sở xuất Nghệ An", province_code="40", workers_total=99)
    params = {"q": "co so xuat", "province": "42", "sort": "-workers_total"}
    response = client_for(agency_officer).get(reverse("registry:establishment_export"), params)
    assert sheet_names(b"".join(response.streaming_content)) == ["Cơ sở xuất 1", "Cơ sở xuất 2", "Cơ sở xuất 0"]
    log = AccessLog.objects.get()
    assert log.row_count == 3 and log.parameters["province"] == "42"


@pytest.mark.django_db
def test_export_with_a_bad_filter_exports_nothing_and_says_why(client_for, agency_officer, vietnamese):
    client = client_for(agency_officer)
    response = client.get(reverse("registry:establishment_export"), {"province": "99", "q": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registry:establishment_list") + "?")
    assert "province=99" in response["Location"]
    assert "Chưa xuất dữ liệu" in client.get(response["Location"]).content.decode()
    assert not AccessLog.objects.exists() and not Job.objects.exists()


@pytest.mark.django_db
def test_export_job_reads_through_the_selector_in_the_owners_scope(client_for, hatinh_officer, monkeypatch,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    for i in range(4):
        make_establishment(name=f"Cơ sở việc xuất {i}")
    make_establishment(name="Cơ sở việc xuất Nghệ An", province_code="40")
    monkeypatch.setattr(views.EstablishmentExportView, "job_threshold", 2)
    monkeypatch.setattr(views.EstablishmentExportView, "chunk_size", 3)  # more than one chunk
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(hatinh_officer).get(reverse("registry:establishment_export"), {"q": "co so viec xuat"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["query"] == {"q": "co so viec xuat"}
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    names = sheet_names(job.result_file.open("rb").read())
    assert names == [f"Cơ sở việc xuất {i}" for i in (3, 2, 1, 0)] and job.result["rows"] == 4  # search: newest first


@pytest.fixture
def file_database(transactional_db, tmp_path, monkeypatch):
    """On SQLite, run the test on a file database in WAL mode, as deployed: the in-memory test
    database is one shared cache whose locking is not SQLite's normal locking."""
    if connection.vendor != "sqlite":
        yield
        return
    memory = connections["default"]
    memory.ensure_connection()
    path = tmp_path / "khuyencong.sqlite3"
    copy = sqlite3.connect(path)
    memory.connection.backup(copy)
    copy.close()
    monkeypatch.setitem(connections.settings, "default", {**memory.settings_dict, "NAME": str(path)})
    on_file = connections.create_connection("default")
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = memory


@pytest.mark.django_db(transaction=True)
def test_background_export_and_concurrent_writes_both_succeed(file_database, hatinh_officer, monkeypatch):
    commune = commune_of("42")
    Establishment.objects.bulk_create(
        Establishment(name=f"Cơ sở đồng thời {i:05}", legal_form=LegalForm.HOUSEHOLD, commune=commune,
                      province_id=commune.province_id)
        for i in range(3000)
    )  # fmt: skip
    target = make_establishment(name="Cơ sở được sửa trong lúc xuất")
    monkeypatch.setattr(views.EstablishmentExportView, "progress_every", 100)
    monkeypatch.setattr(views.EstablishmentExportView, "chunk_size", 250)
    job = Job.objects.create(kind="web.export", owner=hatinh_officer,
                             params={"view": EXPORT, "query": {"province": "42", "format": "csv"}})  # fmt: skip
    done, failures, writes = threading.Event(), [], []

    def write_meanwhile():
        try:
            while not done.is_set():
                target.workers_total = len(writes)
                target.save()
                writes.append(1)
                time.sleep(0.002)
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    def export():
        try:
            execute(str(job.pk))
        finally:
            done.set()
            connections.close_all()

    threads = [threading.Thread(target=write_meanwhile), threading.Thread(target=export)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["rows"] == 3001
    assert not failures and len(writes) > 5


@pytest.mark.django_db
def test_export_job_whose_filter_no_longer_holds_fails_with_a_readable_reason(hatinh_officer):
    job = Job.objects.create(kind="web.export", owner=hatinh_officer,
                             params={"view": EXPORT, "query": {"craft_village": "999999"}})  # fmt: skip
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "craft_village:" in job.error
