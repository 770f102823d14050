"""Demo appraisal councils, written through ``appraisal.actions`` by the demo accounts.

For Hà Tĩnh and Nghệ An: a Department's council with five members and full score sheets over the
province's submitted projects (the projects demo's, when it has loaded; otherwise a handful
proposed and submitted here through ``projects.actions``). Two projects are concluded as passing
and sent to the Agency, one returned for documents, the rest left open with their sheets. Then the
Agency's council takes up the national projects at the Agency, with its sheets filled and one
concluded. Deterministic and idempotent: a council that exists (by name) is left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter

from django.db import transaction

from khuyencong.accounts.models import User
from khuyencong.appraisal import actions
from khuyencong.appraisal.models import Council, CouncilMember
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects import actions as project_actions
from khuyencong.projects.models import Project, ProjectState
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province

SEED = 2026
M = 1_000_000
PROVINCES = {"42": ("hatinh.chuyenvien", "Hà Tĩnh"), "40": ("nghean.chuyenvien", "Nghệ An")}
AGENCY_OFFICER = "cuc.chuyenvien"
MEMBERS = [
    ("Phó Giám đốc Sở Công Thương", CouncilMember.Role.CHAIR),
    ("Chuyên viên Phòng Quản lý Công nghiệp", CouncilMember.Role.SECRETARY),
    ("Trưởng phòng Kế hoạch – Tài chính", CouncilMember.Role.MEMBER),
    ("Giám đốc Trung tâm Khuyến công", CouncilMember.Role.MEMBER),
    ("Đại diện Sở Tài chính", CouncilMember.Role.MEMBER),
]
NAMES = ["Nguyễn Văn Hải", "Trần Quốc Tuấn", "Lê Thị Hương", "Võ Minh Đức", "Hoàng Thị Mai",
         "Đặng Văn Long", "Bùi Thị Thu"]  # fmt: skip
OWN_PROJECTS = [
    ("Ứng dụng máy dệt chiếu cói tự động", 420 * M, 160 * M),
    ("Hỗ trợ dây chuyền sấy nông sản bằng năng lượng mặt trời", 600 * M, 200 * M),
    ("Ứng dụng máy ép gạch không nung", 380 * M, 140 * M),
    ("Hỗ trợ máy cắt, uốn thép cho cơ sở cơ khí nông thôn", 450 * M, 150 * M),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _eligible(province_code: str) -> list[Establishment]:
    rows = Establishment.objects.filter(
        commune__province__code=province_code, merged_into__isnull=True, commune__unit_type="commune"
    )
    return list(rows.order_by("pk")[:40])


def _own_projects(officer: User, province_code: str, year: int) -> list[Project]:
    """A handful of national proposals submitted to the Department, when the projects demo gave none."""
    province = Province.objects.current().get(code=province_code)
    unit = OrgUnit.objects.filter(code=f"TTKC-{province_code}").first()
    content = ActivityContent.objects.filter(code="2012-03").first()
    if unit is None or content is None:
        return []
    candidates = _eligible(province_code)
    made = []
    for index, (name, cost, support) in enumerate(OWN_PROJECTS, 1):
        code = f"DEMO-HD-{province_code}-{year}-{index:02d}"
        existing = Project.objects.filter(code=code).first()
        if existing is not None:
            made.append(existing)
            continue
        for establishment in candidates[index - 1 :: len(OWN_PROJECTS)][:5]:
            try:
                with transaction.atomic():
                    project = project_actions.save_project(
                        user=officer,
                        values={
                            "code": code, "name": name, "level": Level.NATIONAL, "content": content,
                            "norm_code": "machinery", "year": year, "implementing_unit": unit, "province": province,
                            "start_date": dt.date(year, 3, 1), "end_date": dt.date(year, 11, 30), "total_cost": cost,
                            "proposing_unit": OrgUnit.objects.filter(code=f"SCT-{province_code}").first(),
                        },
                    )  # fmt: skip
                    project_actions.save_beneficiaries(
                        user=officer,
                        project=project,
                        lines=[project_actions.BeneficiaryInput(establishment, eligible_cost=cost, support=support)],
                    )
                    project.refresh_from_db()
                    project_actions.take_step(user=officer, project=project, action="submit")
            except ActionRefused:
                continue
            made.append(Project.objects.get(pk=project.pk))
            break
    return made


def _members(officer: User | None, rng: random.Random, seats=MEMBERS) -> list[actions.MemberInput]:
    names = rng.sample(NAMES, len(seats))
    return [
        actions.MemberInput(
            full_name=officer.get_full_name() if officer and role == CouncilMember.Role.SECRETARY else names[i],
            position=position,
            role=role,
            user=officer if role == CouncilMember.Role.SECRETARY else None,
        )
        for i, (position, role) in enumerate(seats)
    ]


def _fill_sheets(officer: User, council: Council, projects: list[Project], rng: random.Random, bias: list[int]):
    """Every member scores every project; on the last one two members are still at work (one
    draft, one sheet not started), so the page shows running totals before the average is final."""
    criteria = list(council.criteria.order_by("order"))
    members = list(council.members.order_by("order"))
    for index, (project, level) in enumerate(zip(projects, bias, strict=False)):
        last = index == len(projects) - 1 and len(projects) > 3
        for position, member in enumerate(members):
            if last and position == len(members) - 1:
                continue
            scores = {
                c.code: min(c.max_score, max(0, round(c.max_score * (level + rng.randint(-6, 6)) / 100 * 2) / 2))
                for c in criteria
            }
            draft = last and position == len(members) - 2
            if draft:
                scores = dict(list(scores.items())[:3])
            actions.save_sheet(user=officer, council=council, project=project, member=member, scores=scores,
                               comment="", submit=not draft)  # fmt: skip


def _department_council(code: str, rng: random.Random) -> str | None:
    username, label = PROVINCES[code]
    officer = _user(username)
    if officer is None:
        return None
    submitted = Project.objects.filter(province__code=code, state=ProjectState.SUBMITTED)
    years = Counter(submitted.values_list("year", flat=True))
    year = years.most_common(1)[0][0] if years else 2026
    name = f"Hội đồng thẩm định đề án khuyến công năm {year} – Sở Công Thương {label}"
    if Council.objects.filter(name=name).exists():
        return None
    projects = list(submitted.filter(year=year).order_by("level", "name_key")[:5])
    with acting_as(officer):
        if len(projects) < 3:
            projects += [p for p in _own_projects(officer, code, year) if p.state == ProjectState.SUBMITTED]
            projects = list(dict.fromkeys(projects))[:5]
        council = actions.save_council(
            user=officer,
            values={
                "level": Level.LOCAL, "year": year, "province": Province.objects.current().get(code=code),
                "name": name, "decision_number": f"{rng.randint(100, 399)}/QĐ-SCT",
                "decision_date": dt.date(year - 1, 6, 2), "pass_threshold": 70,
            },
        )  # fmt: skip
        actions.set_members(user=officer, council=council, members=_members(officer, rng))
        if not projects:
            return name
        actions.add_projects(user=officer, council=council, projects=projects)
        _fill_sheets(officer, council, projects, rng, [86, 80, 62, 74, 78])
        for project, conclusion in zip(projects, ["pass", "pass", "needs_documents"], strict=False):
            project.refresh_from_db()
            comment = "" if conclusion == "pass" else "Bổ sung báo giá thiết bị và hồ sơ năng lực của cơ sở."
            try:
                actions.conclude_project(user=officer, council=council, project=project, conclusion=conclusion,
                                         comment=comment)  # fmt: skip
                if conclusion == "pass" and project.level == Level.NATIONAL:
                    project.refresh_from_db()
                    project_actions.take_step(user=officer, project=project, action="send_to_agency")
            except ActionRefused:
                continue
    return name


def _agency_council(rng: random.Random) -> str | None:
    officer = _user(AGENCY_OFFICER)
    if officer is None:
        return None
    waiting = Project.objects.filter(level=Level.NATIONAL, state=ProjectState.AT_AGENCY)
    years = Counter(waiting.values_list("year", flat=True))
    if not years:
        return None
    year = years.most_common(1)[0][0]
    name = f"Hội đồng thẩm định đề án khuyến công quốc gia năm {year}"
    if Council.objects.filter(name=name).exists():
        return None
    projects = list(waiting.filter(year=year).order_by("province_id", "name_key")[:6])
    seats = [
        ("Phó Cục trưởng", CouncilMember.Role.CHAIR),
        ("Chuyên viên Phòng Khuyến công", CouncilMember.Role.SECRETARY),
        ("Trưởng phòng Kế hoạch – Tài chính", CouncilMember.Role.MEMBER),
        ("Giám đốc Trung tâm Khuyến công và Tư vấn phát triển công nghiệp", CouncilMember.Role.MEMBER),
        ("Chuyên gia độc lập", CouncilMember.Role.MEMBER),
    ]
    with acting_as(officer):
        council = actions.save_council(
            user=officer,
            values={"level": Level.NATIONAL, "year": year, "name": name, "decision_number": "512/QĐ-ĐMST",
                    "decision_date": dt.date(year - 1, 8, 20), "pass_threshold": 75},
        )  # fmt: skip
        actions.set_members(user=officer, council=council, members=_members(officer, rng, seats))
        actions.add_projects(user=officer, council=council, projects=projects)
        _fill_sheets(officer, council, projects, rng, [84, 79, 71, 88, 76, 81])
        if projects:
            with contextlib.suppress(ActionRefused):
                actions.conclude_project(user=officer, council=council, project=projects[0], conclusion="pass")
    return name


def load_appraisal() -> dict:
    """Councils with members, criteria and full score sheets; returns the names of those added."""
    rng = random.Random(SEED)
    added = []
    for code in PROVINCES:
        name = _department_council(code, rng)
        if name:
            added.append(name)
    name = _agency_council(rng)
    if name:
        added.append(name)
    return {"councils_added": added, "councils": Council.objects.count()}
