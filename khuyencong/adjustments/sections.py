"""The project page's adjustment section: ``adjustments/_project_section.html`` with the context
``adjustments_context(project, user)`` (a module the project page may import: not a view)."""

from __future__ import annotations

from django.urls import reverse

from khuyencong.adjustments import actions
from khuyencong.adjustments.selectors import adjustments_of
from khuyencong.kernel.scoping import restrict
from khuyencong.projects.models import APPROVED_STATES, Project


def adjustments_context(project: Project, user) -> dict:
    """What the project page's adjustment section needs: the adjustments the user sees, each with
    the steps the user may take, and whether the user may propose one now."""
    rows = list(adjustments_of(project, user=user).prefetch_related("transitions"))
    may_propose = (
        project.state in APPROVED_STATES
        and restrict(Project.objects.filter(pk=project.pk), user, "propose_adjustment").exists()
    )
    return {
        "adjustment_rows": [(row, actions.available_steps(row, user)) for row in rows],
        "adjustment_propose_url": reverse("adjustments:propose", args=[project.pk]) if may_propose else "",
        "adjustment_project": project,
    }
