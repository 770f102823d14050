"""Projects ready for acceptance and settlement: in progress, contracted on 10/3/2026, with money paid."""

from __future__ import annotations

import datetime as dt

from khuyencong.finance import actions
from khuyencong.finance.models import EntryKind
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import Level
from tests.finance.factories import contracted_project

PAID_ON = dt.date(2026, 4, 1)
ACCEPTED_ON = dt.date(2026, 10, 20)


def payer(level: str = Level.NATIONAL):
    from django.contrib.auth import get_user_model

    name = "payer-national" if level == Level.NATIONAL else "payer-local"
    user, created = get_user_model().objects.get_or_create(username=name, defaults={"full_name": name})
    if created:
        if level == Level.NATIONAL:
            assign_role(user=user, role=Role.AGENCY_OFFICER, org_unit=OrgUnit.objects.get(code="CUC-DMST"))
        else:
            assign_role(user=user, role=Role.PROVINCIAL_OFFICER, org_unit=OrgUnit.objects.get(code="SCT-42"))
    return user


def running_project(*, level: str = Level.NATIONAL, paid: int = 175_000_000, **fields):
    """An in-progress project of Hà Tĩnh (lines 150 M + 100 M) with ``paid`` advanced and paid."""
    project = contracted_project(level=level, state=ProjectState.IN_PROGRESS, **fields)
    if paid:
        who = payer(level)
        entry = actions.request_payment(user=who, project=project, kind=EntryKind.ADVANCE, amount=paid,
                                        entry_date=PAID_ON)  # fmt: skip
        actions.approve_payment(user=who, entry=entry)
    project.refresh_from_db()
    return project


def accept_all(user, project, on: dt.date = ACCEPTED_ON, passed: bool = True):
    from khuyencong.finance.acceptance import record_acceptance

    for n, line in enumerate(project.beneficiaries.order_by("position"), 1):
        record_acceptance(user=user, line=line, passed=passed, achieved=f"Đạt kết quả dòng {n}", accepted_on=on,
                          record_number=f"BB-NT-{project.pk}-{n}")  # fmt: skip
    project.refresh_from_db()
    return project
