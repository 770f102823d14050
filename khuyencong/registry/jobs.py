"""Background job handlers of the registry (imports and large exports register here).

Imports: the uploaded file is saved in media storage and its path put in ``job.params``; the
dry run and the commit read it from there, report progress per batch, keep the report's summary
in ``job.result`` and attach the error workbook when rows were rejected. The commit also stores
its summary after every committed batch, so a failed commit still tells how far it got
(``committed_through_row``) and can be resumed from there.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.text import slugify

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import attach_file, job_handler
from khuyencong.registry import importing

IMPORT_DRY_RUN = "registry.import_dry_run"
IMPORT_COMMIT = "registry.import_commit"
IMPORT_KINDS = (IMPORT_DRY_RUN, IMPORT_COMMIT)


def error_workbook_name(filename: str) -> str:
    stem = slugify(PurePath(filename or "").stem)[:60] or "co-so-cnnt"
    return f"{stem}-loi.xlsx"


def _finish(job: Job, report: importing.ImportReport) -> dict:
    if report.counts["rejected"] and report.error_workbook:
        attach_file(job, error_workbook_name(job.params.get("filename", "")), report.error_workbook)
    return {**report.to_dict(), "filename": job.params.get("filename", "")}


@job_handler(IMPORT_DRY_RUN)
def import_dry_run(job: Job, reporter) -> dict:
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), default_storage.open(job.params["path"], "rb") as fh:
        report = importing.dry_run(fh, job.owner, reporter)
    return _finish(job, report)


@job_handler(IMPORT_COMMIT)
def import_commit(job: Job, reporter) -> dict:
    def checkpoint(report: importing.ImportReport) -> None:
        # Kept if a later batch fails (a failed job's result is left as it was).
        Job.objects.filter(pk=job.pk).update(result={**report.to_dict(), "filename": job.params.get("filename", "")})

    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), default_storage.open(job.params["path"], "rb") as fh:
        report = importing.commit(
            fh, job.owner, reporter, start_after_row=int(job.params.get("start_after_row") or 0), on_batch=checkpoint
        )
    return _finish(job, report)
