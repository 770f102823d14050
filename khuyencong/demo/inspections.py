"""Demo inspections, written through ``inspections.actions`` by the demo accounts.

- The Agency's 2022 inspection plan and one mission (``cuc.chuyenvien``, head ``thanhtra``) in
  September 2022 across up to four provinces (Hà Tĩnh, Nghệ An, Thanh Hóa, Ninh Bình first),
  visiting 2022 national projects (``KCQG-2022-…``) that were approved, contracted or in progress;
  findings at most visits, follow-ups addressed to the implementing units: some reported done
  (by ``hatinh.thuchien`` for the Hà Tĩnh centre), some open with a due date ahead, and one overdue
  since 31/3/2023. The mission is reported (report 15/BC-ĐKT).
- Hà Tĩnh's 2025 local plan and a provincial mission (``hatinh.chuyenvien``) in progress, visiting
  a Hà Tĩnh project, with one open follow-up for the provincial centre.

Runs after the projects demo; with no 2022 national project it writes nothing. Idempotent: a
plan whose name exists is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.inspections import actions
from khuyencong.inspections.models import FollowUp, InspectionMission, InspectionPlan, MissionState
from khuyencong.kernel.context import acting_as
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

NATIONAL_PLAN = "Kế hoạch kiểm tra, giám sát đề án khuyến công quốc gia năm 2022"
LOCAL_PLAN = "Kế hoạch kiểm tra đề án khuyến công tỉnh Hà Tĩnh năm 2025"
PREFERRED = ("42", "40", "38", "37")
VISITED_STATES = (ProjectState.APPROVED, ProjectState.CONTRACTED, ProjectState.IN_PROGRESS, ProjectState.ACCEPTED,
                  ProjectState.SETTLEMENT_SUBMITTED, ProjectState.SETTLED, ProjectState.CLOSED)  # fmt: skip
FINDINGS = [
    ("major", "Máy móc đã lắp đặt nhưng chưa vận hành đủ công suất; hồ sơ nghiệm thu từng phần chưa đầy đủ."),
    ("minor", "Biển hiệu đề án khuyến công tại cơ sở chưa đúng mẫu quy định."),
    ("serious", "Chậm tiến độ so với hợp đồng hơn 3 tháng; cơ sở chưa bố trí đủ vốn đối ứng."),
    ("note", "Cơ sở ứng dụng tốt thiết bị, năng suất tăng khoảng 30%; đề nghị nhân rộng mô hình."),
]
ACTIONS = [
    "Hoàn thiện hồ sơ nghiệm thu và báo cáo kết quả vận hành thiết bị về Cục.",
    "Lắp đặt biển hiệu đề án theo mẫu và gửi ảnh chụp xác nhận.",
    "Xây dựng kế hoạch khắc phục chậm tiến độ, cam kết thời hạn hoàn thành.",
    "Tổng hợp kinh nghiệm, đề xuất nhân rộng mô hình trong kế hoạch năm sau.",
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _national(officer: User, closer: User | None) -> int:
    projects = list(
        Project.objects.filter(code__startswith="KCQG-2022-", level=Level.NATIONAL, state__in=VISITED_STATES,
                               province__isnull=False)
        .select_related("province", "implementing_unit")
        .order_by("code")
    )  # fmt: skip
    if not projects:
        return 0
    by_province: dict[str, list[Project]] = {}
    for project in projects:
        by_province.setdefault(project.province.code, []).append(project)
    codes = [c for c in PREFERRED if c in by_province] + sorted(c for c in by_province if c not in PREFERRED)
    codes = codes[:4]
    agency = OrgUnit.objects.get(code="CUC-DMST")
    plan = actions.save_plan(user=officer, values={"year": 2022, "level": Level.NATIONAL, "owner": agency,
                                                   "name": NATIONAL_PLAN, "decision_number": "512/QĐ-ĐMST",
                                                   "decision_date": dt.date(2022, 8, 5)})  # fmt: skip
    members = [
        actions.Member("Đỗ Văn Minh", "head", "Cục ĐMST, CĐX và KC", user=_user("thanhtra")),
        actions.Member("Nguyễn Văn An", "member", "Phòng Khuyến công", user=officer),
        actions.Member("Phan Thị Hoa", "secretary", "Phòng Khuyến công"),
    ]
    start, end = dt.date(2022, 9, 12), dt.date(2022, 9, 30)
    mission = actions.save_mission(
        user=officer, plan=plan, provinces=Province.objects.current().filter(code__in=codes),
        values={"name": "Đoàn kiểm tra đề án KCQG năm 2022 tại các tỉnh miền Trung", "lead_unit": agency,
                "start_date": start, "end_date": end,
                "purpose": "Kiểm tra tiến độ, giải ngân và hiệu quả các đề án khuyến công quốc gia năm 2022."},
        members=members,
    )  # fmt: skip
    actions.take_mission_step(user=officer, mission=mission, action="start", comment="Đoàn bắt đầu làm việc.")
    visits = []
    day = start
    for code in codes:
        for project in by_province[code][:2]:
            visits.append(actions.record_visit(user=officer, mission=mission, project=project, visited_on=day,
                                               notes="Làm việc với đơn vị thực hiện và cơ sở thụ hưởng."))  # fmt: skip
            day = min(day + dt.timedelta(days=2), end)
    today = timezone.localdate()
    overdue_done = False
    for n, visit in enumerate(visits):
        severity, text = FINDINGS[n % len(FINDINGS)]
        finding = actions.add_finding(user=officer, mission=mission, visit=visit, severity=severity, text=text,
                                      recorded_on=visit.visited_on)  # fmt: skip
        if n % 4 == 3 and n != 3:
            continue  # a good practice: nothing to follow up
        if not overdue_done:
            due = dt.date(2023, 3, 31)  # the overdue one
        elif n % 2:
            due = dt.date(2022, 12, 31)  # reported done below
        else:
            due = today + dt.timedelta(days=30 + 10 * n)  # open, due ahead
        up = actions.add_follow_up(user=officer, finding=finding, action=ACTIONS[n % len(ACTIONS)],
                                   responsible_unit=visit.project.implementing_unit, due_date=due)  # fmt: skip
        if not overdue_done:
            overdue_done = True
            continue
        if due.year == 2022:
            by = closer if closer and visit.project.implementing_unit.code == "TTKC-42" else officer
            actions.close_follow_up(user=by, follow_up=up, closed_on=dt.date(2022, 12, 20),
                                    note="Đã khắc phục và gửi báo cáo kèm hồ sơ chứng minh.")  # fmt: skip
    actions.take_mission_step(user=officer, mission=mission, action="report", decision_number="15/BC-ĐKT",
                              decision_date=dt.date(2022, 10, 14), comment="Báo cáo kết quả kiểm tra.")  # fmt: skip
    return 1


def _local(officer: User) -> int:
    province = Province.objects.current().get(code="42")
    project = (
        Project.objects.filter(province=province, state__in=VISITED_STATES, year__lte=2025)
        .select_related("implementing_unit")
        .order_by("-year", "code")
        .first()
    )
    department = OrgUnit.objects.get(code="SCT-42")
    values = {"year": 2025, "level": Level.LOCAL, "owner": department, "province": province, "name": LOCAL_PLAN,
              "decision_number": "88/QĐ-SCT", "decision_date": dt.date(2025, 3, 3)}  # fmt: skip
    plan = actions.save_plan(user=officer, values=values)
    start = dt.date(2025, 10, 6)
    mission = actions.save_mission(
        user=officer, plan=plan, provinces=[province],
        values={"name": "Đoàn kiểm tra đề án khuyến công tại Hà Tĩnh năm 2025", "lead_unit": department,
                "start_date": start, "end_date": dt.date(2025, 10, 24),
                "purpose": "Kiểm tra thực hiện đề án khuyến công địa phương và quốc gia trên địa bàn tỉnh."},
        members=[actions.Member("Phạm Thị Dung", "head", "Sở Công Thương Hà Tĩnh", user=officer),
                 actions.Member("Trần Văn Quý", "member", "Sở Tài chính Hà Tĩnh")],
    )  # fmt: skip
    actions.take_mission_step(user=officer, mission=mission, action="start")
    if project is not None:
        visit = actions.record_visit(user=officer, mission=mission, project=project, visited_on=dt.date(2025, 10, 8))
        finding = actions.add_finding(user=officer, mission=mission, visit=visit, severity="minor",
                                      text="Sổ theo dõi vật tư, thiết bị của cơ sở chưa cập nhật đầy đủ.",
                                      recorded_on=dt.date(2025, 10, 8))  # fmt: skip
        actions.add_follow_up(user=officer, finding=finding, responsible_unit=project.implementing_unit,
                              action="Hướng dẫn cơ sở cập nhật sổ theo dõi và báo cáo Sở.",
                              due_date=max(timezone.localdate() + dt.timedelta(days=20), start))  # fmt: skip
    return 1


def load_inspections() -> dict:
    """The demo inspection plans and missions; returns the counts."""
    officer, provincial = _user("cuc.chuyenvien"), _user("hatinh.chuyenvien")
    added = 0
    if officer is not None and not InspectionPlan.objects.filter(name=NATIONAL_PLAN).exists():
        with acting_as(officer), transaction.atomic():
            added += _national(officer, _user("hatinh.thuchien"))
    if provincial is not None and not InspectionPlan.objects.filter(name=LOCAL_PLAN).exists():
        with acting_as(provincial), transaction.atomic():
            added += _local(provincial)
    return {
        "missions": InspectionMission.objects.count(),
        "added": added,
        "open_follow_ups": FollowUp.objects.filter(status="open").count(),
        "reported": InspectionMission.objects.filter(state=MissionState.REPORTED).count(),
    }
