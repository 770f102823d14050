"""Run long work in the background with a visible record.

A job kind is a plain function ``handler(job, reporter)`` registered with :func:`job_handler`.
:func:`start_job` writes the Job row and enqueues it through Django's tasks API (huey);
the handler calls ``reporter(percent, message)`` as it goes and returns a result dict, and may
attach a file with :func:`attach_file`. A failure is recorded on the job, never lost.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from khuyencong.jobs.models import Job
from khuyencong.kernel import context

logger = logging.getLogger(__name__)

Reporter = Callable[[int, str], None]
Handler = Callable[[Job, Reporter], dict | None]

_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str):
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


PERMISSION_KEY = "_permission"


def start_job(
    *, kind: str, title: str, owner=None, params: dict | None = None, permission: tuple[str, str] | None = None
) -> Job:
    """Record and enqueue a job. ``permission`` (resource, action) is what its owner needs, now
    and later, to download its result: a role that ends also ends access to its files."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params or {})
    if permission is not None:
        params[PERMISSION_KEY] = list(permission)
    job = Job.objects.create(
        kind=kind, title=title[:255], owner=owner, params=params, request_id=context.get_request_id()
    )
    from khuyencong.jobs.tasks import run_job

    # The worker must see the committed row: enqueue after the surrounding transaction commits.
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def report_progress(job: Job, percent: int, message: str = "") -> None:
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk).update(progress=percent, message=message[:500])
    job.progress, job.message = percent, message[:500]


def attach_file(job: Job, filename: str, content: bytes) -> None:
    job.result_file.save(filename, ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


def execute(job_id: str) -> None:
    """Run one job in the current process (what the worker calls)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already run by another worker, or unknown
    job = Job.objects.select_related("owner").get(pk=job_id)
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        with context.acting_as(job.owner, job.request_id or None):
            result = handler(job, lambda pct, msg="": report_progress(job, pct, msg)) or {}
    except Exception as exc:  # recorded for the user; the traceback goes to the log
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()[-4000:]}",
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, progress=100, result=result, finished_at=timezone.now()
    )


def may_download(user, job: Job) -> bool:
    """The owner (or an administrator) who still holds the permission the job was started under."""
    from khuyencong.kernel.scoping import can

    if not (user.is_superuser or job.owner_id == user.pk):
        return False
    resource, action = job.params.get(PERMISSION_KEY) or (None, None)
    return resource is None or can(user, action, resource)
