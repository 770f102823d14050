"""Bad input on reports (issue 12), through the page and the API: a clear Vietnamese message and
nothing written — a report sent or changed after its lock, a figure outside its range, a unit
reporting for a period before it existed (a Department opened on 1/7/2025 by the merger, for the
first quarter of 2025), and a year out of range on the completeness matrix and the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.reporting.models import Report, ReportState, ReportTransition, ReportValue, UnitTerm
from tests.reporting.factories import GOOD, make_form, make_report, unit

pytestmark = pytest.mark.django_db
LOCKED = "Báo cáo đã được phê duyệt và bị khóa."


def snapshot(report):
    report = Report.objects.get(pk=report.pk)
    values = list(ReportValue.objects.filter(report=report).order_by("pk").values_list(
        "reported_value", "text_value", "correction_reason"))  # fmt: skip
    return (report.state, report.version, report.submitted_on, values,
            ReportTransition.objects.filter(report=report).count())  # fmt: skip


def api(client, user):
    _token, secret = issue_token(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def form_data(report, **values):
    data = {"version": report.version}
    for code in ("SL01", "KP01", "TL01", "GC01"):
        data[f"value-{code}"] = values.get(code, GOOD[code]["value"])
        data[f"reason-{code}"] = ""
    return data


@pytest.fixture
def approved(territory):
    return make_report(make_form(code="BC-KHOA"), unit("SCT-42"), state=ReportState.APPROVED,
                       submitted_on=dt.date(2025, 4, 10))  # fmt: skip


def test_a_locked_report_cannot_be_saved_or_submitted_on_the_page(approved, client_for, hatinh_officer):
    before = snapshot(approved)
    client = client_for(hatinh_officer)
    save = client.post(reverse("reporting:report_save", args=[approved.pk]), form_data(approved),
                       HTTP_HX_REQUEST="true")  # fmt: skip
    html = save.content.decode()
    assert LOCKED in html and "alert-danger" in html
    full = client.post(reverse("reporting:report_save", args=[approved.pk]), {**form_data(approved), "then": "submit"})
    assert full.status_code == 200 and LOCKED in full.content.decode()
    step = client.post(reverse("reporting:report_step", args=[approved.pk, "submit"]), {}, follow=True)
    assert LOCKED in step.content.decode()
    assert snapshot(approved) == before


def test_a_locked_report_cannot_be_changed_or_submitted_through_the_api(approved, client, hatinh_officer):
    before = snapshot(approved)
    c = api(client, hatinh_officer)
    for response in (
        c.put(f"/api/v1/reports/{approved.pk}/values", {"values": GOOD}, "application/json"),
        c.post(f"/api/v1/reports/{approved.pk}/actions/submit", {}, "application/json"),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "locked" and response.json()["message"] == LOCKED
    assert snapshot(approved) == before


@pytest.fixture
def open_report(territory):
    return make_report(make_form(code="BC-KHOANG"), unit("SCT-42"))


def test_figures_out_of_range_on_the_page(open_report, client_for, hatinh_officer):
    before = snapshot(open_report)
    response = client_for(hatinh_officer).post(
        reverse("reporting:report_save", args=[open_report.pk]),
        form_data(open_report, TL01="120", KP01="-5"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Một số số liệu không hợp lệ." in html
    assert "Số liệu không được lớn hơn 100." in html and "Số liệu không được nhỏ hơn 0." in html
    assert 'id="row-TL01" class="table-danger"' in html and 'value="120"' in html  # kept for correction
    assert snapshot(open_report) == before


def test_figures_out_of_range_through_the_api(open_report, client, hatinh_officer):
    before = snapshot(open_report)
    body = {"values": {**GOOD, "TL01": {"value": "100,5"}}}
    response = api(client, hatinh_officer).put(f"/api/v1/reports/{open_report.pk}/values", body, "application/json")
    assert response.status_code == 422
    details = {d["field"]: d["message"] for d in response.json()["details"]}
    assert details == {"values.TL01": "Số liệu không được lớn hơn 100."}
    assert snapshot(open_report) == before


@pytest.fixture
def merged(territory, django_user_model):
    """The Department of a province formed by the merger on 1/7/2025, its officer, and a report
    of the first quarter of 2025 (laid out by hand: the matrix never expects it)."""
    department = OrgUnit.objects.get(code="SCT-42")
    UnitTerm.objects.create(org_unit=department, opened_on=dt.date(2025, 7, 1), note="Thành lập khi hợp nhất tỉnh")
    officer = django_user_model.objects.create_user(username="so-moi", password="Mat-khau-thu-2026!")
    assign_role(user=officer, role=Role.PROVINCIAL_OFFICER, org_unit=department)
    return officer, make_report(make_form(code="BC-MOI"), unit("SCT-42"))


def test_a_unit_opened_on_1_7_2025_cannot_report_for_the_first_quarter_on_the_page(merged, client_for):
    officer, report = merged
    before = snapshot(report)
    client = client_for(officer)
    response = client.post(reverse("reporting:report_save", args=[report.pk]), {**form_data(report), "then": "submit"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    assert "Đơn vị chưa tồn tại trong kỳ này (thành lập ngày 01/07/2025)." in html
    assert snapshot(report) == before


def test_a_unit_opened_on_1_7_2025_cannot_report_for_the_first_quarter_through_the_api(merged, client):
    officer, report = merged
    before = snapshot(report)
    c = api(client, officer)
    for response in (
        c.put(f"/api/v1/reports/{report.pk}/values", {"values": GOOD}, "application/json"),
        c.post(f"/api/v1/reports/{report.pk}/actions/submit", {}, "application/json"),
    ):
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "before_unit_opened"
        assert body["message"] == "Đơn vị chưa tồn tại trong kỳ này (thành lập ngày 01/07/2025)."
    assert snapshot(report) == before


def test_the_merged_unit_is_expected_from_the_third_quarter_on(merged, agency_officer):
    from khuyencong.reporting import actions

    Report.objects.all().delete()
    form = make_form(code="BC-HOPNHAT", units=[unit("SCT-42")], from_year=2025, to_year=2025)
    actions.materialise_reports(user=agency_officer, form=form, year=2025)
    assert sorted(Report.objects.filter(form=form).values_list("period_start", flat=True)) == [
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
    ]


def test_a_year_out_of_range_on_the_matrix_and_the_list(open_report, client_for, client, agency_officer):
    page = client_for(agency_officer).get(reverse("reporting:completeness"), {"form": "BC-KHOANG", "year": "1850"})
    html = page.content.decode()
    assert page.status_code == 200 and "completeness-matrix" not in html
    assert "2000" in html and "invalid-feedback" in html
    response = api(client, agency_officer).get("/api/v1/reports", {"year": "1850"})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "year"
