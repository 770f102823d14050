"""Run long work in the background with a visible record.

A job kind is a plain function ``handler(job, reporter)`` registered with :func:`job_handler`.
:func:`start_job` writes the Job row and enqueues it through Django's tasks API (huey);
the handler calls ``reporter(percent, message)`` as it goes and returns a result dict, and may
attach a file with :func:`attach_file`. A failure is recorded on the job, never lost.

A running job keeps a heartbeat (with every progress report, and from a side thread while a long
step runs). A job whose heartbeat is older than the lease lost its worker: the worker's start-up
and a periodic task mark it *interrupted* (:func:`interrupt_stale_jobs`), keeping its progress and
result; if its result records a resume point it can be resumed (:func:`resumable`,
:func:`start_resume`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.jobs.models import Job
from khuyencong.kernel import context

logger = logging.getLogger(__name__)

Reporter = Callable[[int, str], None]
Handler = Callable[[Job, Reporter], dict | None]

_HANDLERS: dict[str, Handler] = {}

PERMISSION_KEY = "_permission"
# A handler that checkpoints keeps, in its result, the last input row whose effects are committed;
# a stopped job (failed or interrupted) with a positive resume point can continue after it.
RESUME_POINT_KEY = "committed_through_row"
RESUMES_KEY = "resumes"
START_AFTER_KEY = "start_after_row"
RESUMABLE_STATUSES = (Job.Status.FAILED, Job.Status.INTERRUPTED)


class JobInterrupted(Exception):
    """Raised in a handler's reporter when its job was marked interrupted meanwhile: stop now."""


def job_handler(kind: str):
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


def start_job(
    *, kind: str, title: str, owner=None, params: dict | None = None, permission: tuple[str, str] | None = None
) -> Job:
    """Record and enqueue a job. ``permission`` (resource, action) is what its owner needs, now
    and later, to download its result: a role that ends also ends access to its files, and a file
    is served only while the owner's reach for that permission still covers the reach it was made
    under (see :func:`download_refusal`)."""
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


# --- Heartbeat ------------------------------------------------------------------------------------


def heartbeat_interval() -> float:
    return max(1.0, settings.KC_JOB_LEASE_SECONDS / 5)


class Pulse:
    """Writes a running job's progress and heartbeat from a side thread with its own connection.

    The handler's connection may hold a long read (an export's cursor); on SQLite a write on that
    connection after another connection committed fails, so every write of a running job goes
    through here: at once when progress is reported, and every ``interval`` seconds otherwise,
    which keeps the heartbeat fresh while one long step runs. ``write(progress, message)`` returns
    False when the job is no longer running (someone marked it interrupted).
    """

    def __init__(self, write: Callable[[tuple[int, str] | None], bool], interval: float):
        self._write = write
        self._interval = interval
        self._lock = threading.Lock()
        self._pending: tuple[int, str] | None = None
        self._wake = threading.Event()
        self._stopping = False
        self.lost = False
        self._thread = threading.Thread(target=self._run, name="job-pulse", daemon=True)

    def report(self, percent: int, message: str) -> None:
        with self._lock:
            self._pending = (percent, message)
        self._wake.set()

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        try:
            if not self._write(pending):
                self.lost = True
        except DatabaseError:  # the next beat tries again; the lease tolerates a few misses
            logger.warning("could not record a job's heartbeat", exc_info=True)

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait(self._interval)
                self._wake.clear()
                self._flush()
                if self._stopping:
                    return
        finally:
            connections.close_all()  # this thread's own connections

    def __enter__(self) -> Pulse:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()


def _pulse_writer(job_id) -> Callable[[tuple[int, str] | None], bool]:
    def write(pending: tuple[int, str] | None) -> bool:
        changes: dict = {"heartbeat_at": timezone.now()}
        if pending is not None:
            changes["progress"], changes["message"] = pending
        return bool(Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**changes))

    return write


def _side_thread_allowed() -> bool:
    # A side thread cannot see the rows of an open transaction (tests, or a caller's atomic
    # block): there the writes stay on this connection, and the job is short-lived anyway.
    return not connection.in_atomic_block


def report_progress(job: Job, percent: int, message: str = "") -> None:
    """Record how far a running job got (and that it is alive). Raises :class:`JobInterrupted`
    when the job was marked interrupted meanwhile, so the handler stops instead of racing a resume."""
    percent = max(0, min(100, int(percent)))
    message = message[:500]
    job.progress, job.message = percent, message
    pulse: Pulse | None = getattr(job, "_pulse", None)
    if pulse is not None:
        pulse.report(percent, message)
        lost = pulse.lost
    else:
        lost = not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=percent, message=message, heartbeat_at=timezone.now()
        )
    if lost:
        raise JobInterrupted(str(job.pk))


