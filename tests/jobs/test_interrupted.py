"""Finding 20: a job whose worker died is detected by its stale heartbeat, marked interrupted with
its progress and resume point kept, and an import commit resumes without writing a row twice."""

import datetime as dt
import subprocess
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from khuyencong.jobs import services
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import (
    JobInterrupted,
    Pulse,
    execute,
    interrupt_orphans,
    interrupt_stale_jobs,
    job_handler,
    report_progress,
    resumable,
    start_resume,
)
from khuyencong.registry.models import Establishment
from khuyencong.web.imports import COMMIT as IMPORT_COMMIT
from tests.registry.fixtures.builders import row, write_xlsx

pytestmark = pytest.mark.django_db

LEASE = dt.timedelta(seconds=300)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KC_JOB_LEASE_SECONDS = 300


class WorkerKilled(BaseException):
    """Stands for SIGKILL / a crash: nothing in the job runner gets to record it."""


def running_job(owner=None, *, heartbeat_age: dt.timedelta, **fields) -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind="tests.count",
        title="Đang chạy",
        owner=owner,
        status=Job.Status.RUNNING,
        started_at=now - heartbeat_age - dt.timedelta(minutes=1),
        heartbeat_at=now - heartbeat_age,
        **fields,
    )


def test_progress_reports_refresh_the_heartbeat(hatinh_officer):
    job = running_job(hatinh_officer, heartbeat_age=dt.timedelta(minutes=4))
    before = job.heartbeat_at
    report_progress(job, 40, "nửa chừng")
    job.refresh_from_db()
    assert job.progress == 40 and job.heartbeat_at > before


def test_stale_running_jobs_are_interrupted_keeping_progress_and_result(hatinh_officer):
    stale = running_job(hatinh_officer, heartbeat_age=LEASE + dt.timedelta(seconds=1), progress=6,
                        result={"committed_through_row": 1001})  # fmt: skip
    alive = running_job(hatinh_officer, heartbeat_age=LEASE - dt.timedelta(seconds=30), progress=50)
    never_beat = running_job(hatinh_officer, heartbeat_age=LEASE)
    Job.objects.filter(pk=never_beat.pk).update(heartbeat_at=None)
    done = Job.objects.create(kind="tests.count", title="Xong", status=Job.Status.SUCCEEDED, progress=100)

    assert interrupt_stale_jobs() == 2
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[stale.pk] == statuses[never_beat.pk] == Job.Status.INTERRUPTED
    assert statuses[alive.pk] == Job.Status.RUNNING and statuses[done.pk] == Job.Status.SUCCEEDED
    stale.refresh_from_db()
    assert stale.progress == 6 and stale.result == {"committed_through_row": 1001} and stale.finished_at
    assert resumable(stale) and services.resume_point(stale) == 1001
    assert interrupt_stale_jobs() == 0  # idempotent


def test_a_restarted_worker_interrupts_jobs_of_its_dead_predecessor_at_once(hatinh_officer):
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = services.worker_name().rsplit(":", 1)[0]
    orphan = running_job(hatinh_officer, heartbeat_age=dt.timedelta(seconds=5), worker=f"{host}:{dead.pid}")
    mine = running_job(hatinh_officer, heartbeat_age=dt.timedelta(seconds=5), worker=services.worker_name())
    elsewhere = running_job(hatinh_officer, heartbeat_age=dt.timedelta(seconds=5), worker=f"other-host:{dead.pid}")
    from khuyencong.jobs.tasks import recover_on_start

    recover_on_start()
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == Job.Status.INTERRUPTED
    assert statuses[mine.pk] == statuses[elsewhere.pk] == Job.Status.RUNNING
    assert interrupt_orphans() == 0


@job_handler("tests.slow_steps")
def _slow_steps(job, report):
    report(10, "bước 1")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.INTERRUPTED)  # the lease ran out meanwhile
    report(20, "bước 2")
    raise AssertionError("not reached: the reporter stops the handler")


def test_a_job_marked_interrupted_stops_at_its_next_report_and_stays_interrupted(hatinh_officer):
    job = Job.objects.create(kind="tests.slow_steps", title="Chậm", owner=hatinh_officer)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.INTERRUPTED and job.progress == 10 and not job.error


def test_job_page_explains_an_interrupted_job_in_vietnamese(client_for, hatinh_officer):
    job = running_job(hatinh_officer, heartbeat_age=LEASE * 2, progress=6)
    interrupt_stale_jobs()
    client = client_for(hatinh_officer)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Bị gián đoạn · 6%" in page and "tiến trình xử lý nền đã dừng" in page
    assert "hx-trigger" not in client.get(f"/jobs/{job.pk}/progress/").content.decode()  # polling stops


# --- the side thread that keeps the heartbeat ---------------------------------------------------


class FakeWriter:
    def __init__(self, alive=True):
        self.calls: list = []
        self.alive = alive
        self.event = threading.Event()

    def __call__(self, pending):
        self.calls.append(pending)
        self.event.set()
        return self.alive


def test_pulse_beats_while_a_long_step_runs_and_writes_reports_at_once():
    writer = FakeWriter()
    with Pulse(writer, interval=0.02) as pulse:
        time.sleep(0.15)  # one long step, no report
        beats = len(writer.calls)
        writer.event.clear()
        pulse.report(55, "đang ghi")
        assert writer.event.wait(1)
    assert beats >= 3 and all(call is None for call in writer.calls[:beats])
    assert (55, "đang ghi") in writer.calls


