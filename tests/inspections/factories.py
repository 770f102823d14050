"""Inspections for tests: plans, missions, visits, findings and follow-ups written directly."""

from __future__ import annotations

import datetime as dt
import itertools

from khuyencong.inspections.models import (
    Finding,
    FollowUp,
    InspectionMission,
    InspectionPlan,
    MissionState,
    Visit,
)
from khuyencong.organisation.models import OrgUnit
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province
from tests.projects.factories import make_project

_n = itertools.count(1)
START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 20)


def province(code: str) -> Province:
    return Province.objects.current().get(code=code)


def make_plan(province_code: str | None = None, *, year: int = 2026) -> InspectionPlan:
    """A national plan of the Agency, or (with a province) that province's Department's local plan."""
    level = Level.LOCAL if province_code else Level.NATIONAL
    owner = OrgUnit.objects.get(code=f"SCT-{province_code}" if province_code else "CUC-DMST")
    return InspectionPlan.objects.create(
        year=year,
        level=level,
        owner=owner,
        province=province(province_code) if province_code else None,
        name=f"Kế hoạch kiểm tra {year} số {next(_n)}",
    )


def make_mission(
    *province_codes: str,
    local: bool = False,
    state: str = MissionState.IN_PROGRESS,
    name: str | None = None,
    plan: InspectionPlan | None = None,
    **fields,
) -> InspectionMission:
    """A mission (in progress by default) to the provinces; of their local plan when ``local``."""
    codes = province_codes or ("42",)
    plan = plan or make_plan(codes[0] if local else None)
    lead = plan.owner
    mission = InspectionMission.objects.create(
        plan=plan,
        name=name or f"Đoàn kiểm tra thử {next(_n)}",
        lead_unit=lead,
        start_date=fields.pop("start_date", START),
        end_date=fields.pop("end_date", END),
        state=state,
        **fields,
    )
    mission.provinces.set([province(code) for code in codes])
    return mission


def make_visit(mission: InspectionMission, project=None, *, province_code: str = "42", on=None) -> Visit:
    project = project or make_project(province_code, state="in_progress")
    return Visit.objects.create(mission=mission, project=project, visited_on=on or mission.start_date)


def make_finding(mission: InspectionMission, visit: Visit | None = None, *, province_code: str = "42") -> Finding:
    return Finding.objects.create(
        mission=mission,
        visit=visit,
        province=visit.project.province if visit else province(province_code),
        severity="major",
        text=f"Phát hiện thử {next(_n)}",
        recorded_on=mission.start_date,
    )


def make_follow_up(finding: Finding, *, unit: str | None = None, due=None, **fields) -> FollowUp:
    code = unit or f"TTKC-{finding.province.code}"
    return FollowUp.objects.create(
        finding=finding,
        action=fields.pop("action", f"Khắc phục thử {next(_n)}"),
        responsible_unit=OrgUnit.objects.get(code=code),
        due_date=due or dt.date(2026, 6, 30),
        **fields,
    )


def full_mission(province_code: str = "42", **kwargs):
    """A mission with one visit to a project of the province, a finding there and an open follow-up."""
    mission = make_mission(province_code, **kwargs)
    visit = make_visit(mission, province_code=province_code)
    finding = make_finding(mission, visit)
    return mission, visit, finding, make_follow_up(finding)
