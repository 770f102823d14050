"""Query-count baselines for every list page and API list (NetBox's query_counts idea).

Each list is rendered with 1 row and with N rows. The count must not grow with the rows (no
query per row) and must not exceed its baseline in ``tests/query_counts.json``. After a change
that rightly adds or removes a query, regenerate the file and review the diff:
``KC_UPDATE_QUERY_COUNTS=1 python -m pytest tests/test_query_counts.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khuyencong.audit.models import ObjectChange
from khuyencong.jobs.models import Job
from khuyencong.organisation.models import OrgUnit
from khuyencong.registry.models import DuplicateCandidate, Establishment, IndustryLine
from khuyencong.territory.models import Province
from tests.registry.factories import make_establishment, make_village

pytestmark = pytest.mark.django_db

BASELINES = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("KC_UPDATE_QUERY_COUNTS") == "1"
N = 8


def _establishments(numbers, user):
    line = IndustryLine.objects.get_or_create(code="QC01", defaults={"name": "Ngành đếm truy vấn"})[0]
    village = make_village(name="Làng nghề của cơ sở đếm")
    names = []
    for i in numbers:
        row = make_establishment(name=f"Cơ sở đếm truy vấn {i}", craft_village=village)
        row.industry_lines.add(line)
        names.append(row.name)
    return names


def _villages(numbers, user):
    return [make_village(name=f"Làng nghề đếm truy vấn {i}").name for i in numbers]


def _org_units(numbers, user):
    province = Province.objects.current().get(code="42")
    parent = OrgUnit.objects.get(code="SCT-42")
    return [
        OrgUnit.objects.create(
            code=f"QC-{i}",
            name=f"Đơn vị đếm truy vấn {i}",
            kind=OrgUnit.Kind.IMPLEMENTING_UNIT,
            province=province,
            parent=parent,
        ).name
        for i in numbers
    ]


def _changes(numbers, user):
    kind = ContentType.objects.get_for_model(Establishment)
    return [
        ObjectChange.objects.create(
            action="update",
            content_type=kind,
            object_id=str(i),
            request_id="qc",
            object_repr=f"Bản ghi đếm truy vấn {i}",
            user=user,
            user_name="qc",
        ).object_repr
        for i in numbers
    ]


def _duplicates(numbers, user):
    names = []
    for i in numbers:
        first = make_establishment(name=f"Cơ sở trùng đếm {i}")
        second = make_establishment(name=f"Cơ sở trùng đếm {i} bản sao")
        DuplicateCandidate.objects.create(
            first=first,
            second=second,
            province=first.province,
            reason=DuplicateCandidate.Reason.SIMILAR_NAME,
            score=0.9,
        )
        names.append(second.name)
    return names


def _legal_documents(numbers, user):
    from khuyencong.rulebook.models import LegalDocument

    return [
        LegalDocument.objects.create(
            number=f"{i}/2026/QC", doc_type="decision", issuing_body="Cơ quan đếm", title=f"Văn bản đếm truy vấn {i}"
        ).number
        for i in numbers
    ]


def _rules(numbers, user):
    from khuyencong.rulebook.models import ActivityContent, LegalDocument, SpendingNorm

    document = LegalDocument.objects.get(number="28/2018/TT-BTC")
    contents = list(ActivityContent.objects.filter(code__in=["2012-03", "2025-03"]))
    names = []
    for i in numbers:
        rule = SpendingNorm.objects.create(
            code=f"qc-{i}", name=f"Định mức đếm truy vấn {i}", legal_document=document,
            effective_from=dt.date(2020, 1, 1), amount_cap=100_000_000,
        )  # fmt: skip
        rule.contents.set(contents)
        names.append(rule.name)
    return names


def _jobs(numbers, user):
    return [Job.objects.create(kind="web.export", title=f"Việc đếm truy vấn {i}", owner=user).title for i in numbers]


def _notifications(numbers, user):
    from khuyencong.notifications.services import notify

    for i in numbers:
        notify(recipients=[user], kind="qc", subject=f"Thông báo đếm truy vấn {i}")
    return [f"Thông báo đếm truy vấn {i}" for i in numbers]


def _plans(numbers, user):
    from tests.planning.factories import make_plan

    return [make_plan("42", year=2030 + i, name=f"Kế hoạch đếm truy vấn {i}").name for i in numbers]


def _contracts(numbers, user):
    from tests.contracts.factories import approved_project, make_contract

    return [make_contract(approved_project("42"), number=f"HĐ-ĐẾM-{i}").number for i in numbers]


def _councils(numbers, user):
    from tests.appraisal.factories import make_council

    return [make_council("42", name=f"Hội đồng đếm truy vấn {i}").name for i in numbers]


def _deadlines(numbers, user):
    from khuyencong.projects.models import ProjectState
    from tests.projects.factories import make_project

    return [
        make_project(year=2020, state=ProjectState.APPROVED, name=f"Đề án đếm truy vấn {i}", lines=[]).name
        for i in numbers
    ]


def _projects(numbers, user):
    from tests.projects.factories import make_project

    return [make_project("42", name=f"Đề án đếm truy vấn {i}", plan=_board_plan()).name for i in numbers]


DASHBOARD_PROVINCES = ["42", "40", "38", "01", "79", "92", "48", "56"]


def _dashboard_projects(numbers, user):
    """A project per province: the dashboard's map and province table grow a row each."""
    from tests.projects.factories import make_project

    shown = []
    for i in numbers:
        code = DASHBOARD_PROVINCES[i]
        make_project(code, year=2026, state="approved" if i % 2 else "draft", name=f"Đề án bảng điều khiển {i}")
        shown.append(Province.objects.current().get(code=code).short_name)
    return shown


