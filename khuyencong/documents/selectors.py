"""Reading the log of generated documents: the centre, its export and the API read through here."""

from __future__ import annotations

from django.db.models import QuerySet

from khuyencong.documents.filters import DocumentFilters
from khuyencong.documents.models import GeneratedDocument
from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, restrict


def documents() -> QuerySet:
    return GeneratedDocument.objects.select_related("created_by", "province", "org_unit")


def document_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    spec = bind(DocumentFilters, filters, user=user)
    return spec.apply(restrict(documents(), user, action))


def document_for_download(*, user, pk) -> GeneratedDocument | None:
    """The document if ``user`` may read it (out of reach: None, a 404)."""
    try:
        return restrict(documents(), user, Action.VIEW).get(pk=pk)
    except (GeneratedDocument.DoesNotExist, ValueError, OverflowError):
        return None


def document_of_job(*, user, job) -> GeneratedDocument | None:
    return restrict(documents(), user, Action.VIEW).filter(job=job).first()
