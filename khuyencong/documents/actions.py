"""The write seam of official documents: asking for one (a job) and logging the files it made.

:func:`request_document` checks the right and the parameters, builds the document once so that a
request for an empty period is refused at once with nothing written, then starts the generation
job. The job (``documents/jobs.py``) builds it again from the records as they stand when it runs,
renders the files and calls :func:`record_generated`.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from khuyencong.documents import registry
from khuyencong.documents.model import OfficialDocument
from khuyencong.documents.models import FORMATS, GeneratedDocument
from khuyencong.documents.services import digest
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import start_job
from khuyencong.kernel.lifecycle import ActionRefused, Invalid

JOB_KIND = "documents.generate"


def cleaned_params(*, user: Any, kind: registry.DocumentKind, data: dict) -> dict:
    """The kind's form run over ``data``: its cleaned data, or :class:`Invalid` with the errors."""
    form = kind.form_class(data=data, user=user)
    if not form.is_valid():
        raise Invalid({field: " ".join(str(e) for e in errors) for field, errors in form.errors.items()})
    return form.cleaned_data


def kind_for(user: Any, key: str) -> registry.DocumentKind:
    kind = registry.get(key)
    if kind is None:
        raise ActionRefused("unknown_kind", _("There is no document of this kind."), field="kind", status=422)
    if not registry.may_generate(user, kind):
        raise ActionRefused("forbidden", _("You may not generate this document."), status=403)
    return kind


def request_document(*, user: Any, kind_key: str, data: dict) -> Job:
    """Start generating a document of kind ``kind_key`` with the form ``data`` (strings as posted).

    Refuses (nothing written) when the user may not, the data are invalid, or the period holds
    nothing to report (``empty_period``, raised by the builder)."""
    kind = kind_for(user, kind_key)
    params = cleaned_params(user=user, kind=kind, data=data)
    doc = kind.build(user, params)  # raises ActionRefused("empty_period") before anything is written
    # Only the form's own fields, as typed (never the page's CSRF token or anything else posted).
    plain = {key: data[key] for key in params if key in data and isinstance(data[key], str | int | list)}
    return start_job(
        kind=JOB_KIND,
        title=_("Generate: %(title)s") % {"title": document_title(doc, kind)},
        owner=user,
        params={"document_kind": kind.key, "data": plain},
        permission=(registry.RESOURCE, kind.permission),
    )


def document_title(doc: OfficialDocument, kind: registry.DocumentKind) -> str:
    """How lists name a document: "Báo cáo kết quả …" (the kind in capitals is for the page)."""
    subject = doc.subject.strip()
    if not doc.title:
        return subject or str(kind.label)
    title = doc.title.strip().capitalize()
    return f"{title} {subject[:1].lower()}{subject[1:]}" if subject else title


def _given_number(doc: OfficialDocument) -> str:
    """The number as typed; a blank left to fill by hand ("      /BC-…") is no number yet."""
    number = doc.number.strip()
    return "" if number.startswith("/") else number


def _scope_of(kind: registry.DocumentKind, user: Any, params: dict) -> tuple[Any, Any]:
    if kind.scope is not None:
        return kind.scope(user, params)
    return None, None


def record_generated(
    *,
    user: Any,
    kind: registry.DocumentKind,
    params: dict,
    doc: OfficialDocument,
    files: dict[str, bytes],
    job: Job | None = None,
    issuer_unit: Any = None,
    data: dict | None = None,
) -> GeneratedDocument:
    """Log a generated document and store its files (size and SHA-256 each). ``data`` is the form
    data as asked (the job's, when there is a job)."""
    province, org_unit = _scope_of(kind, user, params)
    asked = data if data is not None else (job.params.get("data", {}) if job else {})
    record = GeneratedDocument(
        kind=kind.key,
        params=dict(asked),
        title=document_title(doc, kind)[:500],
        number=_given_number(doc)[:60],
        document_date=doc.date,
        created_by=user,
        province=province,
        org_unit=org_unit,
        issuer_unit=issuer_unit,
        job=job,
    )
    base = slugify(doc.filename) or "van-ban"
    stored: list = []
    try:
        for fmt in FORMATS:
            content = files.get(fmt)
            if content is None:
                continue
            field = record.file_of(fmt)
            field.save(f"{base}.{fmt}", ContentFile(content), save=False)
            stored.append(field)
            setattr(record, f"{fmt}_size", len(content))
            setattr(record, f"{fmt}_sha256", digest(content))
        with transaction.atomic():
            record.save()
    except BaseException:
        for field in stored:  # no file without its log row
            field.storage.delete(field.name)
        raise
    return record