def _scorecard_units(numbers, user):
    """A centre per province with an approved project of 2025: the scorecard list grows a row each."""
    from tests.projects.factories import make_project

    shown = []
    for i in numbers:
        code = DASHBOARD_PROVINCES[i]
        project = make_project(code, year=2025, state="in_progress" if i % 2 else "approved",
                               name=f"Đề án bảng đánh giá {i}")  # fmt: skip
        shown.append(project.implementing_unit.name)
    return shown


def _board_plan():
    from khuyencong.planning.models import AnnualPlan
    from tests.planning.factories import make_plan

    found = AnnualPlan.objects.filter(name="Kế hoạch của bảng đề án").first()
    return found or make_plan(None, year=2026, approved=True, name="Kế hoạch của bảng đề án")


def _project_steps(numbers, user):
    """Steps on one project (its page's timeline): the page reads them in one query."""
    from khuyencong.projects.models import Project, ProjectTransition
    from tests.projects.factories import make_project

    project = Project.objects.filter(code="DA-QC-PAGE").first() or make_project(code="DA-QC-PAGE", state="submitted")
    return [
        ProjectTransition.objects.create(
            project=project, action="submit", from_state="draft", to_state="submitted", user=user,
            comment=f"Bước đếm truy vấn {i}",
        ).comment
        for i in numbers
    ]  # fmt: skip


def _rollup(numbers, user):
    """Allocations to as many units of Hà Tĩnh: the rollup by unit shows a row each."""
    from tests.finance.factories import allocate_directly, plan_of

    plan = plan_of(2026)
    province = Province.objects.current().get(code="42")
    names = []
    for i in numbers:
        unit = OrgUnit.objects.create(code=f"QC-TIEN-{i}", name=f"Đơn vị tiền đếm truy vấn {i}",
                                      kind=OrgUnit.Kind.IMPLEMENTING_UNIT, province=province)  # fmt: skip
        allocate_directly(plan, unit, 10_000_000 * (i + 1))
        names.append(unit.name)
    return names


def _project_page() -> str:
    from khuyencong.projects.models import Project

    return f"/projects/{Project.objects.get(code='DA-QC-PAGE').pk}/"


def _settlements(numbers, user):
    import datetime as dt

    from khuyencong.finance.models import Settlement
    from tests.contracts.factories import approved_project

    rows = []
    for i in numbers:
        project = approved_project("42", state="settlement_submitted", name=f"Đề án quyết toán đếm truy vấn {i}")
        Settlement.objects.create(
            project=project, submitted_on=dt.date(2026, 10, 25), proposed_amount=1_000_000, year=project.year,
            level=project.level, province=project.province, unit=project.implementing_unit,
        )  # fmt: skip
        rows.append(project.code)
    return rows


def _acceptances(numbers, user):
    """Acceptance records of one project's two lines, a line accepted again and again (its page's
    section reads the latest of each line and the counts in two queries, whatever their number;
    the project page's own rule findings read per line, so the lines stay two)."""
    import datetime as dt

    from khuyencong.finance.models import AcceptanceRecord
    from khuyencong.projects.models import Project
    from tests.contracts.factories import approved_project, make_contract

    project = Project.objects.filter(code="DA-QC-SETTLE").first()
    if project is None:
        project = approved_project("42", code="DA-QC-SETTLE", state="accepted")
        make_contract(project, state="signed")
    lines = list(project.beneficiaries.order_by("position"))
    for i in numbers:
        line = lines[i % 2]
        AcceptanceRecord.objects.create(
            project=project, beneficiary=line, accepted_on=dt.date(2026, 10, 1) + dt.timedelta(days=i), passed=True,
            record_number=f"BB-{i}", target_outputs=line.outputs, achieved_outputs=f"Kết quả đếm truy vấn {i}",
        )  # fmt: skip
    return [line.establishment.name for line in lines]


