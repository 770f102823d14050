"""What the projects app shows on other apps' pages (registered in ``apps.ProjectsConfig.ready``)."""

from __future__ import annotations

from django.db.models import Sum

from khuyencong.kernel.scoping import Action, can
from khuyencong.projects.models import BeneficiaryLine, Project
from khuyencong.projects.selectors import projects_of_establishment

LIMIT = 200


def establishment_projects(request, establishment):
    """The establishment page's section: every project (any year, level) that supported it, with
    the support its line received; two queries whatever the number of projects."""
    user = getattr(request, "user", None)
    if user is None or not can(user, Action.VIEW, Project):
        return None
    rows = list(projects_of_establishment(establishment, user=user)[:LIMIT])
    lines = {
        line["project_id"]: line
        for line in BeneficiaryLine.objects.filter(establishment=establishment, project__in=[p.pk for p in rows])
        .values("project_id")
        .annotate(support=Sum("support"), eligible_cost=Sum("eligible_cost"))
    }
    items = [{"project": p, "support": lines.get(p.pk, {}).get("support", 0)} for p in rows]
    total = sum(item["support"] for item in items)
    return "projects/_establishment_section.html", {"items": items, "total": total, "limit": LIMIT}


def dossier_slots(project) -> list:
    """The documents a project's dossier must hold: the rulebook's DossierList for its content,
    level and place on the project's date, one required slot each, and a slot for anything else."""
    from django.utils.text import slugify
    from django.utils.translation import gettext as _

    from khuyencong.attachments.attachable import Slot
    from khuyencong.kernel.text import fold
    from khuyencong.projects.services import norm_date
    from khuyencong.rulebook.models import DossierList
    from khuyencong.rulebook.services import applicable_rule

    answer = applicable_rule(
        DossierList, on=norm_date(project), level=project.level, province=project.province, content=project.content
    )
    slots = []
    documents = answer.rule.documents if answer.rule is not None else []
    for index, document in enumerate(documents, 1):
        code = slugify(fold(str(document)))[:50].strip("-") or f"document-{index}"
        slots.append(Slot(code, str(document), required=True))
    slots.append(Slot("other", _("Other documents")))
    return slots
