"""/api/v1/attachments: an owner's documents, uploads and downloads, through the owner's permissions.

``owner`` names a record as ``app_label.model:id`` (``registry.establishment:12``); only models
registered as attachable are accepted (422 ``not_attachable``). Refusals share the API's error
shape: 403 ``forbidden``, 404 ``not_found``, 422 ``validation_error``, ``empty_file``,
``too_large``, ``forbidden_type``, ``invalid_slot``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from khuyencong.attachments import actions
from khuyencong.attachments.attachable import parse_owner
from khuyencong.attachments.models import Attachment
from khuyencong.attachments.selectors import attachment_for_download, attachments_of
from khuyencong.attachments.views import file_response
from khuyencong.kernel.lifecycle import ActionRefused

router = Router(tags=["attachments"])

OwnerRef = Annotated[str, Field(max_length=120, description="app_label.model:id, e.g. registry.establishment:12")]


class AttachmentOut(Schema):
    id: int
    owner: str
    slot: str
    title: str
    version: int
    latest: bool
    removed: bool
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    removed_at: dt.datetime | None
    download_url: str

    @staticmethod
    def resolve_owner(obj):
        return f"{obj.owner_label}:{obj.object_id}"

    @staticmethod
    def resolve_latest(obj):
        return getattr(obj, "is_latest", False)

    @staticmethod
    def resolve_removed(obj):
        return obj.removed_at is not None

    @staticmethod
    def resolve_uploaded_by(obj):
        return obj.uploaded_by_name

    @staticmethod
    def resolve_download_url(obj):
        return reverse("api:attachment_download", args=[obj.pk])


class AttachmentList(Schema):
    items: list[AttachmentOut]


class ListQuery(Schema):
    owner: OwnerRef


def _owner(ref: str):
    model, object_id = parse_owner(ref)
    owner = model._base_manager.filter(pk=object_id).first()
    if owner is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    return owner


@router.get("/attachments", response=AttachmentList, summary="Documents of a record, every version")
def list_attachments(request, query: Query[ListQuery]):
    groups = attachments_of(_owner(query.owner), user=request.user)
    items = []
    for group in groups:
        latest = group.latest
        for row in group.versions:
            row.is_latest = row is latest
            items.append(row)
    return {"items": items}


@router.post("/attachments", response={201: AttachmentOut}, summary="Attach a file (multipart: owner, slot, file)")
def upload_attachment(
    request,
    owner: Form[OwnerRef],
    slot: Form[Annotated[str, Field(max_length=60)]],
    file: File[UploadedFile],
    title: str = Form("", max_length=200),
):
    attachment = actions.attach(user=request.user, owner=_owner(owner), slot=slot, upload=file, title=title)
    attachment.is_latest = True
    return Status(201, attachment)


@router.get("/attachments/{int:pk}/download", url_name="attachment_download", summary="Download one version",
            response={200: None})  # fmt: skip
def download_attachment(request, pk: int):
    return file_response(request, attachment_for_download(user=request.user, pk=pk), channel="api")


@router.delete("/attachments/{int:pk}", response={204: None}, summary="Remove the current version (kept on record)")
def remove_attachment(request, pk: int):
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
    if attachment is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    actions.remove_attachment(user=request.user, attachment=attachment)
    return Status(204, None)
