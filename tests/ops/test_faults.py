"""Faults that can be made inside a test: the disk fills up while an export is written (a clear
message, no file kept or offered). The kill -9 runs are scripts (scripts/faults/, docs/quality.md)."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import translation

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import attach_file, disk_full, execute
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

EXPORT = "khuyencong.registry.views.EstablishmentExportView"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def full_disk(monkeypatch):
    """The file system accepts the first 1,000 bytes of a file, then says it is full (as a tiny tmpfs does)."""

    def save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(b"".join(content.chunks())[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def files_under(root) -> list[str]:
    return [os.path.join(d, n) for d, _s, names in os.walk(root) for n in names]


def test_an_export_on_a_full_disk_fails_plainly_and_offers_no_file(media, full_disk, client_for, hatinh_officer):
    for i in range(30):
        make_establishment(name=f"Cơ sở đĩa đầy {i}")
    job = Job.objects.create(kind="web.export", title="Xuất danh sách", owner=hatinh_officer,
                             params={"view": EXPORT, "query": {"province": "42"}})  # fmt: skip
    with translation.override("vi"):  # the worker's language
        execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "No space left on device" in job.error
    assert not job.result_file and files_under(media) == []  # the partial file was removed
    client = client_for(hatinh_officer)
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "Không đủ dung lượng đĩa" in page
    assert reverse("jobs:job_download", args=[job.pk]) not in page
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404


def test_attach_file_keeps_the_file_only_when_whole(media, full_disk, hatinh_officer):
    job = Job.objects.create(kind="web.export", title="Xuất", owner=hatinh_officer)
    with pytest.raises(OSError) as caught:
        attach_file(job, "danh-sach.xlsx", b"x" * 5000)
    assert disk_full(caught.value)
    job.refresh_from_db()
    assert not job.result_file and files_under(media) == []


def test_disk_full_is_recognised_through_a_wrapping_error():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("writing the workbook failed") from inner
    except RuntimeError as outer:
        assert disk_full(outer)
    assert not disk_full(OSError(errno.EACCES, "Permission denied"))
