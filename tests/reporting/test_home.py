"""Each role's home page shows its reports due, missing (laid out or never laid out) and returned,
the reports awaiting its review, what the units it reviews have not sent, and the open inspection
follow-ups it may report on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from khuyencong.reporting import services
from khuyencong.reporting.models import ReportState
from khuyencong.reporting.selectors import worklist
from tests.inspections.factories import make_finding, make_follow_up, make_mission, make_visit
from tests.reporting.factories import make_form, make_report, unit

pytestmark = pytest.mark.django_db


def _home(client_for, user) -> str:
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_departments_missing_reports_count_those_never_laid_out(territory, hatinh_officer, client_for):
    """Expected, past due, never sent — even when nobody laid the reports out."""
    today = timezone.localdate()
    form = make_form(code="BC-NHA", units=[unit("SCT-42")], from_year=today.year - 1)
    expected = [e for y in (today.year - 1, today.year) for e in services.expected_reports(form, y) if e.due_on < today]
    data = worklist(hatinh_officer)
    assert data["missing_count"] == len(expected) > 0
    html = _home(client_for, hatinh_officer)
    assert 'data-not-laid-out="BC-NHA"' in html
    assert f"{len(expected)} báo cáo chưa gửi" in html or str(len(expected)) in html
    # Sending one takes it off.
    first = expected[0]
    make_report(form, unit("SCT-42"), start=first.period.start, end=first.period.end, state=ReportState.SUBMITTED,
                submitted_on=first.due_on)  # fmt: skip
    assert worklist(hatinh_officer)["missing_count"] == len(expected) - 1


def test_another_units_reports_are_not_the_departments(territory, hatinh_officer):
    today = timezone.localdate()
    make_form(code="BC-NA", units=[unit("SCT-40")], from_year=today.year - 1)
    assert worklist(hatinh_officer)["missing_count"] == 0


def test_a_returned_report_goes_back_to_its_sender(territory, hatinh_officer, client_for):
    form = make_form(code="BC-TRA", units=[unit("SCT-42")], from_year=2025, to_year=2025)
    returned = make_report(form, unit("SCT-42"), state=ReportState.RETURNED, submitted_on=dt.date(2025, 4, 10))
    returned.return_comment = "Số liệu giải ngân chưa khớp"
    returned.returned_on = dt.date(2025, 4, 15)
    returned.save()
    html = _home(client_for, hatinh_officer)
    assert "Số liệu giải ngân chưa khớp" in html and "bg-orange-lt" in html


def test_the_department_sees_what_the_units_it_reviews_have_not_sent(territory, hatinh_officer, client_for):
    """A local form sent by the provincial centre to the Department: missing there is the
    Department's to chase, with a link to the list of missing reports."""
    form = make_form(code="BC-DP", units=[unit("TTKC-42")], from_year=2025, to_year=2025, level="local")
    make_report(form, unit("TTKC-42"))  # Q1/2025, due long ago, not sent
    data = worklist(hatinh_officer)
    assert data["missing_below"] == 1
    html = _home(client_for, hatinh_officer)
    assert 'id="home-reports-missing-below"' in html and "?status=missing" in html


def test_the_implementer_sees_its_own_missing_report_and_its_open_follow_ups(territory, implementer, client_for):
    form = make_form(code="BC-TT", units=[unit("TTKC-42")], from_year=2025, to_year=2025, level="local")
    make_report(form, unit("TTKC-42"))
    mission = make_mission("42")
    finding = make_finding(mission, make_visit(mission))
    up = make_follow_up(finding, due=timezone.localdate() - dt.timedelta(days=3), action="Bổ sung hồ sơ quá hạn")
    html = _home(client_for, implementer)
    assert 'id="home-reports"' in html and "BC-TT" in html
    assert 'id="home-follow-ups"' in html and up.action in html


def test_the_agency_sees_reports_to_review_and_the_missing_ones_below(territory, agency_officer, client_for):
    form = make_form(code="BC-QG", units=[unit("SCT-42"), unit("SCT-40")], from_year=2025, to_year=2025)
    make_report(form, unit("SCT-42"), state=ReportState.SUBMITTED, submitted_on=dt.date(2025, 4, 10))
    make_report(form, unit("SCT-40"))
    data = worklist(agency_officer)
    assert len(data["review"]) == 1 and data["missing_below"] == 1
    html = _home(client_for, agency_officer)
    assert "BC-QG" in html and 'id="home-reports-missing-below"' in html


def test_a_provincial_officer_sees_the_provinces_open_follow_ups(territory, hatinh_officer, client_for):
    mission = make_mission("42")
    finding = make_finding(mission, make_visit(mission))
    up = make_follow_up(finding, unit="SCT-42", due=timezone.localdate() + dt.timedelta(days=5))
    html = _home(client_for, hatinh_officer)
    assert 'id="home-follow-ups"' in html and up.action in html
