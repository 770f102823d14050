"""Who sees which scorecards (the named actions ``view_scorecard`` and ``export_scorecard`` on
projects, organisation/permissions.py), for every role of tests/roles.py: the list page, a unit's
and a province's page, the Excel file and the API; allowed, denied (403) and out of reach (404)."""

from __future__ import annotations

import pytest

from khuyencong.organisation.models import Role
from khuyencong.organisation.permissions import allowed_actions
from tests.dashboards.scorecard_fixtures import YEAR, year_2025_fixture  # noqa: F401 (the fixture "year_2025")
from tests.roles import (
    CASE_IDS,
    CASES,
    EXPORT_SCORECARD,
    NGHE_AN_OFFICER,
    NO_ROLE,
    SCORECARD_ACTIONS,
    VIEW_SCORECARD,
)

pytestmark = pytest.mark.django_db

VIEW, EXPORT = VIEW_SCORECARD, EXPORT_SCORECARD
BOTH_ACTIONS = {VIEW, EXPORT}
EVERY_UNIT = {"TTKC-42", "TTKC-40", "SCT-42", "SCT-40"}
# The units each binding sees: a province its own units, an implementer only its own unit.
VISIBLE_UNITS = {
    "hatinh": {"TTKC-42", "SCT-42"},
    "nghean": {"TTKC-40", "SCT-40"},
    "implementer": {"TTKC-42"},
}
VISIBLE_PROVINCES = {"hatinh": {"42"}, "nghean": {"40"}, "implementer": set()}


def _expected_units(case) -> set[str]:
    if case.role == Role.IMPLEMENTER:
        return VISIBLE_UNITS["implementer"]
    return set().union(*(VISIBLE_UNITS[place] for place in case.reach)) if case.reach else set()


def _expected_provinces(case) -> set[str]:
    if case.role == Role.IMPLEMENTER:
        return VISIBLE_PROVINCES["implementer"]
    return set().union(*(VISIBLE_PROVINCES[place] for place in case.reach)) if case.reach else set()


def test_the_matrix_says_what_the_table_says():
    for role, actions in SCORECARD_ACTIONS.items():
        if role:
            assert allowed_actions(role, "projects.project") & BOTH_ACTIONS == actions, role


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_sees_its_units_or_is_refused(year_2025, person_in_role, client_for, case):
    client = client_for(person_in_role(case))
    actions = SCORECARD_ACTIONS[case.role]
    page = client.get("/dashboards/scorecards/", {"year": YEAR})
    api = client.get("/api/v1/scorecards", {"year": YEAR})
    export = client.get("/dashboards/scorecards/export/", {"year": YEAR})
    if VIEW not in actions:
        assert page.status_code == 403
        assert api.status_code == 403 and api.json()["code"] == "forbidden"
        assert export.status_code == 403
        assert client.get("/dashboards/scorecards/unit/TTKC-42/", {"year": YEAR}).status_code == 403
        return
    assert page.status_code == 200 and api.status_code == 200
    expected = _expected_units(case)
    assert {row.code for row, _url in page.context["rows"]} == expected
    assert {r["code"] for r in api.json()["rows"]} == expected
    provinces = client.get("/api/v1/scorecards", {"year": YEAR, "kind": "province"}).json()
    assert {r["code"] for r in provinces["rows"]} == _expected_provinces(case)
    html = page.content.decode()
    for code in EVERY_UNIT - expected:
        assert f'data-code="{code}"' not in html
    if EXPORT in actions:
        assert export.status_code == 200
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    else:
        assert export.status_code == 403
    for code in EVERY_UNIT:
        detail = client.get(f"/dashboards/scorecards/unit/{code}/", {"year": YEAR})
        assert detail.status_code == (200 if code in expected else 404), code


@pytest.mark.parametrize("case", [CASES[4], NGHE_AN_OFFICER], ids=["hatinh-officer", "nghean-officer"])
def test_another_province_is_out_of_reach(year_2025, person_in_role, client_for, case):
    client = client_for(person_in_role(case))
    other = "40" if case is CASES[4] else "42"
    assert client.get("/dashboards/scorecards/", {"year": YEAR, "province": other}).status_code == 404
    assert client.get("/dashboards/scorecards/export/", {"year": YEAR, "province": other}).status_code == 404
    response = client.get("/api/v1/scorecards", {"year": YEAR, "province": other})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/dashboards/scorecards/province/{other}/", {"year": YEAR}).status_code == 404
    own = "42" if other == "40" else "40"
    assert client.get(f"/dashboards/scorecards/province/{own}/", {"year": YEAR}).status_code == 200


def test_an_export_is_logged(year_2025, agency_officer, client_for):
    from khuyencong.audit.models import AccessLog

    before = AccessLog.objects.count()
    client_for(agency_officer).get("/dashboards/scorecards/export/", {"year": YEAR})
    log = AccessLog.objects.order_by("-pk").first()
    assert AccessLog.objects.count() == before + 1 and log.target == "dashboards.scorecard"


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get("/dashboards/scorecards/").status_code == 302
    assert client.get("/api/v1/scorecards").status_code in (401, 403)
    assert NO_ROLE.reach == ()
