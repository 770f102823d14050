"""Reads of the jobs app that other apps use."""

from __future__ import annotations

from collections.abc import Iterable

from khuyencong.jobs.models import Job


def visible_jobs(user, kinds: Iterable[str] | None = None):
    """The jobs ``user`` may see: their own; every job for an administrator."""
    jobs = Job.objects.all()
    if not user.is_superuser:
        jobs = jobs.filter(owner=user) if user.is_authenticated else jobs.none()
    if kinds is not None:
        jobs = jobs.filter(kind__in=list(kinds))
    return jobs
