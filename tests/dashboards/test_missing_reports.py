"""The dashboards' "missing reports" card (reporting/dashboard.py, slot "dashboards.kpis") and its
figure in GET /api/v1/dashboard: the completeness of every form in use for the board's scope and
year, within the viewer's reach, never above 100%, linking to the matrix filtered the same way."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khuyencong.reporting import services
from khuyencong.reporting.models import ReportState
from khuyencong.territory.models import Region
from tests.projects.factories import make_project
from tests.reporting.factories import make_form, make_report, unit

pytestmark = pytest.mark.django_db

Q = [(dt.date(2025, m, 1), dt.date(2025, m + 2, 30 if m in (4, 7) else 31)) for m in (1, 4, 7, 10)]


@pytest.fixture
def reports(territory):
    make_project("42", year=2025, state="approved", name="Đề án bảng báo cáo Hà Tĩnh")
    make_project("40", year=2025, state="approved", name="Đề án bảng báo cáo Nghệ An")
    form = make_form(units=[unit("SCT-42"), unit("SCT-40"), unit("TTKC-42")], from_year=2025, code="BC-DB-QUY")
    hatinh, nghean, centre = unit("SCT-42"), unit("SCT-40"), unit("TTKC-42")
    make_report(form, hatinh, start=Q[0][0], end=Q[0][1], state=ReportState.APPROVED,
                submitted_on=dt.date(2025, 4, 10))  # on time  # fmt: skip
    make_report(form, hatinh, start=Q[1][0], end=Q[1][1], state=ReportState.RETURNED,
                submitted_on=dt.date(2025, 7, 10))  # fmt: skip
    make_report(form, nghean, start=Q[0][0], end=Q[0][1], state=ReportState.SUBMITTED,
                submitted_on=dt.date(2025, 5, 2))  # late  # fmt: skip
    make_report(form, centre, start=Q[0][0], end=Q[0][1], state=ReportState.SUBMITTED,
                submitted_on=dt.date(2025, 4, 3))  # fmt: skip
    return form


def _reports(client, **params):
    response = client.get("/api/v1/dashboard", {"year": 2025, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()["extensions"]["reports"]


def test_the_national_figure_equals_the_completeness_matrix(reports, agency_officer, client_for):
    figure = _reports(client_for(agency_officer))
    matrix = services.completeness(reports, 2025, today=dt.date.today())
    assert figure["expected"] == 12 == sum(matrix.counts.values())
    assert (figure["on_time"], figure["late"], figure["returned"]) == (2, 1, 1)
    assert figure["missing"] == matrix.counts["missing"] == 8  # every other quarter of 2025 is past due
    assert figure["rates"]["missing"] == matrix.rate_texts["missing"] == "66,7%"
    assert [f["code"] for f in figure["forms"]] == ["BC-DB-QUY"]


def test_rates_never_exceed_a_hundred_percent(reports, agency_officer, client_for):
    figure = _reports(client_for(agency_officer))
    for text in figure["rates"].values():
        assert float(text.rstrip("%").replace(",", ".")) <= 100
    assert sum(figure[s] for s in ("on_time", "late", "missing", "returned")) <= figure["expected"]


def test_a_province_sees_its_own_units_and_links_to_its_matrix(reports, hatinh_officer, client_for):
    client = client_for(hatinh_officer)
    figure = _reports(client)
    assert figure["expected"] == 8  # the Department and the provincial centre of Hà Tĩnh
    assert (figure["on_time"], figure["late"], figure["returned"], figure["missing"]) == (2, 0, 1, 5)
    link = figure["forms"][0]["completeness_url"]
    assert "province=42" in link and "year=2025" in link and "form=BC-DB-QUY" in link
    page = client.get("/dashboards/", {"year": 2025})
    html = page.content.decode()
    assert 'id="kpi-reports"' in html
    card = html[html.index('id="kpi-reports"') :]
    href = unescape(re.search(r'data-kpi="reports-missing"', card) and re.search(r'href="([^"]+)"', card).group(1))
    assert href == link
    matrix = client.get(href)
    assert matrix.status_code == 200
    assert re.search(r'id="rate-missing">\s*62,5%', matrix.content.decode())  # 5 of the 8 due


def test_a_region_and_a_unit_scope_filter_the_figure_and_the_matrix(reports, agency_officer, client_for):
    client = client_for(agency_officer)
    region = Region.objects.filter(kind=Region.Kind.CENTRE, provinces__code="42").first()
    by_region = _reports(client, scope=f"region:{region.code}")
    assert f"region={region.code}" in by_region["forms"][0]["completeness_url"]
    expected_in_region = sum(1 for code in ("42", "40") if region.provinces.filter(code=code).exists())
    assert by_region["expected"] == 4 * (expected_in_region + 1)
    by_unit = _reports(client, scope="unit:TTKC-42")
    assert (by_unit["expected"], by_unit["on_time"], by_unit["missing"]) == (4, 1, 3)
    link = by_unit["forms"][0]["completeness_url"]
    assert "unit=TTKC-42" in link
    page = client.get(link).content.decode()
    assert "Trung tâm" in page or "TTKC" in page
    assert re.search(r'id="rate-missing">\s*75,0%', page)


def test_an_unknown_unit_in_the_matrix_link_is_a_message_not_a_500(reports, agency_officer, client_for):
    response = client_for(agency_officer).get("/reports/completeness/", {"form": "BC-DB-QUY", "year": 2025,
                                                                       "unit": "KHONG-CO"})  # fmt: skip
    assert response.status_code == 200
    assert "completeness-matrix" not in response.content.decode()


def test_without_a_report_form_the_card_says_so(territory, agency_officer, client_for):
    make_project("42", year=2025, state="approved", name="Đề án không có mẫu báo cáo")
    client = client_for(agency_officer)
    figure = _reports(client)
    assert figure["expected"] == 0 and figure["forms"] == []
    assert 'id="kpi-reports-none"' in client.get("/dashboards/", {"year": 2025}).content.decode()


def test_the_card_reads_the_same_queries_whatever_the_number_of_forms(reports, agency_officer, client_for):
    client = client_for(agency_officer)
    client.get("/dashboards/", {"year": 2025})

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboards/", {"year": 2025}).status_code == 200
        return len(queries)

    one = count()
    for n in range(3):
        form = make_form(units=[unit("SCT-42"), unit("SCT-40")], from_year=2025, code=f"BC-DB-{n}", period="year")
        make_report(form, unit("SCT-42"), start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert count() == one
    assert len(_reports(client)["forms"]) == 4
