"""Unit scorecards: each component from the records of a small year, rates capped at 100%, a
component with nothing to measure shown as "—" (never 0%), the weighted total and the ranking, the
formula and the drill-down links on a unit's page, the Excel file equal to the page, the API."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from khuyencong.dashboards import scorecards
from khuyencong.dashboards.scorecards import (
    DISBURSEMENT,
    OUTPUTS,
    REPORTS,
    SCHEDULE,
    WEIGHTS,
    Component,
    Scorecard,
    rank,
)
from khuyencong.projects.deadlines import overdue_q
from khuyencong.projects.models import Project
from tests.dashboards.scorecard_fixtures import YEAR, year_2025_fixture  # noqa: F401 (the fixture "year_2025")

pytestmark = pytest.mark.django_db

URL = "/dashboards/scorecards/"
API = "/api/v1/scorecards"


def _rows(user, kind="unit", **filters):
    query = scorecards.parse_query(user, {"year": YEAR, "kind": kind, **filters})
    return {row.code: row for row in scorecards.board_for(user, query).rows}


def _figures(row):
    return {c.key: (c.numerator, c.denominator) for c in row.parts}


def _active_and_overdue(unit_code):
    active = Project.objects.filter(year=YEAR, implementing_unit__code=unit_code, state__in=scorecards.ACTIVE_STATES)
    return active.count(), active.filter(overdue_q()).count()


# --- each component from the records ---------------------------------------------------------------


def test_each_component_equals_the_records(year_2025, agency_officer):
    rows = _rows(agency_officer)
    assert set(rows) == {"TTKC-42", "TTKC-40", "SCT-42", "SCT-40"}
    hatinh, nghean = rows["TTKC-42"], rows["TTKC-40"]
    assert _figures(rows["SCT-42"])[REPORTS] == (1, 4)  # on time, late, returned, missing
    assert _figures(rows["SCT-40"])[REPORTS] == (4, 4)
    assert _figures(hatinh)[DISBURSEMENT] == (100_000_000, 400_000_000)
    assert _figures(nghean)[DISBURSEMENT] == (150_000_000, 100_000_000)
    # the stopped and the draft projects are not active; the accepted one's dossier is overdue
    active, overdue = _active_and_overdue("TTKC-42")
    assert active == 2 and overdue >= 1
    assert _figures(hatinh)[SCHEDULE] == (active - overdue, active)
    assert hatinh.components[SCHEDULE].extra == overdue
    # three lines due (in progress past its end, accepted); the latest record of one failed
    assert _figures(hatinh)[OUTPUTS] == (2, 3)


def test_a_rate_never_passes_100_percent(year_2025, agency_officer):
    nghean = _rows(agency_officer)["TTKC-40"].components[DISBURSEMENT]
    assert nghean.capped and nghean.rate == 1 and nghean.percent_text == "100,0%"
    assert nghean.points == Decimal(WEIGHTS[DISBURSEMENT])


def test_nothing_to_measure_is_a_dash_not_zero(year_2025, agency_officer, client_for):
    nghean = _rows(agency_officer)["TTKC-40"]
    outputs = nghean.components[OUTPUTS]  # a contracted project: no line due for acceptance yet
    assert outputs.denominator == 0 and outputs.rate is None and outputs.points is None
    assert outputs.percent_text == "—" and outputs.points_text == "—"
    html = client_for(agency_officer).get(URL, {"year": YEAR}).content.decode()
    cell = html.split('data-code="TTKC-40"')[1].split("</tr>")[0].split('data-component="outputs"')[1].split("</td>")[0]
    assert "—" in cell and "0,0%" not in cell


def test_total_is_points_over_measured_weights(year_2025, agency_officer):
    hatinh = _rows(agency_officer, kind="province")["42"]
    parts = hatinh.components
    assert _figures(hatinh)[REPORTS] == (1, 4) and _figures(hatinh)[OUTPUTS] == (2, 3)
    expected_points = sum(
        (Decimal(parts[key].numerator) / parts[key].denominator * WEIGHTS[key]).quantize(Decimal("0.1"))
        for key in (REPORTS, DISBURSEMENT, SCHEDULE, OUTPUTS)
    )
    assert hatinh.points == expected_points
    assert hatinh.score == (expected_points * 100 / 100).quantize(Decimal("0.1"))
    nghean = _rows(agency_officer, kind="province")["40"]  # outputs not measured: 75 weights
    assert nghean.measured_weight == 75
    assert nghean.score == (nghean.points * 100 / 75).quantize(Decimal("0.1"))


def test_units_are_ranked_and_the_best_proposed(year_2025, agency_officer):
    rows = _rows(agency_officer)
    # a Department measured on its reports only is not ranked, whatever its score
    assert rows["SCT-40"].score == 100 and rows["SCT-40"].rank is None and not rows["SCT-40"].commended
    ranked = sorted((r for r in rows.values() if r.rank), key=lambda r: r.rank)
    assert [r.code for r in ranked] == ["TTKC-40", "TTKC-42"]
    assert rows["TTKC-40"].commended == (rows["TTKC-40"].score >= scorecards.COMMENDATION_THRESHOLD)
    assert not rows["TTKC-42"].commended


def _card(code, score_parts):
    row = Scorecard(kind="unit", pk=len(code), code=code, name=code)
    for key, (num, den) in score_parts.items():
        row.components[key] = Component(key, numerator=num, denominator=den)
    return row


def test_equal_scores_share_a_rank():
    full = {REPORTS: (1, 1), DISBURSEMENT: (1, 1), SCHEDULE: (1, 1), OUTPUTS: (1, 1)}
    half = {REPORTS: (1, 2), DISBURSEMENT: (1, 2), SCHEDULE: (1, 2), OUTPUTS: (1, 2)}
    rows = [_card("A", full), _card("B", half), _card("C", full), _card("D", {REPORTS: (1, 1)})]
    rank(rows)
    assert [r.rank for r in rows] == [1, 3, 1, None]
    assert rows[0].commended and not rows[1].commended and not rows[3].commended


def test_sorting_by_a_column(year_2025, agency_officer):
    rows = list(_rows(agency_officer, sort="-disbursement").values())
    assert [r.code for r in rows][:2] == ["TTKC-40", "TTKC-42"]
    assert all(r.components[DISBURSEMENT].rate is None for r in rows[2:])  # not measured: last
    names = [r.name for r in _rows(agency_officer, sort="name").values()]
    assert names[0].startswith("Sở Công Thương")


def test_filters_by_kind_of_unit_province_and_region(year_2025, agency_officer):
    assert set(_rows(agency_officer, unit_kind="doit")) == {"SCT-42", "SCT-40"}
    assert set(_rows(agency_officer, province="42")) == {"TTKC-42", "SCT-42"}
    assert set(_rows(agency_officer, region="2")) == {"TTKC-42", "TTKC-40", "SCT-42", "SCT-40"}
    assert set(_rows(agency_officer, region="1")) == set()


def test_a_period_of_years_adds_them_up(year_2025, agency_officer):
    period = _rows(agency_officer, year=YEAR - 1, to=YEAR)
    assert _figures(period["TTKC-42"]) == _figures(_rows(agency_officer)["TTKC-42"])


@pytest.mark.parametrize(
    ("params", "field"),
    [({"year": "năm"}, "year"), ({"year": "2025", "to": "2024"}, "to"), ({"year": "2010", "to": "2025"}, "to"),
     ({"kind": "district"}, "kind"), ({"unit_kind": "ministry"}, "unit_kind"), ({"sort": "budget"}, "sort"),
     ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_bad_input_says_which_field(year_2025, agency_officer, client_for, params, field):
    client = client_for(agency_officer)
    response = client.get(API, params)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == [field]
    if field != "colour":
        assert client.get(URL, params).status_code == 400


# --- the page: formula and drill-down ----------------------------------------------------------------


def test_unit_page_shows_the_formula_and_links_every_number(year_2025, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get("/dashboards/scorecards/unit/TTKC-42/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    row = page.context["row"]
    assert row.code == "TTKC-42" and 'id="scorecard-formula"' in html
    links = {c.key: drill for c, drill in page.context["components"]}
    assert links[DISBURSEMENT]["numerator"][0].url == "/finance/ledger/?year=2025&unit=TTKC-42"
    assert links[DISBURSEMENT]["denominator"][0].url == "/finance/allocations/?year=2025&unit=TTKC-42"
    assert links[SCHEDULE]["denominator"][0].url == "/projects/?year=2025&implementing_unit=TTKC-42"
    assert links[SCHEDULE]["extra"][0].url == "/projects/deadlines/?overdue=1&year=2025&implementing_unit=TTKC-42"
    assert links[REPORTS]["denominator"][0].url == "/reports/completeness/?year=2025&province=42"
    assert html.count('data-drill="numerator"') == 4 and html.count('data-drill="denominator"') == 4
    assert "100.000.000 đ" in html and "400.000.000 đ" in html
    assert f"{row.points_text} ÷ {row.measured_weight} × 100" in html
    # each list behind a number opens for this user
    for component_links in links.values():
        for kind_links in component_links.values():
            assert client.get(kind_links[0].url).status_code == 200


def test_province_page_and_an_empty_period(year_2025, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get("/dashboards/scorecards/province/40/", {"year": YEAR})
    assert page.status_code == 200 and page.context["row"].code == "40"
    empty = client.get("/dashboards/scorecards/unit/TTKC-42/", {"year": 2031})
    assert empty.status_code == 200 and empty.context["row"].score is None
    assert client.get("/dashboards/scorecards/unit/KHONG-CO/", {"year": YEAR}).status_code == 404


def test_list_page_links_and_empty_state(year_2025, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get(URL, {"year": YEAR})
    html = page.content.decode()
    assert 'href="/dashboards/scorecards/unit/TTKC-42/?year=2025"' in html
    assert 'id="scorecard-rule"' in html
    assert 'id="scorecard-empty"' in client.get(URL, {"year": 2031}).content.decode()


def test_links_from_the_dashboard_and_the_org_unit_page(year_2025, agency_officer, client_for):
    client = client_for(agency_officer)
    assert 'id="scorecards-link"' in client.get("/dashboards/", {"year": YEAR}).content.decode()
    from khuyencong.organisation.models import OrgUnit

    unit = OrgUnit.objects.get(code="TTKC-42")
    html = client.get(f"/org-units/{unit.pk}/").content.decode()
    assert 'href="/dashboards/scorecards/unit/TTKC-42/"' in html


# --- the Excel file equals the page ------------------------------------------------------------------


def test_export_is_what_the_page_shows(year_2025, agency_officer, client_for):
    client = client_for(agency_officer)
    params = {"year": YEAR, "sort": "-disbursement"}
    page = client.get(URL, params)
    response = client.get("/dashboards/scorecards/export/", params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    shown = [row for row, _url in page.context["rows"]]
    names = [r[1] for r in rows[: len(shown)]]
    assert names == [row.name for row in shown]
    totals = rows[len(shown)]
    board = page.context["board"]
    for i, component in enumerate(board.total.parts):
        numerator, denominator, rate = totals[4 + 4 * i : 7 + 4 * i]
        assert (numerator, denominator) == (component.numerator, component.denominator)
        assert numerator == sum(r.components[component.key].numerator for r in shown)
        assert rate == component.percent_text
        assert component.percent_text in page.content.decode().split('id="scorecard-totals"')[1]
    first = rows[0]
    assert first[4 + 4 * 1 + 2] == shown[0].components[DISBURSEMENT].percent_text
    assert str(first[-2]) == shown[0].score_text


# --- the API -----------------------------------------------------------------------------------------


def test_api_gives_the_same_figures(year_2025, agency_officer, client_for):
    body = client_for(agency_officer).get(API, {"year": YEAR, "kind": "province"}).json()
    assert body["kind"] == "province" and body["years"] == [YEAR]
    assert body["rule"]["weights"] == WEIGHTS
    rows = {r["code"]: r for r in body["rows"]}
    nghean = {c["key"]: c for c in rows["40"]["components"]}
    assert nghean["disbursement"]["rate"] == 100.0 and nghean["outputs"]["rate"] is None
    assert nghean["outputs"]["points"] is None and nghean["reports"]["numerator"] == 4
    board_rows = _rows(agency_officer, kind="province")
    assert rows["42"]["score"] == float(board_rows["42"].score)
    assert rows["42"]["rank"] == board_rows["42"].rank
