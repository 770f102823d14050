"""What inspections add to other apps' pages (``kernel.sections``, registered in ``apps.py``):
the project page's inspection visits with their findings and follow-ups, and the home page's
open follow-ups of the signed-in person. Each reads a fixed number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khuyencong.attachments.attachable import Slot
from khuyencong.inspections.models import FollowUp, InspectionMission, Visit
from khuyencong.inspections.selectors import open_follow_ups
from khuyencong.inspections.selectors import project_inspections as visits_of_project
from khuyencong.kernel.scoping import Action, can

MISSION_SLOTS = [
    Slot("quyet_dinh", _("Decision establishing the mission"), required=True),
    Slot("bien_ban", _("Inspection minutes")),
    Slot("bao_cao", _("Inspection report")),
    Slot("khac", _("Other documents")),
]


def project_inspections(request, project):
    """The project page's "Inspections" card: nothing when the user reads no inspection visits,
    or when the project was never visited."""
    if request is None or not can(request.user, Action.VIEW, Visit):
        return None
    visits = visits_of_project(project, user=request.user)
    if not visits:
        return None
    return "inspections/_project_section.html", {"inspection_visits": visits}


def home_follow_ups(request, user):
    """The home page's card of the open follow-ups the person may report on, overdue first."""
    if not can(user, "close_follow_up", FollowUp):
        return None
    data = open_follow_ups(user, limit=8)
    return "inspections/_home_follow_ups.html", {
        "follow_ups": data["rows"],
        "follow_ups_total": data["total"],
        "follow_ups_overdue": data["overdue"],
        "follow_ups_url": reverse("inspections:followup_list") + "?status=open",
        "can_view_missions": can(user, Action.VIEW, InspectionMission),
    }
