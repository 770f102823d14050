"""/api/v1/documents: the generated documents the caller may see (the centre's filters), one
document, its files, and ``POST`` to generate one: 202 with the job to follow
(``/api/v1/jobs``-style fields: id, status, progress), or the refusal in the API's one shape
(403 forbidden, 422 unknown_kind, validation_error with the form's fields or empty_period)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.documents import actions
from khuyencong.documents.filters import DocumentFilters
from khuyencong.documents.models import CONTENT_TYPES, FORMATS, GeneratedDocument
from khuyencong.documents.selectors import document_for_download, document_list, document_of_job
from khuyencong.jobs.selectors import visible_jobs
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can

router = Router(tags=["documents"])


class FileOut(Schema):
    format: str
    size: int
    sha256: str
    url: str


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    document_date: dt.date | None
    province_code: str | None
    created_by: str
    created_at: dt.datetime
    files: list[FileOut]

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.get_username() if obj.created_by_id else ""

    @staticmethod
    def resolve_files(obj):
        return [
            {"format": fmt, "size": getattr(obj, f"{fmt}_size"), "sha256": getattr(obj, f"{fmt}_sha256"),
             "url": reverse("api:document_download", args=[obj.pk, fmt])}
            for fmt in obj.formats()
        ]  # fmt: skip


class DocumentPage(Schema):
    items: list[DocumentOut]
    next_cursor: str | None


DocumentQuery = query_schema(DocumentFilters, "DocumentQuery")


class GenerateIn(Schema):
    kind: Annotated[str, Field(max_length=50, description="The kind of document, e.g. periodic_report.")]
    params: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=500)] | int] = Field(
        default_factory=dict, description="The kind's form fields, e.g. {scope: national, year: 2022, period: h1}."
    )


class JobOut(Schema):
    job_id: uuid.UUID
    status: str
    progress: int
    url: str
    document_id: int | None = None


def _require_view(user) -> None:
    if not can(user, Action.VIEW, GeneratedDocument):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _job_out(request, job) -> dict[str, Any]:
    document = document_of_job(user=request.auth, job=job) if job.status == job.Status.SUCCEEDED else None
    return {
        "job_id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "url": reverse("api:document_job", args=[job.pk]),
        "document_id": document.pk if document else None,
    }


@router.get("/documents", response=DocumentPage, summary="Generated documents you may see")
def list_documents(request, query: Query[DocumentQuery]):
    return list_page(
        request, query, spec_class=DocumentFilters, selector=document_list, model=GeneratedDocument, order_field="id"
    )


@router.post("/documents", response={202: JobOut}, summary="Generate a document (a job: follow it, then download)")
@idempotent
def generate_document(request, body: GenerateIn):
    _require_view(request.auth)
    data = {key: str(value) for key, value in body.params.items()}
    job = actions.request_document(user=request.auth, kind_key=body.kind, data=data)
    return Status(202, _job_out(request, job))


@router.get(
    "/documents/jobs/{uuid:pk}", response=JobOut, url_name="document_job", summary="How a generation job is going"
)
def document_job(request, pk: uuid.UUID):
    job = visible_jobs(request.auth).filter(pk=pk, kind=actions.JOB_KIND).first()
    if job is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    return _job_out(request, job)


@router.get("/documents/{int:pk}", response=DocumentOut, summary="One generated document")
def get_document(request, pk: int):
    document = document_for_download(user=request.auth, pk=pk)
    if document is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    return document


@router.get("/documents/{int:pk}/{fmt}", url_name="document_download", response={200: None},
            summary="Download a document's DOCX, PDF or Excel file")  # fmt: skip
def download_document(request, pk: int, fmt: str):
    document = document_for_download(user=request.auth, pk=pk)
    if document is None or fmt not in FORMATS or not document.file_of(fmt):
        raise ActionRefused("not_found", _("Not found."), status=404)
    field = document.file_of(fmt)
    log_access(request.auth, "download", f"document:{document.pk}:{fmt}:{field.name}",
               {"channel": "api", "sha256": getattr(document, f"{fmt}_sha256")})  # fmt: skip
    filename = field.name.rsplit("/", 1)[-1]
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])