def _settlement_project_page() -> str:
    from khuyencong.projects.models import Project

    return f"/projects/{Project.objects.get(code='DA-QC-SETTLE').pk}/"


def _allocations(numbers, user):
    from tests.finance.factories import allocate_directly, plan_of

    plan = plan_of(2026, total=10**12)
    unit = OrgUnit.objects.get(code="TTKC-42")
    rows = [allocate_directly(plan, unit, 1_000_000) for _i in numbers]
    return [row.decision_number for row in rows]


def _money_project():
    from khuyencong.projects.models import Project
    from tests.finance.factories import contracted_project

    return Project.objects.filter(code="DA-QC-MONEY").first() or contracted_project(code="DA-QC-MONEY")


def _ledger(numbers, user):
    from khuyencong.finance import actions

    project = _money_project()
    return [
        actions.request_payment(user=user, project=project, kind="payment", amount=1_000_000,
                                entry_date=dt.date(2026, 3, 20), document_number=f"CT-ĐẾM-{i}").document_number
        for i in numbers
    ]  # fmt: skip


def _money_project_page() -> str:
    return f"/projects/{_money_project().pk}/"


def _missions(numbers, user):
    from tests.inspections.factories import make_mission

    return [make_mission("42", "40", name=f"Đoàn đếm truy vấn {i}").name for i in numbers]


def _qc_mission():
    from khuyencong.inspections.models import InspectionMission
    from tests.inspections.factories import make_mission

    return InspectionMission.objects.filter(name="Đoàn của trang đếm").first() or make_mission(
        "42", "40", name="Đoàn của trang đếm"
    )


def _mission_records(numbers, user):
    """Visits, findings and follow-ups on one mission (its page): a fixed number of queries."""
    from tests.inspections.factories import make_finding, make_follow_up, make_visit

    mission = _qc_mission()
    made = []
    for i in numbers:
        visit = make_visit(mission, province_code="42")
        made.append(make_follow_up(make_finding(mission, visit), action=f"Kiến nghị đếm truy vấn {i}").action)
    return made


def _mission_page() -> str:
    return f"/inspections/{_qc_mission().pk}/"


def _follow_ups(numbers, user):
    from tests.inspections.factories import make_finding, make_follow_up, make_visit

    mission = _qc_mission()
    return [
        make_follow_up(make_finding(mission, make_visit(mission)), action=f"Kiến nghị đếm truy vấn {i}").action
        for i in numbers
    ]


def _report_form(code: str):
    from khuyencong.reporting.models import ReportForm
    from tests.reporting.factories import make_form

    return ReportForm.objects.filter(code=code).first() or make_form(
        code=code, units=[OrgUnit.objects.get(code="SCT-42")]
    )


def _reports(numbers, user):
    """Reports of one form for Hà Tĩnh's Department, one period each (years 2001…)."""
    from tests.reporting.factories import make_report

    form = _report_form("BC-QC")
    rows = []
    for i in numbers:
        report = make_report(form, OrgUnit.objects.get(code="SCT-42"), start=dt.date(2001 + i, 1, 1),
                             end=dt.date(2001 + i, 3, 31))  # fmt: skip
        report.period_label = f"Kỳ đếm {i}"
        report.save()
        rows.append(report.period_label)
    return rows


def _report_figures(numbers, user):
    """Indicators of the form of one report (its page lists them with their figures)."""
    from khuyencong.reporting.models import Indicator, Report, ReportValue
    from tests.reporting.factories import make_report

    form = _report_form("BC-QC-PAGE")
    report = Report.objects.filter(form=form).first() or make_report(form, OrgUnit.objects.get(code="SCT-42"))
    names = []
    for i in numbers:
        indicator = Indicator.objects.create(form=form, position=10 + i, code=f"QC{i}", name=f"Chỉ tiêu đếm {i}")
        ReportValue.objects.create(report=report, indicator=indicator)
        names.append(indicator.name)
    return names


def _report_page() -> str:
    from khuyencong.reporting.models import Report

    return f"/reports/{Report.objects.get(form__code='BC-QC-PAGE').pk}/"


