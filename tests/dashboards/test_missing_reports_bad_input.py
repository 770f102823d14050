"""A map or dashboard for a year with legacy provinces, through the page and the API (issue 12,
bad input): 2019 is drawn by the 63 provinces of the time with the missing reports card saying no
report was expected; a bad generation or a year out of range is a clear Vietnamese message, and
nothing is written."""

from __future__ import annotations

import pytest

from khuyencong.projects.models import Project
from khuyencong.reporting.models import Report
from khuyencong.territory.models import Province
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_project(territory):
    return make_project("42", year=2019, state="settled", legacy_province=Province.objects.legacy().get(code="42"),
                        name="Đề án năm 2019 của Hà Tĩnh")  # fmt: skip


def test_2019_is_shown_by_the_63_provinces_with_the_reports_card(old_project, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get("/dashboards/", {"year": 2019})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Theo 63 tỉnh, thành phố trước 1/7/2025." in html and "vn-63.json" in html
    assert 'id="kpi-reports-none"' in html and "năm 2019" in html
    body = client.get("/api/v1/dashboard", {"year": 2019}).json()
    assert body["provinces_generation"] == "legacy"
    assert body["extensions"]["reports"]["expected"] == 0


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year": "2019", "provinces": "cu"}, "provinces", "Chọn tỉnh theo “current” (34 tỉnh, từ 1/7/2025)"),
        ({"year": "1850"}, "year", "Năm phải trong khoảng 2000 đến 2100."),
        ({"year": "năm 2019"}, "year", "Nhập năm bằng bốn chữ số, ví dụ 2026."),
    ],
)
def test_bad_generation_or_year_is_a_clear_message(old_project, agency_officer, client_for, params, field, message):
    client = client_for(agency_officer)
    before = (Project.objects.count(), Report.objects.count())
    page = client.get("/dashboards/", params)
    assert page.status_code == 400 and message in page.content.decode()
    response = client.get("/api/v1/dashboard", params)
    assert response.status_code == 422
    detail = response.json()["details"][0]
    assert detail["field"] == field and message in detail["message"]
    assert (Project.objects.count(), Report.objects.count()) == before
