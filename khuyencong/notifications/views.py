"""The notification centre (/notifications/): a person's own notifications, unread first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.notifications import actions
from khuyencong.notifications.selectors import inbox
from khuyencong.web.pagination import capped_page

PER_PAGE = 20
LATEST = 6


def _show(request) -> str:
    return "unread" if request.GET.get("show") == "unread" else "all"


@login_required
def centre(request):
    show = _show(request)
    page = capped_page(inbox(request.user, unread=show == "unread" or None), request.GET.get("page"), PER_PAGE)
    context = {"page": page, "notifications": page.object_list, "show": show}
    return render(request, "notifications/centre.html", context)


@login_required
def latest(request):
    """The navbar's drop-down (HTMX): the newest few, unread first."""
    rows = list(inbox(request.user)[:LATEST])
    return render(request, "notifications/_latest.html", {"notifications": rows})


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark the notification read, then go where it leads (or back to the centre)."""
    try:
        notification = actions.mark_read(user=request.user, notification=pk)
    except ActionRefused as refused:
        raise Http404(refused.message) from None
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect(_back(request))


@login_required
@require_POST
def read_all(request):
    count = actions.mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("Nothing was unread."))
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("notifications:centre")
