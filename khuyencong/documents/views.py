"""The document centre ("Văn bản, báo cáo"): the documents generated within the user's reach,
newest first, with their DOCX, PDF and Excel files; a form per kind to generate one (a job with a
progress page). Downloads are logged in the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from khuyencong.documents import actions, registry
from khuyencong.documents.filters import DocumentFilters
from khuyencong.documents.models import CONTENT_TYPES, FORMATS, GeneratedDocument
from khuyencong.documents.selectors import document_for_download, document_list, document_of_job
from khuyencong.jobs.selectors import visible_jobs
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.scoping import Action, can
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectListView
from khuyencong.web.pagination import capped_page

PER_PAGE = 20
FORMAT_LABELS = {"docx": "DOCX", "pdf": "PDF", "xlsx": "Excel"}

COLUMNS = [
    Column("title", gettext_lazy("Title")),
    Column("kind_label", gettext_lazy("Kind")),
    Column("number", gettext_lazy("Number and symbol")),
    Column("document_date", gettext_lazy("Document date"), filter="vndate"),
    Column("province.short_name", gettext_lazy("Province")),
    Column("created_by.get_full_name", gettext_lazy("Created by")),
    Column("created_at", gettext_lazy("Created"), filter="vndatetime"),
]


def _require_view(user) -> None:
    if not can(user, Action.VIEW, GeneratedDocument):
        raise PermissionDenied


class DocumentListView(ObjectListView):
    model = GeneratedDocument
    columns = COLUMNS
    filterset = DocumentFilters
    selector = staticmethod(document_list)


class DocumentExportView(DocumentListView, ObjectExportView):
    pass


@login_required
def centre(request):
    _require_view(request.user)
    spec = DocumentFilters(request.GET, user=request.user)
    page = capped_page(document_list(user=request.user, filters=spec), request.GET.get("page"), PER_PAGE)
    context = {
        "page": page,
        "documents": page.object_list,
        "filter_form": spec,
        "kinds": registry.kinds_for(request.user),
        "format_labels": FORMAT_LABELS,
        "can_export": can(request.user, Action.EXPORT, GeneratedDocument),
    }
    return render(request, "documents/centre.html", context)


@login_required
def detail(request, pk: int):
    _require_view(request.user)
    document = document_for_download(user=request.user, pk=pk)
    if document is None:
        raise Http404
    return render(request, "documents/detail.html", {"document": document, "format_labels": FORMAT_LABELS})


@login_required
def download(request, pk: int, fmt: str):
    _require_view(request.user)
    document = document_for_download(user=request.user, pk=pk)
    if document is None or fmt not in FORMATS or not document.file_of(fmt):
        raise Http404
    field = document.file_of(fmt)
    log_access(
        request.user,
        "download",
        f"document:{document.pk}:{fmt}:{field.name}",
        {"sha256": getattr(document, f"{fmt}_sha256")},
    )
    filename = field.name.rsplit("/", 1)[-1]
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])


@login_required
@require_http_methods(["GET", "POST"])
def generate(request, kind: str):
    found = registry.get(kind)
    if found is None:
        raise Http404
    if not registry.may_generate(request.user, found):
        raise PermissionDenied
    form = found.form_class(data=request.POST or None, user=request.user)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.request_document(user=request.user, kind_key=found.key, data=request.POST.dict())
        except Invalid as invalid:
            for field, message in invalid.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except ActionRefused as refused:
            if refused.status in (403, 404):
                raise PermissionDenied from None
            refusal = refused.message
        else:
            return redirect("documents:job", pk=job.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "documents/generate.html", {"form": form, "kind": found, "refusal": refusal}, status=status)


def _job_context(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk, kind=actions.JOB_KIND)
    document = document_of_job(user=request.user, job=job) if job.status == job.Status.SUCCEEDED else None
    return {"job": job, "document": document, "format_labels": FORMAT_LABELS}


@login_required
def job(request, pk):
    return render(request, "documents/job.html", _job_context(request, pk))


@login_required
def job_progress(request, pk):
    return render(request, "documents/_job_progress.html", _job_context(request, pk))
