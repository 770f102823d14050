from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import may_download
from khuyencong.kernel.audit import log_access


def _visible_jobs(user):
    jobs = Job.objects.all()
    return jobs if user.is_superuser else jobs.filter(owner=user)


@login_required
def job_list(request):
    jobs = _visible_jobs(request.user).select_related("owner")[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = get_object_or_404(_visible_jobs(request.user), pk=pk)
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk):
    """The HTMX progress partial: polls itself every second until the job has finished."""
    job = get_object_or_404(_visible_jobs(request.user), pk=pk)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(_visible_jobs(request.user), pk=pk)
    if not job.result_file or not may_download(request.user, job):
        raise Http404
    log_access(request.user, "download", f"job:{job.pk}:{job.result_file.name}")
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1]
    )
