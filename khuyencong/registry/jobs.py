"""Background jobs of the registry.

Imports run as the generic job kinds of ``web/imports.py`` (``tabular.dry_run`` /
``tabular.commit``) with the importer registered here by importing ``registry.imports``. Jobs
queued under the registry's former kinds before that change still run.
"""

from __future__ import annotations

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import job_handler
from khuyencong.registry import imports
from khuyencong.web import imports as import_jobs

LEGACY_KINDS = {"registry.import_dry_run": import_jobs.run_dry_run, "registry.import_commit": import_jobs.run_commit}


def _legacy(handler):
    def run(job: Job, reporter) -> dict:
        job.params.setdefault("importer", imports.NAME)
        job.params.setdefault("error_stem", "co-so-cnnt")
        return handler(job, reporter)

    return run


for _kind, _handler in LEGACY_KINDS.items():
    job_handler(_kind)(_legacy(_handler))
