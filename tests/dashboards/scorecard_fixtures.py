"""A small year (2025) for the scorecards: two provinces' centres with projects, lines, acceptance
records and money, and their Departments with quarterly reports.

* TTKC-42 (Hà Tĩnh): an in-progress project past its end (2 lines: one passed, one whose latest
  record failed), an accepted project (its settlement dossier overdue; 1 line passed), a stopped
  and a draft project (not active); 400 M allocated, 100 M advanced (25%).
* TTKC-40 (Nghệ An): a contracted project (its line not yet due for acceptance: "—"); 100 M
  allocated, 150 M advanced (capped at 100%).
* SCT-42 reports Q1 on time, Q2 late, Q3 returned, Q4 missing (1 of 4); SCT-40 all four on time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.finance.models import EntryKind, EntryStatus, LedgerEntry
from khuyencong.finance.models_settlement import AcceptanceRecord
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import ProjectState
from khuyencong.reporting.models import ReportState
from tests.finance.factories import allocate_directly, plan_of
from tests.projects.factories import make_project
from tests.reporting.factories import make_form, make_report

YEAR = 2025


def _accept(line, passed: bool, on: dt.date, n: int):
    return AcceptanceRecord.objects.create(project=line.project, beneficiary=line, accepted_on=on, passed=passed,
                                           record_number=f"BB-{line.pk}-{n}", achieved_outputs="Kết quả")  # fmt: skip


def _advance(project, plan, amount: int):
    return LedgerEntry.objects.create(
        project=project, kind=EntryKind.ADVANCE, status=EntryStatus.PAID, amount=amount,
        entry_date=dt.date(YEAR, 5, 1), year=project.year, level=project.level, province=project.province,
        unit=project.implementing_unit, content=project.content, plan=plan, funding_source="central",
    )  # fmt: skip


def _quarters():
    return [(dt.date(YEAR, m, 1), dt.date(YEAR, m + 2, 30 if m + 2 in (6, 9) else 31)) for m in (1, 4, 7, 10)]


@pytest.fixture(name="year_2025")
def year_2025_fixture(territory):
    plan = plan_of(YEAR, total=5_000_000_000)
    running = make_project("42", year=YEAR, state=ProjectState.IN_PROGRESS, end_date=dt.date(YEAR, 11, 30),
                           start_date=dt.date(YEAR, 3, 1), lines=[(400_000_000, 150_000_000),
                                                                   (300_000_000, 100_000_000)],
                           name="Đề án đánh giá Hà Tĩnh đang làm")  # fmt: skip
    first, second = running.beneficiaries.order_by("position")
    _accept(first, True, dt.date(YEAR, 10, 1), 1)
    _accept(second, True, dt.date(YEAR, 10, 1), 1)
    _accept(second, False, dt.date(YEAR, 11, 1), 2)  # the latest record counts: failed
    accepted = make_project("42", year=YEAR, state=ProjectState.ACCEPTED, accepted_on=dt.date(YEAR, 6, 1),
                            name="Đề án đánh giá Hà Tĩnh đã nghiệm thu")  # fmt: skip
    _accept(accepted.beneficiaries.get(), True, dt.date(YEAR, 6, 1), 1)
    make_project("42", year=YEAR, state=ProjectState.STOPPED, name="Đề án đánh giá Hà Tĩnh dừng")
    make_project("42", year=YEAR, state=ProjectState.DRAFT, name="Đề án đánh giá Hà Tĩnh nháp")
    nghean = make_project("40", year=YEAR, state=ProjectState.CONTRACTED, name="Đề án đánh giá Nghệ An")
    allocate_directly(plan, OrgUnit.objects.get(code="TTKC-42"), 400_000_000)
    allocate_directly(plan, OrgUnit.objects.get(code="TTKC-40"), 100_000_000)
    _advance(running, plan, 100_000_000)
    _advance(nghean, plan, 150_000_000)
    sct42, sct40 = OrgUnit.objects.get(code="SCT-42"), OrgUnit.objects.get(code="SCT-40")
    form = make_form(units=[sct42, sct40], from_year=YEAR, code="BC-DANH-GIA")
    q1, q2, q3, _q4 = _quarters()
    make_report(form, sct42, start=q1[0], end=q1[1], state=ReportState.APPROVED, submitted_on=dt.date(YEAR, 4, 10))
    make_report(form, sct42, start=q2[0], end=q2[1], state=ReportState.SUBMITTED, submitted_on=dt.date(YEAR, 8, 1))
    make_report(form, sct42, start=q3[0], end=q3[1], state=ReportState.RETURNED)
    for start, end in _quarters():
        make_report(form, sct40, start=start, end=end, state=ReportState.APPROVED,
                    submitted_on=end + dt.timedelta(days=5))  # fmt: skip
    return {"running": running, "accepted": accepted, "nghean": nghean, "plan": plan, "form": form}