def attach_file(job: Job, filename: str, content: bytes | IO[bytes]) -> None:
    """Store ``content`` (bytes, or an open binary file read from its start and copied in chunks,
    so a big export never sits whole in memory) as the job's result file. The job names the file
    only once it is whole: a write that fails half-way (a full disk) removes what it wrote and
    raises, so no partial file is ever offered for download."""
    field = job.result_file.field
    storage = job.result_file.storage
    name = storage.get_available_name(field.generate_filename(job, filename), max_length=field.max_length)
    try:
        if isinstance(content, bytes | bytearray):
            body: File = ContentFile(content)
        else:
            content.seek(0)
            body = File(content, name=filename)
        saved = storage.save(name, body, max_length=field.max_length)
    except FileExistsError:
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            storage.delete(name)
        raise
    job.result_file.name = saved
    Job.objects.filter(pk=job.pk).update(result_file=saved)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the file system saying it has no space left."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# --- Running --------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def recorded_scope(owner, permission) -> dict:
    """The owner's reach for ``permission`` now, as stored on the job (only the dimensions the
    resource is scoped by, so an unrelated change does not lock the owner out of a file)."""
    from django.apps import apps

    from khuyencong.kernel.scoping import user_scope

    if owner is None or not permission:
        return {}
    resource, action = permission
    scope = user_scope(owner, action, resource)
    if scope.everywhere:
        return {"everywhere": True}
    try:
        model = apps.get_model(resource)
    except (LookupError, ValueError):
        model = None
    by_province = model is None or getattr(model, "scope_province_field", None)
    by_org_unit = model is None or getattr(model, "scope_org_unit_field", None)
    return {
        "provinces": sorted(scope.province_ids) if by_province else [],
        "org_units": sorted(scope.org_unit_ids) if by_org_unit else [],
    }


