"""The generic import flow of the web layer: upload → dry run → commit → errors → resume.

Any importer registered with :func:`khuyencong.tabular.register_importer` gets these pages by
declaring an :class:`ImportFlow` and mounting :func:`urlpatterns` (see ``registry/import_urls.py``).
Two job kinds serve every importer; the importer's registered name travels in ``job.params``.

The flow's state lives on the jobs: a dry run that succeeded with something to write can be
committed once - the claim is a compare-and-swap on the dry-run job's result, so simultaneous
clicks start one commit job - and a commit that stopped (failed, or interrupted because its worker
died) can be resumed once after its last committed row (``jobs.services.start_resume``, the same
kind of claim on ``resumed_by``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from khuyencong import tabular
from khuyencong.jobs.models import Job
from khuyencong.jobs.selectors import visible_jobs
from khuyencong.jobs.services import attach_file, job_handler, resumable, start_job, start_resume
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.scoping import Action, can

DRY_RUN = "tabular.dry_run"
COMMIT = "tabular.commit"
KINDS = (DRY_RUN, COMMIT)
ALLOWED_SUFFIXES = (".xlsx", ".csv")
INTERRUPTED = Job.Status.INTERRUPTED  # a job whose worker died; resumable like a failed one


@dataclass(frozen=True)
class ImportFlow:
    importer: str  # the registered importer name
    namespace: str  # URL namespace of the pages
    resource: str  # who may import: users who may add this resource somewhere
    title: str  # page title ("Import establishments")
    template: Callable[[object], bytes]  # the empty workbook for a user
    template_filename: str
    error_stem: str  # the error workbook is "<file>-loi.xlsx", or "<error_stem>-loi.xlsx"
    template_audit: str = ""  # the access log's target for a template download
    done_url: str = ""  # URL name of the list the imported records appear in
    hints: tuple[str, ...] = ()  # shown on the upload page under the limits
    commit_confirm: str = field(default="")  # "%(new)s / %(updated)s" message before committing
    # who may import: users holding any of these actions on ``resource`` somewhere
    permissions: tuple[str, ...] = (Action.ADD,)

    def permission_of(self, user) -> str | None:
        return next((name for name in self.permissions if can(user, name, self.resource)), None)

    def url(self, name: str) -> str:
        return f"{self.namespace}:{name}"


# --- Jobs


def error_workbook_name(filename: str, stem: str) -> str:
    return f"{slugify(PurePath(filename or '').stem)[:60] or stem}-loi.xlsx"


def _finish(job: Job, report: tabular.ImportReport) -> dict:
    if report.counts["rejected"] and report.error_workbook:
        stem = job.params.get("error_stem", "bang")
        attach_file(job, error_workbook_name(job.params.get("filename", ""), stem), report.error_workbook)
    return {**report.to_dict(), "filename": job.params.get("filename", "")}


@job_handler(DRY_RUN)
def run_dry_run(job: Job, reporter) -> dict:
    importer = tabular.get_importer(job.params["importer"])
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), default_storage.open(job.params["path"], "rb") as fh:
        report = tabular.dry_run(fh, job.owner, importer, reporter)
    return _finish(job, report)


@job_handler(COMMIT)
def run_commit(job: Job, reporter) -> dict:
    def checkpoint(report: tabular.ImportReport) -> None:
        # Kept when a later batch fails or the worker dies: the resume point.
        Job.objects.filter(pk=job.pk).update(result={**report.to_dict(), "filename": job.params.get("filename", "")})

    importer = tabular.get_importer(job.params["importer"])
    language = job.params.get("language") or settings.LANGUAGE_CODE
    start = int(job.params.get("start_after_row") or 0)
    with translation.override(language), default_storage.open(job.params["path"], "rb") as fh:
        try:
            report = tabular.commit(fh, job.owner, importer, reporter, start_after_row=start, on_batch=checkpoint)
        except tabular.ImportInterrupted as exc:
            checkpoint(exc.report)
            raise
    return _finish(job, report)


# --- Pages


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = tabular.LIMITS.max_file_bytes
        if PurePath(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx) or a CSV file."))
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split the file.")
                % {"size": f"{upload.size / (1024 * 1024):.1f}", "limit": limit // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def _require(flow: ImportFlow, request) -> None:
    if flow.permission_of(request.user) is None:
        raise PermissionDenied


def _jobs(flow: ImportFlow):
    return Job.objects.filter(kind__in=KINDS, params__importer=flow.importer)


def _own(flow: ImportFlow, request, pk) -> Job:
    jobs = visible_jobs(request.user, kinds=KINDS).filter(params__importer=flow.importer)
    return get_object_or_404(jobs, pk=pk)


def _params(job: Job, **extra) -> dict:
    keep = ("importer", "path", "filename", "language", "error_stem")
    return {**{k: job.params[k] for k in keep if k in job.params}, **extra}


def _state(flow: ImportFlow, request, job: Job) -> dict:
    result = job.result or {}
    counts = result.get("counts") or {}
    is_owner = job.owner_id == request.user.pk
    writable = counts.get("new", 0) + counts.get("updated", 0)
    commit_job = None
    if job.kind == DRY_RUN and result.get("commit_job"):
        commit_job = Job.objects.filter(pk=result["commit_job"]).first()
    can_commit = (
        job.kind == DRY_RUN
        and job.status == Job.Status.SUCCEEDED
        and result.get("ok")
        and writable > 0
        and is_owner
        and "commit_job" not in result
    )
    # a commit that stopped (failed, or interrupted) after committing some batches, not yet resumed
    can_resume = is_owner and job.kind == COMMIT and resumable(job)
    return {
        "flow": flow,
        "job": job,
        "result": result,
        "counts": counts,
        "writable": writable,
        "can_commit": can_commit,
        "can_resume": can_resume,
        "commit_job": commit_job,
        "resumed_by": job.resumed_by_id,
        "is_dry_run": job.kind == DRY_RUN,
        "resume_row": result.get("committed_through_row", 0),
    }


def _claim(job: Job, mark: str, start: Callable[[], Job]) -> Job | None:
    """Start the follow-up job at most once: the new job exists only if this request set ``mark``
    on ``job``'s result (a conditional UPDATE; concurrent requests wait and then find it set)."""
    with transaction.atomic():
        new = start()
        claimed = (
            Job.objects.filter(pk=job.pk, status=job.status)
            .exclude(result__has_key=mark)
            .update(result={**(job.result or {}), mark: str(new.pk)})
        )
        if not claimed:
            transaction.set_rollback(True)  # the job row and its enqueueing go away
            return None
    return new


