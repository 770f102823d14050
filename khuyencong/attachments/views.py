"""Pages for attached documents: download a version (scoped, logged), upload to a slot and remove
the current version from the panel a record's page includes (``attachments/_panel.html``)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from khuyencong.attachments import actions, storage
from khuyencong.attachments.attachable import parse_owner
from khuyencong.attachments.models import Attachment
from khuyencong.attachments.panel import attachments_panel
from khuyencong.attachments.selectors import attachment_for_download
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused

# A request body this much larger than the file limit is refused before the upload is read.
BODY_ALLOWANCE = 1024 * 1024


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name in RFC 5987 form."""
    fallback = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "tep"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(request, attachment: Attachment, channel: str = "page") -> FileResponse:
    """Stream one stored version as a download and record who took it."""
    try:
        handle = storage.open_file(attachment.path)
    except (OSError, ValueError):
        raise Http404 from None
    log_access(
        request.user,
        "download",
        f"attachment:{attachment.pk}",
        {
            "owner": f"{attachment.owner_label}:{attachment.object_id}",
            "slot": attachment.slot,
            "version": attachment.version,
            "name": attachment.original_name,
            "channel": channel,
        },
    )
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _refused(exc: ActionRefused):
    if exc.status == 404:
        raise Http404
    if exc.status == 403:
        raise PermissionDenied


@login_required
@require_GET
def download(request, pk: int, version: int | None = None):
    try:
        attachment = attachment_for_download(user=request.user, pk=pk, version=version)
    except ActionRefused as exc:
        _refused(exc)
        raise
    return file_response(request, attachment)


def _owner_from(request):
    # The query string first: reading the form would read the whole upload.
    try:
        model, object_id = parse_owner(request.GET.get("owner") or request.POST.get("owner", ""))
    except ActionRefused:
        raise Http404 from None
    owner = model._base_manager.filter(pk=object_id).first()
    if owner is None:
        raise Http404
    return owner


def _back(request, owner) -> HttpResponse:
    """After a write: the panel again (HTMX), else back to the page the form was on."""
    if request.htmx:
        panel = attachments_panel(owner, request.user)
        if panel is None:
            return HttpResponse(status=204)
        return render(request, "attachments/_panel.html", {"panel": panel})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
@require_POST
def upload(request):
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > settings.KC_ATTACHMENT_MAX_BYTES + BODY_ALLOWANCE
    except ValueError:
        too_big = False
    owner = _owner_from(request)
    file = None if too_big else request.FILES.get("file")
    try:
        if too_big:
            from khuyencong.attachments.validation import format_size

            raise ActionRefused(
                "too_large",
                _("The file is larger than %(limit)s.") % {"limit": format_size(settings.KC_ATTACHMENT_MAX_BYTES)},
                field="file",
                status=422,
            )
        if file is None:
            raise ActionRefused("no_file", _("Choose a file to upload."), field="file", status=422)
        attachment = actions.attach(
            user=request.user,
            owner=owner,
            slot=request.POST.get("slot", "") or request.GET.get("slot", ""),
            upload=file,
            title=request.POST.get("title", ""),
        )
    except ActionRefused as exc:
        _refused(exc)
        if request.htmx:
            panel = attachments_panel(owner, request.user) or {}
            panel = {**panel, "error": exc.message, "error_slot": request.POST.get("slot", "")}
            # 200: htmx swaps only successful answers; the panel carries the message.
            return render(request, "attachments/_panel.html", {"panel": panel})
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Uploaded “%(name)s” (version %(version)s).")
            % {"name": attachment.original_name, "version": attachment.version},
        )
    return _back(request, owner)


@login_required
@require_POST
def remove(request, pk: int):
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        removed = actions.remove_attachment(user=request.user, attachment=attachment)
    except ActionRefused as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed “%(name)s”.") % {"name": removed.original_name})
    owner = attachment.owner
    if owner is None:
        raise Http404
    return _back(request, owner)


@login_required
@require_GET
def panel(request):
    owner = _owner_from(request)
    context = attachments_panel(owner, request.user)
    if context is None:
        raise Http404
    return render(request, "attachments/_panel.html", {"panel": context})
