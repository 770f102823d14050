"""The home page's card of reports (``kernel.sections`` slot ``web.home``)."""

from __future__ import annotations

from khuyencong.kernel.scoping import Action, can
from khuyencong.reporting.models import Report


def home_reports(request, user):
    if user is None or not can(user, Action.VIEW, Report):
        return None
    from khuyencong.reporting.selectors import worklist

    return "reporting/_home.html", {"reports": worklist(user)}
