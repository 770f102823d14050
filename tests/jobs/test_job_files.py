"""Audit fault 2: a generated file is served only while its owner's current reach covers the
reach it was made under, and only for KC_FILE_RETENTION_DAYS after its job ended."""

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import delete_expired_files, execute, housekeeping
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
from khuyencong.organisation.services import assign_role
from khuyencong.registry import views
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def export_job(monkeypatch, django_capture_on_commit_callbacks, territory):
    """Run the establishment export as a background job for ``user`` and return the job."""
    make_establishment("42", name="Cơ sở Hà Tĩnh xuất thử")
    make_establishment("40", name="Cơ sở Nghệ An xuất thử")
    monkeypatch.setattr(views.EstablishmentExportView, "job_threshold", 0)

    def run(client):
        with django_capture_on_commit_callbacks(execute=False):
            assert client.get("/establishments/export/", {"q": "xuat thu"}).status_code == 302
        job = Job.objects.latest("created_at")
        execute(str(job.pk))
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
        return job

    return run


def names_in(response) -> list[str]:
    import io

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]


def test_file_records_the_reach_it_was_made_under(client_for, hatinh_officer, agency_officer, export_job):
    job = export_job(client_for(hatinh_officer))
    ha_tinh = OrgUnit.objects.get(code="SCT-42").province_id
    # Establishments are scoped by province; only an establishment's own account reaches one by
    # its org unit (organisation.permissions.ORG_UNIT_REACH).
    assert job.scope == {"provinces": [ha_tinh], "org_units": []}
    assert export_job(client_for(agency_officer)).scope == {"everywhere": True}


def test_officer_moved_to_another_province_loses_the_old_file(client_for, hatinh_officer, export_job):
    job = export_job(client_for(hatinh_officer))
    response = client_for(hatinh_officer).get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200 and names_in(response) == ["Cơ sở Hà Tĩnh xuất thử"]

    RoleAssignment.objects.filter(user=hatinh_officer).update(org_unit=OrgUnit.objects.get(code="SCT-40"))
    client = client_for(hatinh_officer)
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Tệp này chứa dữ liệu của địa bàn bạn không còn được phân công" in body
    assert "Cơ sở Hà Tĩnh" not in body
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/download/" not in page and "không còn được phân công" in page

    # exporting again gives the data of the new province
    fresh = export_job(client)
    assert names_in(client.get(f"/jobs/{fresh.pk}/download/")) == ["Cơ sở Nghệ An xuất thử"]


def test_a_wider_reach_still_covers_the_file(client_for, hatinh_officer, export_job):
    job = export_job(client_for(hatinh_officer))
    assign_role(user=hatinh_officer, role=Role.PROVINCIAL_OFFICER, org_unit=OrgUnit.objects.get(code="SCT-40"))
    assert client_for(hatinh_officer).get(f"/jobs/{job.pk}/download/").status_code == 200


def test_a_nationwide_file_needs_nationwide_reach(client_for, agency_officer, export_job):
    job = export_job(client_for(agency_officer))
    RoleAssignment.objects.filter(user=agency_officer).update(
        role=Role.PROVINCIAL_OFFICER, org_unit=OrgUnit.objects.get(code="SCT-42")
    )
    assert client_for(agency_officer).get(f"/jobs/{job.pk}/download/").status_code == 403


def test_another_user_never_gets_the_file(client_for, hatinh_officer, nghean_officer, export_job):
    job = export_job(client_for(hatinh_officer))
    assert client_for(nghean_officer).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_files_expire_after_the_retention_period(client_for, hatinh_officer, export_job, settings):
    settings.KC_FILE_RETENTION_DAYS = 3
    old, recent = export_job(client_for(hatinh_officer)), export_job(client_for(hatinh_officer))
    now = timezone.now()
    Job.objects.filter(pk=old.pk).update(finished_at=now - dt.timedelta(days=3, minutes=1))
    Job.objects.filter(pk=recent.pk).update(finished_at=now - dt.timedelta(days=2))
    client = client_for(hatinh_officer)
    assert "Tệp được lưu đến" in client.get(f"/jobs/{recent.pk}/").content.decode()

    # refused as soon as it expires, even before the cleanup ran
    response = client.get(f"/jobs/{old.pk}/download/")
    assert response.status_code == 404
    assert "tệp bị xóa sau 3 ngày" in response.content.decode()

    storage = old.result_file.storage
    old_name = old.result_file.name
    assert storage.exists(old_name)
    assert housekeeping() == {"interrupted": 0, "files_deleted": 1, "idempotency_keys_purged": 0}
    old.refresh_from_db()
    assert not storage.exists(old_name) and not old.result_file and old.file_deleted_at is not None
    assert "Tệp không còn được lưu" in client.get(f"/jobs/{old.pk}/").content.decode()
    assert client.get(f"/jobs/{old.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{recent.pk}/download/").status_code == 200
    assert delete_expired_files() == 0  # nothing left to delete


def test_the_periodic_cleanup_is_registered_with_the_worker():
    from huey.contrib.djhuey import HUEY

    from khuyencong.jobs import tasks

    periodic = HUEY._registry._periodic_tasks
    assert tasks.delete_expired_files.task_class in periodic and tasks.find_lost_jobs.task_class in periodic
    assert "khuyencong.jobs.recover" in HUEY._startup


def test_the_retention_setting_is_typed_and_fails_loudly(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "KC_ENV": "test", "KC_VAR_DIR": str(tmp_path), "KC_FILE_RETENTION_DAYS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "khuyencong", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "KC_FILE_RETENTION_DAYS must be at least 1" in done.stderr
