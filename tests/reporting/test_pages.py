"""The report pages: the list, the report with its HTMX save, submit, approve and return, the
Excel form down and up (dry run with row errors, then saved), the completeness matrix and its
export, the home card and the reminders."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from khuyencong.notifications.services import reminder_providers
from khuyencong.reporting.models import Report, ReportState, ReportValue
from tests.reporting.factories import make_form, make_report, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(territory):
    return make_report(make_form(code="BC-QUY"), unit("SCT-42"))


def post_values(client, report, **values):
    data = {"version": report.version}
    for code in ("SL01", "KP01", "TL01", "GC01"):
        data[f"value-{code}"] = values.get(code, "")
        data[f"reason-{code}"] = values.get(f"{code}_reason", "")
    return client.post(reverse("reporting:report_save", args=[report.pk]), data, HTTP_HX_REQUEST="true")


def test_htmx_save_shows_errors_in_place_and_writes_nothing(report, client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    response = post_values(client, report, SL01="3", KP01="1.000.000", TL01="150")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="report-values"' in html and "<html" not in html
    assert "is-invalid" in html and 'value="150"' in html
    report.refresh_from_db()
    assert report.state == ReportState.EXPECTED
    response = post_values(client, report, SL01="3", KP01="1.000.000", TL01="80")
    assert 'id="save-message"' in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_submit_then_the_agency_returns_with_a_comment(report, client_for, hatinh_officer, agency_officer):
    client = client_for(hatinh_officer)
    post_values(client, report, SL01="3", KP01="1.000.000", TL01="80")
    report.refresh_from_db()
    response = client.post(reverse("reporting:report_step", args=[report.pk, "submit"]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    agency = client_for(agency_officer)
    page = agency.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert 'id="step-return"' in page and 'id="step-approve"' in page
    agency.post(reverse("reporting:report_step", args=[report.pk, "return"]), {"comment": ""})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED  # no comment: refused
    agency.post(reverse("reporting:report_step", args=[report.pk, "return"]), {"comment": "Bổ sung số liệu"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Bổ sung số liệu" in page


def test_the_officer_may_not_approve_and_an_outsider_sees_nothing(report, client_for, hatinh_officer, outsider):
    response = client_for(hatinh_officer).post(reverse("reporting:report_step", args=[report.pk, "approve"]))
    assert response.status_code == 403
    assert client_for(outsider).get(reverse("reporting:report_detail", args=[report.pk])).status_code == 403


def test_excel_form_round_trip_with_row_errors(report, client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    download = client.get(reverse("reporting:report_download", args=[report.pk]))
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = book.active
    assert sheet.cell(2, 1).value == "Mã chỉ tiêu"
    rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
    sheet.cell(rows["SL01"], 5).value = "3"
    sheet.cell(rows["KP01"], 5).value = "2.080.000.000"
    sheet.cell(rows["TL01"], 5).value = "140"  # out of range
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bao-cao.xlsx"
    response = client.post(reverse("reporting:report_upload", args=[report.pk]), {"file": upload})
    html = response.content.decode()
    assert 'id="import-errors"' in html and "100" in html and 'id="import-commit"' not in html
    assert not ReportValue.objects.filter(report=report, reported_value__isnull=False).exists()
    sheet.cell(rows["TL01"], 5).value = "75,5"
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bao-cao.xlsx"
    response = client.post(reverse("reporting:report_upload", args=[report.pk]), {"file": upload})
    assert 'id="import-commit"' in response.content.decode()
    token = response.context["token"]
    response = client.post(reverse("reporting:report_upload", args=[report.pk]), {"token": token})
    assert response.status_code == 302
    saved = {v.indicator.code: v.reported_value for v in ReportValue.objects.filter(report=report)}
    assert saved["KP01"] == 2_080_000_000 and str(saved["TL01"]) == "75.50"


def test_completeness_page_and_export(report, client_for, agency_officer, hatinh_officer):
    page = client_for(agency_officer).get(reverse("reporting:completeness"), {"form": "BC-QUY", "year": 2025})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="completeness-matrix"' in html and 'id="materialise"' in html
    export = client_for(agency_officer).get(reverse("reporting:completeness_export"), {"form": "BC-QUY", "year": 2025})
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    assert "Sở Công Thương tỉnh Hà Tĩnh" in text and "Sở Công Thương tỉnh Nghệ An" in text
    mine = client_for(hatinh_officer).get(reverse("reporting:completeness"), {"form": "BC-QUY", "year": 2025})
    assert "Nghệ An</div>" not in mine.content.decode() and 'id="materialise"' not in mine.content.decode()


def test_laying_out_from_the_page(territory, client_for, agency_officer):
    form = make_form(code="BC-MOI", units=[unit("SCT-42")])
    response = client_for(agency_officer).post(reverse("reporting:materialise"), {"form": form.code, "year": 2025})
    assert response.status_code == 302 and Report.objects.filter(form=form).count() == 4


def test_home_card_lists_missing_and_returned_then_empty(territory, client_for, hatinh_officer, agency_officer):
    form = make_form(code="BC-QUY", units=[unit("SCT-42")], from_year=2025, to_year=2025)
    quarters = [(dt.date(2025, m, 1), dt.date(2025, m + 2, 30 if m in (4, 7) else 31)) for m in (1, 4, 7, 10)]
    report = make_report(form, unit("SCT-42"))
    for start, end in quarters[1:]:
        make_report(form, unit("SCT-42"), start=start, end=end, state=ReportState.APPROVED,
                    submitted_on=end + dt.timedelta(days=3))  # fmt: skip
    html = client_for(hatinh_officer).get(reverse("home")).content.decode()
    assert 'id="home-reports"' in html and "BC-QUY" in html  # Q1/2025 is missing
    Report.objects.filter(pk=report.pk).update(state=ReportState.APPROVED, submitted_on=dt.date(2025, 4, 2))
    html = client_for(hatinh_officer).get(reverse("home")).content.decode()
    assert 'id="home-reports-empty"' in html


def test_reminders_go_to_the_units_senders(report, hatinh_officer, nghean_officer):
    reminders = list(reminder_providers()["reporting.reports"](dt.date(2025, 4, 20)))
    assert len(reminders) == 1 and reminders[0].kind == "deadline_overdue"
    assert [u.username for u in reminders[0].recipients] == [hatinh_officer.username]
    assert list(reminder_providers()["reporting.reports"](dt.date(2025, 3, 20))) == []  # period not over