def test_pulse_flushes_the_last_report_when_it_stops():
    writer = FakeWriter()
    with Pulse(writer, interval=60) as pulse:
        pulse.report(99, "gần xong")
    assert writer.calls[-1] == (99, "gần xong")


def test_a_lost_job_stops_its_handler_through_the_pulse():
    job = Job(title="x")
    writer = FakeWriter(alive=False)
    with Pulse(writer, interval=60) as pulse:
        job._pulse = pulse
        report_progress(job, 10)
        deadline = time.monotonic() + 2
        while not pulse.lost and time.monotonic() < deadline:
            time.sleep(0.005)
        with pytest.raises(JobInterrupted):
            report_progress(job, 20)


@job_handler("tests.long_step")
def _long_step(job, report):
    report(30, "bắt đầu")
    time.sleep(0.3)  # no report for a while: only the side thread shows the job is alive
    return {}


def test_worker_writes_progress_and_heartbeats_from_the_side_thread(monkeypatch, hatinh_officer):
    writes = FakeWriter()
    # The real side thread has its own connection, which cannot see this test's transaction:
    # record what it would write instead, and check the writer itself below.
    monkeypatch.setattr(services, "_side_thread_allowed", lambda: True)
    monkeypatch.setattr(services, "_pulse_writer", lambda job_id: writes)
    monkeypatch.setattr(services, "heartbeat_interval", lambda: 0.05)
    job = Job.objects.create(kind="tests.long_step", title="Dài", owner=hatinh_officer)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (30, "bắt đầu") in writes.calls and writes.calls.count(None) >= 3


def test_the_side_thread_writer_beats_only_for_a_running_job(hatinh_officer):
    job = running_job(hatinh_officer, heartbeat_age=dt.timedelta(minutes=4))
    write = services._pulse_writer(job.pk)
    assert write(None) is True
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at < dt.timedelta(seconds=5) and job.progress == 0
    assert write((70, "bảy mươi")) is True
    job.refresh_from_db()
    assert (job.progress, job.message) == (70, "bảy mươi")
    interrupt_orphans(now=timezone.now() + LEASE * 2)
    assert write((80, "")) is False


# --- a worker dies in the middle of an import commit ------------------------------------------------


def test_worker_death_mid_import_ends_interrupted_and_resumes_without_doubles(
    client_for, hatinh_officer, tmp_path, territory, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from khuyencong import tabular
    from khuyencong.registry import imports
    from khuyencong.tabular import engine
    from khuyencong.territory.models import Commune
    from khuyencong.web.imports import DRY_RUN as IMPORT_DRY_RUN

    ht = list(Commune.objects.current().filter(province__code="42").order_by("code").values_list("code", flat=True))
    client = client_for(hatinh_officer)
    # rows without tax code or external id: running any of them twice would create a double
    rows = [row(ht[0], **{"Tên cơ sở": f"Cơ sở không mã {i}"}) for i in range(5)]
    content = write_xlsx(tmp_path / "f.xlsx", rows).read_bytes()
    client.post(reverse("registry_import:upload"), {"file": SimpleUploadedFile("f.xlsx", content)})
    dry = Job.objects.get(kind=IMPORT_DRY_RUN)
    execute(str(dry.pk))
    client.post(reverse("registry_import:commit", args=[dry.pk]))
    commit = Job.objects.get(kind=IMPORT_COMMIT)

    monkeypatch.setattr(engine, "BATCH_SIZE", 2)

    class Dying(imports.EstablishmentImport):
        batches = 0

        def save(self, creates, updates):
            Dying.batches += 1
            if Dying.batches == 2:
                raise WorkerKilled  # the process dies inside the second batch's transaction
            super().save(creates, updates)

    with tabular.replaced_importer(imports.NAME, Dying), pytest.raises(WorkerKilled):
        execute(str(commit.pk))
    commit.refresh_from_db()
    assert commit.status == Job.Status.RUNNING  # nobody recorded the death
    assert Establishment.objects.count() == 2 and commit.result["committed_through_row"] == 3

    # the lease runs out; the worker's periodic check finds the job
    Job.objects.filter(pk=commit.pk).update(heartbeat_at=timezone.now() - LEASE - dt.timedelta(seconds=1))
    from khuyencong.jobs.tasks import find_lost_jobs

    find_lost_jobs.call_local()
    commit.refresh_from_db()
    assert commit.status == Job.Status.INTERRUPTED and commit.progress > 0
    assert resumable(commit) and services.resume_point(commit) == 3

    resumed = start_resume(commit, title="Tiếp tục", owner=hatinh_officer)
    assert start_resume(commit, title="Tiếp tục", owner=hatinh_officer) is None  # a double click starts one job
    assert resumed.params["start_after_row"] == 3 and resumed.params["resumes"] == str(commit.pk)
    execute(str(resumed.pk))
    resumed.refresh_from_db()
    assert resumed.status == Job.Status.SUCCEEDED, resumed.error
    names = list(Establishment.objects.values_list("name", flat=True))
    assert sorted(names) == [f"Cơ sở không mã {i}" for i in range(5)]  # every row once
    commit.refresh_from_db()
    assert not resumable(commit) and commit.resumed_by == resumed
