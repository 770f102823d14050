import pytest
from django.test import override_settings

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import attach_file, execute, job_handler, start_job

pytestmark = pytest.mark.django_db


@job_handler("tests.count")
def _count(job, report):
    for step in range(1, 5):
        report(step * 25, f"bước {step}")
    attach_file(job, "ket-qua.txt", b"Xong")
    return {"rows": job.params["rows"]}


@job_handler("tests.fail")
def _fail(job, report):
    report(10, "bắt đầu")
    raise ValueError("hỏng")


def test_job_runs_reports_progress_and_keeps_its_result(hatinh_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job(kind="tests.count", title="Đếm", owner=hatinh_officer, params={"rows": 7})
    assert job.status == Job.Status.QUEUED and len(callbacks) == 1  # enqueued only after commit
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100 and job.result == {"rows": 7}
    assert job.result_file.read() == b"Xong"


def test_failing_job_records_the_error(hatinh_officer):
    job = Job.objects.create(kind="tests.fail", title="Hỏng", owner=hatinh_officer)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "ValueError: hỏng" in job.error
    assert job.progress == 10


def test_job_runs_once():
    job = Job.objects.create(kind="tests.count", title="Đếm", params={"rows": 1})
    execute(str(job.pk))
    Job.objects.filter(pk=job.pk).update(result={})
    execute(str(job.pk))  # already claimed: nothing happens
    job.refresh_from_db()
    assert job.result == {}


def test_enqueue_through_tasks_api_runs_in_immediate_mode(hatinh_officer, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(kind="tests.count", title="Đếm", owner=hatinh_officer, params={"rows": 3})
    finally:
        HUEY.immediate = previous
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_progress_partial_polls_until_finished_and_is_owner_only(client_for, hatinh_officer, nghean_officer):
    job = Job.objects.create(kind="tests.count", title="Đếm", owner=hatinh_officer, params={"rows": 1})
    client = client_for(hatinh_officer)
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    execute(str(job.pk))
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in body and "100%" in body
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    other = client_for(nghean_officer)
    assert other.get(f"/jobs/{job.pk}/progress/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 404


@override_settings()
def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        start_job(kind="nope", title="x")
