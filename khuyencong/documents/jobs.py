"""The generation job: rebuild the document as its owner sees the records now, render the three
files, log them (:func:`actions.record_generated`)."""

from __future__ import annotations

from khuyencong.documents import actions
from khuyencong.documents.services import generate_files
from khuyencong.jobs.services import job_handler


@job_handler(actions.JOB_KIND)
def generate(job, reporter):
    reporter(5, "")
    kind = actions.kind_for(job.owner, job.params["document_kind"])
    params = actions.cleaned_params(user=job.owner, kind=kind, data=job.params.get("data", {}))
    doc = kind.build(job.owner, params)
    reporter(20, "")
    files = generate_files(doc, reporter)
    record = actions.record_generated(user=job.owner, kind=kind, params=params, doc=doc, files=files, job=job)
    reporter(100, "")
    return {"document": record.pk}