def _completeness_units(numbers, user):
    """Departments named by one form: one row each in the matrix."""
    form = _report_form("BC-QC-MATRIX")
    units = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT).order_by("code"))
    chosen = [units[i] for i in numbers]
    form.assignments.first().units.add(*chosen)
    return [unit.name for unit in chosen]


def _managed_forms(numbers, user):
    """Report forms, each with its indicators and an assignment: one card each on the forms page."""
    return [_report_form(f"BC-QC-MAU-{i}").code for i in numbers]


@dataclass
class Case:
    key: str
    url: str | Callable[[], str]
    who: str
    make: Callable
    params: dict | Callable[[], dict] = field(default_factory=dict)


def _documents(numbers, user):
    from tests.documents.factories import make_document

    return [make_document("42", title=f"Văn bản đếm truy vấn {i}").title for i in numbers]


CASES = [
    Case("page establishments", "/establishments/", "hatinh_officer", _establishments, {"q": "co so dem truy van"}),
    Case(
        "page establishments eligible",
        "/establishments/",
        "agency_officer",
        _establishments,
        {"q": "co so dem truy van", "eligible": "1"},
    ),
    Case(
        "page craft villages",
        "/establishments/craft-villages/",
        "hatinh_officer",
        _villages,
        {"q": "lang nghe dem truy van"},
    ),
    Case("page org units", "/org-units/", "hatinh_officer", _org_units, {"q": "don vi dem truy van"}),
    Case("page audit changes", "/audit/", "admin_user", _changes, {"request_id": "qc"}),
    Case("page duplicates", "/establishments/duplicates/", "hatinh_officer", _duplicates),
    Case("page jobs", "/jobs/", "hatinh_officer", _jobs),
    Case("page notifications", "/notifications/", "hatinh_officer", _notifications),
    Case("api notifications", "/api/v1/notifications", "hatinh_officer", _notifications),
    Case("page plans", "/plans/", "hatinh_officer", _plans, {"q": "ke hoach dem truy van"}),
    Case("api plans", "/api/v1/plans", "hatinh_officer", _plans, {"q": "ke hoach dem truy van"}),
    Case("page contracts", "/contracts/", "hatinh_officer", _contracts, {"q": "hd-dem"}),
    Case("api contracts", "/api/v1/contracts", "hatinh_officer", _contracts, {"q": "hd-dem"}),
    Case(
        "api establishments", "/api/v1/establishments", "hatinh_officer", _establishments, {"q": "co so dem truy van"}
    ),
    Case("api craft villages", "/api/v1/craft-villages", "hatinh_officer", _villages, {"q": "lang nghe dem truy van"}),
    Case("api org units", "/api/v1/org-units", "hatinh_officer", _org_units, {"q": "don vi dem truy van"}),
    Case(
        "page legal documents", "/rulebook/legal-documents/", "hatinh_officer", _legal_documents, {"q": "dem truy van"}
    ),
    Case("api legal documents", "/api/v1/legal-documents", "hatinh_officer", _legal_documents, {"q": "dem truy van"}),
    Case("page rulebook", "/rulebook/rules/", "hatinh_officer", _rules, {"q": "dem truy van"}),
    Case("api rules", "/api/v1/rules", "hatinh_officer", _rules, {"q": "dem truy van"}),
    Case("page councils", "/councils/", "hatinh_officer", _councils, {"q": "hoi dong dem truy van"}),
    Case("api councils", "/api/v1/councils", "hatinh_officer", _councils, {"q": "hoi dong dem truy van"}),
    Case("page deadlines", "/projects/deadlines/", "hatinh_officer", _deadlines, {"overdue": "1"}),
    Case("api deadlines", "/api/v1/deadlines", "hatinh_officer", _deadlines, {"overdue": "true"}),
    Case("page projects", "/projects/", "hatinh_officer", _projects, {"q": "de an dem truy van"}),
    Case("api projects", "/api/v1/projects", "hatinh_officer", _projects, {"q": "de an dem truy van"}),
    Case("page project", _project_page, "hatinh_officer", _project_steps),
    Case("page allocations", "/finance/allocations/", "hatinh_officer", _allocations, {"year": "2026"}),
    Case("api allocations", "/api/v1/allocations", "hatinh_officer", _allocations, {"year": "2026"}),
    Case("page ledger", "/finance/ledger/", "hatinh_officer", _ledger, {"year": "2026"}),
    Case("api ledger entries", "/api/v1/ledger-entries", "hatinh_officer", _ledger, {"year": "2026"}),
    Case("page payments queue", "/finance/ledger/queue/", "agency_officer", _ledger),
    Case("page project money", _money_project_page, "agency_officer", _ledger),
    Case("page rollup", "/finance/rollup/", "hatinh_officer", _rollup, {"year": "2026", "group_by": "unit"}),
    Case("api rollup", "/api/v1/finance/rollup", "hatinh_officer", _rollup, {"year": "2026", "group_by": "unit"}),
    Case("page projects board", "/projects/board/", "hatinh_officer", _projects, lambda: {"plan": _board_plan().pk}),
    Case("page settlements", "/finance/settlements/", "hatinh_officer", _settlements, {"q": "quyet toan dem"}),
    Case("api settlements", "/api/v1/settlements", "hatinh_officer", _settlements, {"q": "quyet toan dem"}),
    Case("page project acceptance", _settlement_project_page, "hatinh_officer", _acceptances),
    Case("page inspection missions", "/inspections/", "hatinh_officer", _missions, {"q": "doan dem truy van"}),
    Case("api inspection missions", "/api/v1/inspections", "hatinh_officer", _missions, {"q": "doan dem truy van"}),
    Case("page inspection mission", _mission_page, "hatinh_officer", _mission_records),
    Case("api inspection mission", lambda: f"/api/v1{_mission_page()}".rstrip("/"), "hatinh_officer", _mission_records),
    Case("page follow-ups", "/inspections/follow-ups/", "hatinh_officer", _follow_ups, {"status": "open"}),
    Case("api follow-ups", "/api/v1/inspections/follow-ups", "hatinh_officer", _follow_ups, {"status": "open"}),
    Case("page home follow-ups", "/", "implementer", _follow_ups),
    Case("page dashboard", "/dashboards/", "agency_officer", _dashboard_projects, {"year": "2026"}),
    Case("api dashboard", "/api/v1/dashboard", "agency_officer", _dashboard_projects, {"year": "2026"}),
    Case("page scorecards", "/dashboards/scorecards/", "agency_officer", _scorecard_units, {"year": "2025"}),
    Case("api scorecards", "/api/v1/scorecards", "agency_officer", _scorecard_units, {"year": "2025"}),
    Case("page reports", "/reports/", "hatinh_officer", _reports, {"form": "BC-QC"}),
    Case("api reports", "/api/v1/reports", "hatinh_officer", _reports, {"form": "BC-QC"}),
    Case("page report", _report_page, "hatinh_officer", _report_figures),
    Case(
        "page report completeness",
        "/reports/completeness/",
        "agency_officer",
        _completeness_units,
        {"form": "BC-QC-MATRIX", "year": "2025"},
    ),
    Case("page report forms", "/reports/forms/", "agency_officer", _managed_forms),
    Case("page documents", "/documents/", "hatinh_officer", _documents),
    Case("api documents", "/api/v1/documents", "hatinh_officer", _documents),
]


