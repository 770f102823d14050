from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from khuyencong.jobs import services
from khuyencong.jobs.models import Job
from khuyencong.jobs.selectors import visible_jobs
from khuyencong.kernel.audit import log_access


def _with_refusal(user, job):
    """Decide once per job whether its file may be downloaded, for the button or the reason."""
    job.download_refusal = services.download_refusal(user, job) if job.status == Job.Status.SUCCEEDED else None
    return job


@login_required
def job_list(request):
    jobs = [_with_refusal(request.user, job) for job in visible_jobs(request.user).select_related("owner")[:100]]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = _with_refusal(request.user, get_object_or_404(visible_jobs(request.user), pk=pk))
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk):
    """The HTMX progress partial: polls itself every second until the job has finished."""
    job = _with_refusal(request.user, get_object_or_404(visible_jobs(request.user), pk=pk))
    return render(request, "jobs/_progress.html", {"job": job})


def refusal_message(code: str) -> str:
    messages = {
        services.REFUSED_MISSING: _("This job produced no file."),
        services.REFUSED_EXPIRED: _(
            "This file is no longer kept: files are deleted %(days)s days after the job ends. "
            "Run the export again to get a fresh file."
        )
        % {"days": settings.KC_FILE_RETENTION_DAYS},
        services.REFUSED_OWNER: _("Only the person who started the job may download its file."),
        services.REFUSED_PERMISSION: _("You no longer hold the right under which this file was made."),
        services.REFUSED_SCOPE: _(
            "This file holds data of an area you are no longer assigned to. "
            "Run the export again to get the data of your current area."
        ),
    }
    return messages[code]


@login_required
def job_download(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    refusal = services.download_refusal(request.user, job)
    if refusal is not None:
        # A changed reach is explained (403); a lost right, as before, shows nothing (404).
        status = 403 if refusal == services.REFUSED_SCOPE else 404
        context = {"job": job, "message": refusal_message(refusal)}
        return render(request, "jobs/download_refused.html", context, status=status)
    log_access(request.user, "download", f"job:{job.pk}:{job.result_file.name}")
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1]
    )
