"""The figures of the projects app a report can be pre-filled with (registered at start-up).

Which projects count for a unit: every project for the Ministry and the Agency; for a provincial
unit (the People's Committee, the Department, the Department of Finance) the projects of its
province (for a unit of a province abolished on 1/7/2025: the projects placed in it before, by
``legacy_province``); for any other unit (a provincial centre, a regional centre, an implementing
unit) the projects it implements. Dates decide the period: approved, accepted or submitted in it.
"""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.reporting import sources

ENDED = (ProjectState.STOPPED, ProjectState.CANCELLED, ProjectState.REJECTED)


def unit_projects(unit: OrgUnit):
    if unit.kind in OrgUnit.NATIONAL_KINDS:
        return Project.objects.all()
    if unit.kind in OrgUnit.PROVINCIAL_KINDS and unit.province_id:
        if unit.province.valid_to is not None:
            return Project.objects.filter(legacy_province_id=unit.province_id)
        return Project.objects.filter(province_id=unit.province_id)
    return Project.objects.filter(implementing_unit=unit)


def count_submitted(unit, period) -> int:
    return unit_projects(unit).filter(submitted_on__range=(period.start, period.end)).count()


def count_approved(unit, period) -> int:
    return unit_projects(unit).filter(approved_on__range=(period.start, period.end)).count()


def count_in_progress(unit, period) -> int:
    """Approved by the period's end, not accepted before it ended, not stopped or cancelled."""
    return (
        unit_projects(unit)
        .filter(approved_on__lte=period.end)
        .filter(Q(accepted_on__isnull=True) | Q(accepted_on__gt=period.end))
        .exclude(state__in=ENDED)
        .count()
    )


def count_accepted(unit, period) -> int:
    return unit_projects(unit).filter(accepted_on__range=(period.start, period.end)).count()


def approved_support(unit, period) -> int:
    rows = unit_projects(unit).filter(approved_on__range=(period.start, period.end))
    return rows.aggregate(total=Sum("approved_support"))["total"] or 0


def beneficiaries(unit, period) -> int:
    projects = unit_projects(unit).filter(approved_on__range=(period.start, period.end))
    return BeneficiaryLine.objects.filter(project__in=projects.values("pk")).count()


def accepted_lines(unit, period) -> int:
    projects = unit_projects(unit).filter(accepted_on__range=(period.start, period.end))
    return BeneficiaryLine.objects.filter(project__in=projects.values("pk"), accepted=True).count()


SOURCES = {
    "projects.count_submitted": (count_submitted, _("Projects submitted in the period")),
    "projects.count_approved": (count_approved, _("Projects approved in the period")),
    "projects.count_in_progress": (count_in_progress, _("Projects in progress at the end of the period")),
    "projects.count_accepted": (count_accepted, _("Projects accepted in the period")),
    "projects.approved_support": (approved_support, _("Support approved in the period (đồng)")),
    "projects.beneficiaries": (beneficiaries, _("Beneficiaries of projects approved in the period")),
    "projects.accepted_lines": (accepted_lines, _("Beneficiaries accepted in the period")),
}

for key, (function, label) in SOURCES.items():
    sources.register(key, function, label=label)