def _load() -> dict[str, int]:
    return json.loads(BASELINES.read_text()) if BASELINES.exists() else {}


_measured: dict[str, int] = {}


def _count(client, case) -> tuple[int, str]:
    params = case.params() if callable(case.params) else case.params
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.url() if callable(case.url) else case.url, params)
    assert response.status_code == 200, response.content[:500]
    # Transaction control (savepoints, PostgreSQL's SET LOCAL statement_timeout around a list) is
    # not a trip for data: counted alike on every backend, the baselines stay one set.
    data = [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith(_CONTROL)]
    return len(data), response.content.decode()


_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET LOCAL", "BEGIN", "COMMIT")


@pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
def test_query_count_does_not_grow_with_rows_or_pass_its_baseline(case, request, client_for):
    user = request.getfixturevalue(case.who)
    client = client_for(user)
    shown = case.make(range(1), user)
    client.get(
        case.url() if callable(case.url) else case.url, case.params() if callable(case.params) else case.params
    )  # warm per-process caches (content types, templates)
    one, body = _count(client, case)
    assert all(name in body for name in shown)
    shown += case.make(range(1, N), user)
    many, body = _count(client, case)
    assert all(name in body for name in shown), "the N rows are not all on the page"
    assert many == one, f"{case.key}: {one} queries with 1 row, {many} with {N}: a query per row"
    if UPDATE:
        _measured[case.key] = many
        BASELINES.write_text(json.dumps({**_load(), **_measured}, indent=2, sort_keys=True) + "\n")
        return
    baseline = _load().get(case.key)
    assert baseline is not None, f"no baseline for {case.key}: run with KC_UPDATE_QUERY_COUNTS=1"
    assert many <= baseline, f"{case.key}: {many} queries, baseline {baseline}"


def test_every_baseline_belongs_to_a_case():
    assert set(_load()) == {case.key for case in CASES}