def execute(job_id: str) -> None:
    """Run one job in the current process (what the worker calls)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    )
    if not claimed:
        return  # already run by another worker, or unknown
    job = Job.objects.select_related("owner").get(pk=job_id)
    handler = _HANDLERS.get(job.kind)
    pulse = Pulse(_pulse_writer(job.pk), heartbeat_interval()) if _side_thread_allowed() else None
    job._pulse = pulse  # type: ignore[attr-defined]  # read by report_progress on this instance
    still_running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        # What the file will hold is decided by the owner's reach now: record it for downloads.
        job.scope = recorded_scope(job.owner, job.params.get(PERMISSION_KEY))
        still_running.update(scope=job.scope)
        with context.acting_as(job.owner, job.request_id or None), pulse or contextlib.nullcontext():
            result = handler(job, lambda pct, msg="": report_progress(job, pct, msg)) or {}
    except JobInterrupted:
        logger.warning("job %s (%s) stopped: it was marked interrupted", job.pk, job.kind)
        return
    except Exception as exc:  # recorded for the user; the traceback goes to the log
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = job.message
        if disk_full(exc):  # the one failure the user can be told plainly: nothing was kept
            message = _("There was not enough disk space to store the file; no file was kept. Tell your administrator.")
        still_running.update(
            status=Job.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()[-4000:]}",
            finished_at=timezone.now(),
            progress=job.progress,
            message=message[:500],
        )
        return
    # Only a job still ours finishes: one marked interrupted meanwhile stays so.
    still_running.update(status=Job.Status.SUCCEEDED, progress=100, result=result, finished_at=timezone.now())


# --- Lost workers -----------------------------------------------------------------------------------


def mark_interrupted(jobs=None, *, now: dt.datetime | None = None) -> int:
    """Mark running jobs (all of ``jobs``, a Job queryset) interrupted, keeping progress and result.
    A compare-and-swap: a job that finished meanwhile is left alone. Returns how many changed."""
    jobs = Job.objects.all() if jobs is None else jobs
    now = now or timezone.now()
    return jobs.filter(status=Job.Status.RUNNING).update(status=Job.Status.INTERRUPTED, finished_at=now)


def interrupt_stale_jobs(*, now: dt.datetime | None = None) -> int:
    """Running jobs whose heartbeat is older than the lease lost their worker: mark them interrupted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.KC_JOB_LEASE_SECONDS)
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    count = mark_interrupted(Job.objects.filter(stale), now=now)
    if count:
        logger.warning("%d job(s) lost their worker and were marked interrupted", count)
    return count


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupt_orphans(*, now: dt.datetime | None = None) -> int:
    """At a worker's start: jobs left running by a dead worker process on this host are
    interrupted at once, without waiting for the lease; then every stale job anywhere."""
    host = socket.gethostname()[:80]
    dead = []
    for pk, worker in Job.objects.filter(status=Job.Status.RUNNING, worker__startswith=f"{host}:").values_list(
        "pk", "worker"
    ):
        pid = worker.rsplit(":", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            dead.append(pk)
    count = mark_interrupted(Job.objects.filter(pk__in=dead), now=now) if dead else 0
    return count + interrupt_stale_jobs(now=now)


def resume_point(job: Job) -> int:
    try:
        return max(0, int((job.result or {}).get(RESUME_POINT_KEY) or 0))
    except (TypeError, ValueError):
        return 0


def resumable(job: Job) -> bool:
    """A stopped job (failed or interrupted) that committed part of its work, not yet resumed."""
    return job.status in RESUMABLE_STATUSES and resume_point(job) > 0 and job.resumed_by_id is None


def start_resume(job: Job, *, title: str, owner) -> Job | None:
    """Start the job that continues ``job`` after its resume point; None if it cannot be resumed
    or another request resumed it first (a compare-and-swap, so a double click starts one job)."""
    if not resumable(job):
        return None
    params = {**job.params, RESUMES_KEY: str(job.pk), START_AFTER_KEY: resume_point(job)}
    permission = params.pop(PERMISSION_KEY, None)
    with transaction.atomic():
        new = start_job(kind=job.kind, title=title, owner=owner, params=params, permission=permission)
        claimed = Job.objects.filter(pk=job.pk, status__in=RESUMABLE_STATUSES, resumed_by__isnull=True).update(
            resumed_by=new
        )
        if not claimed:
            transaction.set_rollback(True)
            return None
    job.resumed_by = new
    return new


# --- Files ----------------------------------------------------------------------------------------

REFUSED_MISSING = "missing"
REFUSED_EXPIRED = "expired"
REFUSED_OWNER = "owner"
REFUSED_PERMISSION = "permission"
REFUSED_SCOPE = "scope"


def _covers(current, recorded: dict) -> bool:
    if current.everywhere:
        return True
    if not recorded or recorded.get("everywhere"):
        return False  # made nationwide (or before scopes were recorded): only nationwide reach
    return (
        set(recorded.get("provinces", ())) <= current.province_ids
        and set(recorded.get("org_units", ())) <= current.org_unit_ids
    )


def download_refusal(user, job: Job, *, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` may not download ``job``'s file now (one of the ``REFUSED_*`` codes), or None.

    The owner (or an administrator) may, while the file is kept, while they still hold the
    permission the job was started under, and while their reach for it still covers the reach the
    file was made under: an officer moved from Hà Tĩnh to Nghệ An loses the Hà Tĩnh extract.
    """
    from khuyencong.kernel.scoping import user_scope

    if not (user.is_superuser or job.owner_id == user.pk):
        return REFUSED_OWNER
    if not job.result_file:
        return REFUSED_EXPIRED if job.file_deleted_at else REFUSED_MISSING
    expires = job.file_expires_at
    if expires is not None and (now or timezone.now()) >= expires:
        return REFUSED_EXPIRED
    resource, action = job.params.get(PERMISSION_KEY) or (None, None)
    if resource is None:
        return None
    current = user_scope(user, action, resource)
    if current.is_empty:
        return REFUSED_PERMISSION
    if not _covers(current, job.scope):
        return REFUSED_SCOPE
    return None


def may_download(user, job: Job) -> bool:
    return download_refusal(user, job) is None


def delete_expired_files(*, now: dt.datetime | None = None) -> int:
    """Delete result files kept longer than ``KC_FILE_RETENTION_DAYS``; the job record stays."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.KC_FILE_RETENTION_DAYS)
    count = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(result_file=""):
        try:
            job.result_file.delete(save=False)
        except OSError:
            logger.warning("could not delete %s", job.result_file.name, exc_info=True)
            continue
        count += Job.objects.filter(pk=job.pk).update(result_file="", file_deleted_at=now)
    return count


def housekeeping(*, now: dt.datetime | None = None) -> dict[str, int]:
    """What the worker runs at start and periodically."""
    from khuyencong.api.idempotency import purge_idempotency_keys

    return {
        "interrupted": interrupt_stale_jobs(now=now),
        "files_deleted": delete_expired_files(now=now),
        "idempotency_keys_purged": purge_idempotency_keys(now=now),
    }