def upload(flow: ImportFlow, request):
    """GET: the upload form with the limits. POST: save the file and start the dry run."""
    _require(flow, request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        stored = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}", upload)
        job = start_job(
            kind=DRY_RUN,
            title=_("Check the import file %(name)s") % {"name": upload.name},
            owner=request.user,
            params={
                "importer": flow.importer,
                "path": stored,
                "filename": upload.name,
                "language": request.LANGUAGE_CODE,
                "error_stem": flow.error_stem,
            },
            permission=(flow.resource, flow.permission_of(request.user) or Action.ADD),
        )
        return redirect(flow.url("status"), pk=job.pk)
    limits = tabular.LIMITS
    recent = _jobs(flow).filter(owner=request.user).order_by("-created_at")[:10]
    return render(
        request,
        "imports/upload.html",
        {
            "flow": flow,
            "form": form,
            "recent": recent,
            "max_mb": limits.max_file_bytes // (1024 * 1024),
            "max_rows": tabular.vn_int(limits.max_rows),
            "max_unpacked_mb": limits.max_uncompressed_bytes // (1024 * 1024),
        },
    )


def template(flow: ImportFlow, request):
    """The empty workbook to fill in."""
    _require(flow, request)
    content = flow.template(request.user)
    log_access(request.user, "download", flow.template_audit or f"{flow.namespace}:template")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{flow.template_filename}"'
    return response


def status(flow: ImportFlow, request, pk):
    """The progress bar while the job runs; its report when done."""
    _require(flow, request)
    return render(request, "imports/status.html", _state(flow, request, _own(flow, request, pk)))


def progress(flow: ImportFlow, request, pk):
    """The HTMX partial the status page polls every second until the job has finished."""
    _require(flow, request)
    return render(request, "imports/progress.html", _state(flow, request, _own(flow, request, pk)))


def commit(flow: ImportFlow, request, pk):
    """Write the checked file (the same stored file), or resume a stopped commit - once."""
    _require(flow, request)
    job = _own(flow, request, pk)
    state = _state(flow, request, job)
    title = _("Import from %(name)s") % {"name": job.params.get("filename", "")}

    def start(params: dict) -> Callable[[], Job]:
        return lambda: start_job(
            kind=COMMIT,
            title=title,
            owner=request.user,
            params=params,
            permission=(flow.resource, flow.permission_of(request.user) or Action.ADD),
        )

    if state["can_commit"]:
        new = _claim(job, "commit_job", start(_params(job, dry_run_job=str(job.pk))))
    elif state["can_resume"]:
        new = start_resume(job, title=title, owner=request.user)  # a compare-and-swap on resumed_by
    else:
        new = None
    if new is None:
        job.refresh_from_db()
        follow = (job.result or {}).get("commit_job") if job.kind == DRY_RUN else job.resumed_by_id
        if follow:
            return redirect(flow.url("status"), pk=follow)
        raise Http404
    return redirect(flow.url("status"), pk=new.pk)


def urlpatterns(flow: ImportFlow) -> list:
    """The pages of ``flow``; include them under the flow's namespace."""

    def view(func, methods=("GET",)):
        def wrapped(request, **kwargs):
            return func(flow, request, **kwargs)

        wrapped.__name__ = wrapped.__qualname__ = func.__name__
        wrapped.__doc__ = func.__doc__
        decorated = require_POST(wrapped) if methods == ("POST",) else require_http_methods(list(methods))(wrapped)
        return login_required(decorated)

    return [
        path("", view(upload, ("GET", "POST")), name="upload"),
        path("template/", view(template), name="template"),
        path("<uuid:pk>/", view(status), name="status"),
        path("<uuid:pk>/progress/", view(progress), name="progress"),
        path("<uuid:pk>/commit/", view(commit, ("POST",)), name="commit"),
    ]
