"""What is due next on a project, the due and overdue lists, the API and the home worklist
(issue 10 part 5; DOMAIN.md §5 and §10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khuyencong.kernel.filters import forget_cached_choices
from khuyencong.organisation.models import Role
from khuyencong.projects import deadlines
from khuyencong.projects.deadlines import (
    RuleBook,
    deadline_list,
    due_for,
    due_items,
    overdue_q,
    worklist,
)
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import DeadlineRule, Level
from khuyencong.rulebook.services import deadline
from khuyencong.territory.models import Province
from tests.projects.factories import make_project
from tests.roles import ROLES

pytestmark = pytest.mark.django_db
S = ProjectState
TODAY = dt.date(2026, 11, 30)


def _one(project, today=TODAY):
    items = due_for(Project.objects.select_related("implementing_unit").get(pk=project.pk), today=today)
    assert items, "something is due"
    return items[0]


def test_a_draft_is_due_at_the_department_by_20_may_of_the_year_before():
    due = _one(make_project(year=2027, state=S.DRAFT), today=dt.date(2026, 5, 1))
    assert (due.key, due.code, due.due_date) == ("submit", "registration_to_province", dt.date(2026, 5, 20))
    assert due.actor_unit == "Trung tâm Khuyến công tỉnh Hà Tĩnh" or "Hà Tĩnh" in due.actor_unit
    assert due.legal_document.number == "36/2013/TT-BCT"
    assert not due.overdue and due.days_left == 19
    late = _one(make_project(year=2027, state=S.RETURNED), today=dt.date(2026, 6, 1))
    assert late.overdue and late.days_late == 12


def test_an_approved_2020_national_project_is_due_by_the_one_off_directive():
    due = _one(make_project(year=2020, state=S.APPROVED, approved_on=dt.date(2020, 3, 1)))
    assert (due.key, due.code, due.due_date) == ("contract", "contract_signing", dt.date(2020, 5, 15))
    assert due.legal_document.number == "2990/BCT-CTĐP"
    assert due.overdue
    assert due.actor_role == str(Role.AGENCY_OFFICER.label)
    # the same in 2021: no directive, so no date and never overdue
    later = _one(make_project(year=2021, state=S.APPROVED))
    assert later.key == "contract" and later.due_date is None and later.rule is None and not later.overdue


def test_settlement_dossier_15_days_after_acceptance_and_liquidation_by_22_january():
    accepted = _one(make_project(year=2025, state=S.ACCEPTED, accepted_on=dt.date(2025, 11, 20)))
    assert (accepted.code, accepted.due_date) == ("settlement_dossier", dt.date(2025, 12, 5))
    assert accepted.actor == "implementer"
    submitted = _one(make_project(year=2025, state=S.SETTLEMENT_SUBMITTED))
    assert (submitted.code, submitted.due_date) == ("liquidation", dt.date(2026, 1, 22))
    no_event = _one(make_project(year=2025, state=S.ACCEPTED))
    assert no_event.due_date is None and no_event.rule is not None


def test_due_items_agree_with_the_rulebook_service():
    for year in (2013, 2015, 2020, 2021, 2026):
        for code in ("registration_to_province", "contract_signing", "liquidation"):
            book = RuleBook()
            answer = book.answer(code, Level.NATIONAL, year, None)
            expected, _answer = deadline(code, on=dt.date(year, 1, 1), level=Level.NATIONAL, year=year)
            assert answer.due(year, None) == expected, (code, year)


def test_a_local_project_follows_local_rules_only():
    due = _one(make_project(year=2025, level=Level.LOCAL, state=S.SETTLEMENT_SUBMITTED))
    assert due.key == "settle_local" and due.due_date is None  # no local deadline rule: no fallback


def test_final_states_have_nothing_due():
    project = make_project(state=S.CLOSED)
    assert due_for(project, today=TODAY) == []


def test_overdue_is_a_query_matching_the_computation():
    projects = [
        make_project(year=2020, state=S.APPROVED),
        make_project(year=2021, state=S.APPROVED),
        make_project(year=2025, state=S.ACCEPTED, accepted_on=dt.date(2025, 11, 20)),
        make_project(year=2026, state=S.ACCEPTED, accepted_on=TODAY - dt.timedelta(days=3)),
        make_project(year=2027, state=S.DRAFT),
        make_project(year=2026, state=S.SUBMITTED),
        make_project(year=2025, state=S.SETTLEMENT_SUBMITTED),
    ]
    late = set(Project.objects.filter(overdue_q(today=TODAY)).values_list("pk", flat=True))
    rows = Project.objects.select_related("implementing_unit").filter(pk__in=[p.pk for p in projects])
    computed = {pk for pk, items in due_items(rows, today=TODAY).items() if any(d.overdue for d in items)}
    assert late == computed == {projects[0].pk, projects[2].pk, projects[4].pk, projects[6].pk}


def test_bulk_computation_costs_the_same_for_12_or_48_projects():
    states = [S.DRAFT, S.APPROVED, S.ACCEPTED, S.SETTLEMENT_SUBMITTED]

    def count(n):
        for i in range(n):
            make_project(year=2018 + i % 3, state=states[i % 4], accepted_on=dt.date(2020, 1, 1), lines=[])
        rows = list(Project.objects.select_related("implementing_unit"))
        deadlines._answers.clear()  # cold: nothing kept from an earlier computation
        forget_cached_choices()
        with CaptureQueriesContext(connection) as queries:
            book = RuleBook()
            due_items(rows, today=TODAY, book=book)
            Project.objects.filter(overdue_q(today=TODAY, book=book)).count()
        return len(rows), len(queries)

    few = count(12)
    many = count(36)
    assert (few[0], many[0]) == (12, 48)
    assert many[1] == few[1], (few, many)
    assert many[1] <= 25


def test_the_2020_unsigned_list_shows_every_approved_2020_national_project_without_contract(agency_officer):
    unsigned = [make_project(year=2020, state=S.APPROVED), make_project("40", year=2020, state=S.APPROVED)]
    make_project(year=2020, state=S.CONTRACTED, contracted_on=dt.date(2020, 5, 10))
    make_project(year=2021, state=S.APPROVED)
    make_project(year=2020, level=Level.LOCAL, state=S.APPROVED)
    rows = deadline_list(user=agency_officer, filters={"overdue": "1", "due": "contract", "year": "2020"})
    assert {p.pk for p in rows} == {p.pk for p in unsigned}


def test_deadlines_page_groups_by_province_and_exports(client_for, hatinh_officer):
    make_project(year=2020, state=S.APPROVED, code="DA-HAN-2020")
    make_project("40", year=2020, state=S.APPROVED, code="DA-NGHE-2020")
    client = client_for(hatinh_officer)
    page = client.get("/projects/deadlines/", {"overdue": "1"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "DA-HAN-2020" in body and "DA-NGHE-2020" not in body
    assert "2990/BCT-CTĐP" in body and "15/05/2020" in body
    export = client.get("/projects/deadlines/export/", {"overdue": "1"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_project_list_filter_overdue(hatinh_officer):
    from khuyencong.projects.selectors import project_list

    late = make_project(year=2020, state=S.APPROVED)
    fine = make_project(year=2021, state=S.APPROVED)
    assert {p.pk for p in project_list(user=hatinh_officer, filters={"overdue": "1"})} == {late.pk}
    assert fine.pk in {p.pk for p in project_list(user=hatinh_officer, filters={"overdue": "0"})}


def test_api_overdue_filter_is_scoped(client_for, hatinh_officer):
    mine = make_project(year=2020, state=S.APPROVED)
    make_project("40", year=2020, state=S.APPROVED)
    make_project(year=2021, state=S.APPROVED)
    response = client_for(hatinh_officer).get("/api/v1/deadlines", {"overdue": "true", "province": "42"})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["id"] for item in items] == [mine.pk]
    due = items[0]["due"][0]
    assert due["code"] == "contract_signing" and due["overdue"] and due["legal_document"] == "2990/BCT-CTĐP"
    other = client_for(hatinh_officer).get("/api/v1/deadlines", {"overdue": "true", "province": "40"})
    assert other.status_code == 422  # Nghệ An is not among the provinces offered
    assert client_for(hatinh_officer).get("/api/v1/deadlines", {"nope": "1"}).status_code == 422


def test_api_needs_sign_in(client):
    assert client.get("/api/v1/deadlines").status_code == 401


# --- the home worklist -----------------------------------------------------------------------


def test_implementer_sees_submit(implementer):
    draft = make_project(year=2027, state=S.DRAFT)
    make_project("40", year=2027, state=S.DRAFT)
    make_project(year=2027, state=S.SUBMITTED)
    work = worklist(implementer, today=dt.date(2026, 5, 1))
    assert [(i.project.pk, [s.action for s in i.steps]) for i in work.items] == [(draft.pk, ["submit"])]
    assert work.items[0].due.due_date == dt.date(2026, 5, 20)


def test_department_officer_sees_appraisal_of_its_province_only(hatinh_officer):
    mine = make_project(year=2027, state=S.SUBMITTED)
    make_project("40", year=2027, state=S.SUBMITTED)
    work = worklist(hatinh_officer, today=TODAY)
    assert [i.project.pk for i in work.items] == [mine.pk]
    assert {s.action for s in work.items[0].steps} == {"province_pass", "province_return", "province_reject"}


def test_agency_leader_sees_approvals(person_in_role):
    leader = person_in_role(ROLES[2])
    passed = make_project(year=2027, state=S.AGENCY_PASSED)
    make_project(year=2027, state=S.SUBMITTED)
    work = worklist(leader, today=TODAY)
    assert [i.project.pk for i in work.items] == [passed.pk]
    assert [s.action for s in work.items[0].steps] == ["approve"]


def test_overdue_first_and_in_reach(hatinh_officer):
    recent = make_project(year=2027, state=S.SUBMITTED)
    late = make_project(year=2020, state=S.APPROVED, level=Level.LOCAL)  # contract_local: no rule, not late
    overdue = make_project(year=2025, state=S.SETTLEMENT_SUBMITTED, level=Level.LOCAL)
    national_late = make_project(year=2020, state=S.APPROVED)  # the Agency's to sign: in reach, not actionable
    work = worklist(hatinh_officer, today=TODAY)
    assert work.items[-1].project.pk in {recent.pk, late.pk, overdue.pk}
    assert national_late.pk not in {i.project.pk for i in work.items}
    assert work.overdue_in_reach == 1


def test_home_page_lists_the_work_with_bounded_queries(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    make_project(year=2027, state=S.SUBMITTED, code="DA-CHO-THAM-DINH")
    make_project(year=2020, state=S.APPROVED, code="DA-2020-CHUA-KY")  # the years the rules span
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        body = client.get("/").content.decode()
    assert "DA-CHO-THAM-DINH" in body and 'id="project-work"' in body
    for i in range(8):
        make_project(year=2020 + i, state=[S.SUBMITTED, S.SETTLEMENT_SUBMITTED][i % 2], level=Level.LOCAL)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
    assert len(many) <= 40


def test_home_page_empty_state(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/").content.decode()
    assert 'id="project-work-empty"' in body


def test_province_scoped_directive_applies_only_there():
    rule = DeadlineRule.objects.get(code="contract_signing")
    rule.applies_to_provinces.set([Province.objects.current().get(code="40")])
    hatinh = make_project(year=2020, state=S.APPROVED)
    nghean = make_project("40", year=2020, state=S.APPROVED)
    late = set(Project.objects.filter(overdue_q(today=TODAY)).values_list("pk", flat=True))
    assert nghean.pk in late and hatinh.pk not in late
    assert _one(hatinh).due_date is None and _one(nghean).due_date == dt.date(2020, 5, 15)


def test_the_page_shows_only_the_items_filtered_on(client_for, agency_officer):
    make_project(year=2020, state=S.APPROVED, code="DA-DICH-2020", disruption="epidemic", disruption_event="COVID-19")
    client = client_for(agency_officer)
    both = client.get("/projects/deadlines/", {"year": "2020"}).content.decode()
    assert "DA-DICH-2020" in both and "25/05/2020" in both and "15/05/2020" in both
    contract = client.get("/projects/deadlines/", {"year": "2020", "due": "contract"}).content.decode()
    assert "15/05/2020" in contract and "25/05/2020" not in contract


@pytest.mark.parametrize("who", ["implementer", "nghean_officer", "agency_officer", "outsider"])
def test_reach_on_the_page_and_the_api(who, request, client_for):
    user = request.getfixturevalue(who)
    hatinh = make_project(year=2020, state=S.APPROVED, code="DA-PHAM-VI-42")
    other_unit = make_project(year=2020, state=S.APPROVED, code="DA-PHAM-VI-CUC", unit="CUC-DMST")
    nghean = make_project("40", year=2020, state=S.APPROVED, code="DA-PHAM-VI-40")
    expected = {
        "implementer": {hatinh.pk},
        "nghean_officer": {nghean.pk},
        "agency_officer": {hatinh.pk, other_unit.pk, nghean.pk},
        "outsider": None,
    }[who]
    client = client_for(user)
    page = client.get("/projects/deadlines/")
    api = client.get("/api/v1/deadlines", {"overdue": "true"})
    if expected is None:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    assert {item["id"] for item in api.json()["items"]} == expected
    body = page.content.decode()
    for project in (hatinh, other_unit, nghean):
        assert (project.code in body) == (project.pk in expected)


def test_the_project_page_shows_what_is_due(client_for, agency_officer):
    project = make_project(year=2020, state=S.APPROVED)
    body = client_for(agency_officer).get(f"/projects/{project.pk}/").content.decode()
    assert 'id="project-due"' in body and "15/05/2020" in body and "2990/BCT-CTĐP" in body
    listed = client_for(agency_officer).get("/projects/deadlines/").content.decode()
    assert f'href="/projects/{project.pk}/"' in listed
