"""Pages of the establishment import: the template, the upload, the dry run's report, the commit.

Mounted at ``/establishments/import/`` (namespace ``registry_import``). Only users who may add
establishments somewhere get in (403 otherwise); a job is visible to its owner only.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import start_job
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.scoping import Action, can, user_scope
from khuyencong.registry import importing
from khuyencong.registry.jobs import IMPORT_COMMIT, IMPORT_DRY_RUN, IMPORT_KINDS
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune

ALLOWED_SUFFIXES = (".xlsx", ".csv")


def _require_import_right(request) -> None:
    if not can(request.user, Action.ADD, Establishment):
        raise PermissionDenied


def _limits_context() -> dict:
    limits = importing.LIMITS
    return {
        "max_mb": importing.LIMITS.max_file_bytes // (1024 * 1024),
        "max_rows": importing.vn_int(limits.max_rows),
        "max_unpacked_mb": limits.max_uncompressed_bytes // (1024 * 1024),
    }


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx) or a CSV file."))
        if upload.size > importing.LIMITS.max_file_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split the file.")
                % {
                    "size": f"{upload.size / (1024 * 1024):.1f}",
                    "limit": importing.LIMITS.max_file_bytes // (1024 * 1024),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def _own_import(request, pk) -> Job:
    jobs = Job.objects.filter(kind__in=IMPORT_KINDS)
    if not request.user.is_superuser:
        jobs = jobs.filter(owner=request.user)
    return get_object_or_404(jobs, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """GET: the upload form with the limits. POST: save the file and start the dry run."""
    _require_import_right(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        path = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}", upload)
        job = start_job(
            kind=IMPORT_DRY_RUN,
            title=_("Check the import file %(name)s") % {"name": upload.name},
            owner=request.user,
            params={"path": path, "filename": upload.name, "language": request.LANGUAGE_CODE},
            permission=("registry.establishment", Action.ADD),
        )
        return redirect("registry_import:status", pk=job.pk)
    recent = Job.objects.filter(owner=request.user, kind__in=IMPORT_KINDS).order_by("-created_at")[:10]
    return render(request, "registry/import_upload.html", {"form": form, "recent": recent, **_limits_context()})


@login_required
def template(request):
    """The empty import workbook (headers, an example row, the allowed values)."""
    _require_import_right(request)
    scope = user_scope(request.user, Action.ADD, Establishment)
    communes = Commune.objects.current().order_by("code")
    communes = scope.limit_provinces(communes, "province")
    content = importing.template_workbook(example_commune=communes.first())
    log_access(request.user, "download", "registry:import_template")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-co-so-cnnt.xlsx"'
    return response


def _context(request, job: Job) -> dict:
    result = job.result or {}
    counts = result.get("counts") or {}
    is_owner = job.owner_id == request.user.pk
    writable = counts.get("new", 0) + counts.get("updated", 0)
    commit_job = None
    if job.kind == IMPORT_DRY_RUN:
        commit_job = (
            Job.objects.filter(kind=IMPORT_COMMIT, params__dry_run_job=str(job.pk)).order_by("-created_at").first()
        )
    can_commit = (
        job.kind == IMPORT_DRY_RUN
        and job.status == Job.Status.SUCCEEDED
        and result.get("ok")
        and writable > 0
        and is_owner
        and commit_job is None
    )
    can_resume = (
        job.kind == IMPORT_COMMIT
        and job.status == Job.Status.FAILED
        and is_owner
        and result.get("committed_through_row", 0) > 0
        and not Job.objects.filter(kind=IMPORT_COMMIT, params__resumes=str(job.pk)).exists()
    )
    return {
        "job": job,
        "result": result,
        "counts": counts,
        "writable": writable,
        "can_commit": can_commit,
        "can_resume": can_resume,
        "commit_job": commit_job,
        "is_dry_run": job.kind == IMPORT_DRY_RUN,
    }


@login_required
def status(request, pk):
    """The progress bar while the job runs; its report when done."""
    _require_import_right(request)
    job = _own_import(request, pk)
    return render(request, "registry/import_status.html", _context(request, job))


@login_required
def progress(request, pk):
    """The HTMX partial the status page polls every second until the job has finished."""
    _require_import_right(request)
    job = _own_import(request, pk)
    return render(request, "registry/import_progress.html", _context(request, job))


@login_required
@require_POST
def commit(request, pk):
    """Write the checked file (the same stored file) to the database, or resume a failed commit."""
    _require_import_right(request)
    job = _own_import(request, pk)
    context = _context(request, job)
    if context["can_commit"]:
        params = {**job.params, "dry_run_job": str(job.pk)}
        params.pop("start_after_row", None)
    elif context["can_resume"]:
        params = {**job.params, "resumes": str(job.pk), "start_after_row": job.result["committed_through_row"]}
    else:
        if context["commit_job"] is not None:
            return redirect("registry_import:status", pk=context["commit_job"].pk)
        raise Http404
    new = start_job(
        kind=IMPORT_COMMIT,
        title=_("Import establishments from %(name)s") % {"name": job.params.get("filename", "")},
        owner=request.user,
        params=params,
        permission=("registry.establishment", Action.ADD),
    )
    return redirect("registry_import:status", pk=new.pk)
