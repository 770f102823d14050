"""The dashboards: figures equal the records, scoped to the viewer's reach, drill-down links,
historical years by the provinces of the time, refusals with a message, an empty year."""

import datetime as dt

import pytest

from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import Programme, ProgrammeTarget
from khuyencong.projects.deadlines import overdue_q
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province
from tests.projects.factories import make_project
from tests.roles import CASE_IDS, CASES

pytestmark = pytest.mark.django_db

URL = "/dashboards/"
API = "/api/v1/dashboard"


@pytest.fixture
def projects(territory):
    return {
        "ht_draft": make_project("42", year=2026, state=ProjectState.DRAFT, name="Đề án bảng Hà Tĩnh 1"),
        "ht_approved": make_project("42", year=2026, state=ProjectState.APPROVED, name="Đề án bảng Hà Tĩnh 2"),
        "na_approved": make_project("40", year=2026, state=ProjectState.APPROVED, name="Đề án bảng Nghệ An"),
        "ht_2019": make_project(
            "42",
            year=2019,
            state=ProjectState.SETTLED,
            legacy_province=Province.objects.legacy().get(code="42"),
            name="Đề án bảng Hà Tĩnh 2019",
        ),
    }


def _api(client, **params):
    return client.get(API, params)


def test_national_figures_equal_the_records(projects, agency_officer, client_for):
    body = _api(client_for(agency_officer), year=2026).json()
    assert body["scope"] == "national"
    assert body["projects"] == Project.objects.filter(year=2026).count() == 3
    by_state = {s["state"]: s["count"] for s in body["projects_by_state"]}
    assert by_state == {"draft": 1, "approved": 2}
    provinces = {p["code"]: p["projects"] for p in body["provinces"]}
    assert provinces == {"42": 2, "40": 1}
    assert body["provinces_generation"] == "current"


def test_provincial_user_sees_their_province_only(projects, hatinh_officer, client_for):
    client = client_for(hatinh_officer)
    body = _api(client, year=2026).json()
    assert body["scope"] == "province:42"
    assert body["projects"] == 2
    assert {p["code"] for p in body["provinces"]} == {"42"}
    page = client.get(URL, {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('id="province-table"')[1].split('id="targets"')[0]
    assert "Hà Tĩnh" in table and "Nghệ An" not in table
    # the drill-down from the map region and the projects card: the list behind the number
    provinces = {p["code"]: p for p in page.context["chart_data"]["provinces"]}
    assert provinces["42"]["url"] == "/projects/?year=2026&province=42"
    assert page.context["links"]["projects"] == "/projects/?year=2026&province=42"
    assert page.context["links"]["overdue"] == "/deadlines/?overdue=1&year=2026&province=42".replace(
        "/deadlines/", "/projects/deadlines/"
    )
    assert not provinces["40"]["in_scope"] and provinces["40"]["projects"] == 0


def test_out_of_reach_scope_is_not_found_and_shows_nothing(projects, hatinh_officer, client_for):
    client = client_for(hatinh_officer)
    for scope in ("province:40", "national", "region:3", "unit:TTKC-40", "province:99"):
        response = _api(client, scope=scope, year=2026)
        assert response.status_code == 404, scope
        assert response.json()["code"] == "not_found"
        assert "Nghệ An" not in response.content.decode()
        page = client.get(URL, {"scope": scope})
        assert page.status_code == 404
        assert "dashboard-refused" in page.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "tinh:42"}, "scope"),
        ({"scope": "province:"}, "scope"),
        ({"year": "hai nghìn"}, "year"),
        ({"year": "1850"}, "year"),
        ({"provinces": "old"}, "provinces"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_input_gets_a_clear_message(projects, agency_officer, client_for, params, field):
    client = client_for(agency_officer)
    before = Project.objects.count()
    response = _api(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    assert [d["field"] for d in body["details"]] == [field]
    if field != "page":
        page = client.get(URL, params)
        assert page.status_code == 400
        assert page.context["message"]
    assert Project.objects.count() == before


def test_historical_year_defaults_to_legacy_provinces_and_maps_to_current(projects, agency_officer, client_for):
    client = client_for(agency_officer)
    legacy = _api(client, year=2019).json()
    assert legacy["provinces_generation"] == "legacy"
    assert {p["code"]: p["projects"] for p in legacy["provinces"]} == {"42": 1}
    page = client.get(URL, {"year": 2019})
    assert len(page.context["chart_data"]["provinces"]) == 63
    assert page.context["chart_data"]["map_url"].endswith("vn-63.json")
    assert page.context["chart_data"]["provinces"][0]["url"].startswith("/projects/?year=2019&legacy_province=")
    current = _api(client, year=2019, provinces="current").json()
    assert current["provinces_generation"] == "current"
    assert {p["code"]: p["projects"] for p in current["provinces"]} == {"42": 1}


def test_project_without_a_legacy_province_is_counted_as_not_on_the_legacy_map(projects, agency_officer, client_for):
    body = _api(client_for(agency_officer), year=2026, provinces="legacy").json()
    assert body["projects"] == 3 and body["unplaced_projects"] == 3 and body["provinces"] == []


def test_empty_year_shows_an_empty_state(projects, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get(URL, {"year": 2031})
    assert page.status_code == 200
    assert 'id="dashboard-empty"' in page.content.decode()
    body = _api(client, year=2031).json()
    assert body["projects"] == 0 and body["projects_by_state"] == [] and body["provinces"] == []


def test_a_year_with_projects_has_no_empty_state(projects, agency_officer, client_for):
    assert 'id="dashboard-empty"' not in client_for(agency_officer).get(URL, {"year": 2026}).content.decode()


def test_overdue_equals_the_deadline_query(territory, agency_officer, client_for):
    make_project("42", year=2020, state=ProjectState.APPROVED, approved_on=dt.date(2020, 3, 1))
    make_project("42", year=2020, state=ProjectState.DRAFT)
    expected = Project.objects.filter(year=2020).filter(overdue_q()).count()
    body = _api(client_for(agency_officer), year=2020).json()
    assert body["overdue"] == expected


def test_implementer_sees_its_unit(projects, implementer, client_for):
    body = _api(client_for(implementer), year=2026).json()
    assert body["scope"] == "unit:TTKC-42"
    assert body["projects"] == 2


def test_region_scope_covers_the_regions_provinces(projects, agency_officer, client_for):
    body = _api(client_for(agency_officer), year=2026, scope="region:2").json()
    assert body["projects"] == 3  # Hà Tĩnh and Nghệ An are both in the central region
    assert _api(client_for(agency_officer), year=2026, scope="region:1").json()["projects"] == 0


def test_programme_targets_against_the_records(territory, agency_officer, client_for):
    content = ActivityContent.objects.get(code="2012-03")
    programme = Programme.objects.create(
        level=Level.NATIONAL,
        name="Chương trình thử 2021–2025",
        start_year=2021,
        end_year=2025,
        owner=OrgUnit.objects.get(code="CUC-DMST"),
    )
    ProgrammeTarget.objects.create(programme=programme, position=1, name="Mô hình trình diễn", unit="mô hình",
                                   target_value=4, content=content)  # fmt: skip
    ProgrammeTarget.objects.create(programme=programme, position=2, name="Máy móc", unit="máy",
                                   target_value=1600, content=content)  # fmt: skip
    make_project("42", year=2022, state=ProjectState.ACCEPTED)
    make_project("40", year=2023, state=ProjectState.SETTLED)
    make_project("42", year=2024, state=ProjectState.IN_PROGRESS)
    make_project("42", year=2019, state=ProjectState.SETTLED)  # before the programme
    body = _api(client_for(agency_officer), year=2023).json()
    assert body["programme"] == "Chương trình thử 2021–2025"
    models, machines = body["targets"]
    assert (models["target"], models["achieved"], models["under_way"]) == (4, 2, 1)
    assert machines["achieved"] is None and machines["basis"]  # "not computable yet", with the reason


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_role_sees_its_reach(projects, person_in_role, client_for, case):
    client = client_for(person_in_role(case))
    response = _api(client, year=2026)
    page = client.get(URL, {"year": 2026})
    if not case.reach:  # the establishment account and a user without a role
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert page.status_code == 403
        return
    expected = {"hatinh": 2, "nghean": 1}
    assert response.status_code == 200 and page.status_code == 200
    assert response.json()["projects"] == sum(expected[r] for r in case.reach)
    other = _api(client, year=2026, scope="province:40")
    if "nghean" in case.reach:
        assert other.status_code == 200 and other.json()["projects"] == 1
    else:
        assert other.status_code == 404


def test_anonymous_is_sent_to_log_in(client, projects):
    assert client.get(URL).status_code == 302
    assert client.get(API).status_code == 401


def test_menu_has_the_dashboards_entry(projects, hatinh_officer, client_for):
    html = client_for(hatinh_officer).get("/").content.decode()
    assert 'href="/dashboards/"' in html
