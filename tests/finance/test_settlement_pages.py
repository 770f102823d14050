"""The acceptance and settlement pages: the project page's section (a form per line through
HTMX, pass/fail badges, the settlement panel's buttons), the list with its filters, overdue
liquidations and export, the Word dossier whose totals are the ledger's, and the home page card."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from docx import Document

from khuyencong.finance.models import EntryKind, LedgerEntry, Settlement, SettlementState
from khuyencong.finance.settlement import approve_settlement, submit_settlement_dossier
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level
from tests.finance.settlement_factories import accept_all, running_project

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def project_page(client, project):
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_line_is_accepted_through_its_own_form(implementer, client_for):
    project = running_project()
    pages = client_for(implementer)
    html = project_page(pages, project)
    assert 'id="project-settlement"' in html
    assert "Not accepted yet" in html or "Chưa nghiệm thu" in html
    line = project.beneficiaries.order_by("position").first()
    url = reverse("settlements:accept_line", args=[line.pk])
    form = pages.get(url, **HX)
    assert form.status_code == 200 and 'id="settlement-form"' in form.content.decode()
    bad = pages.post(url, {"passed": "1", "accepted_on": "01/03/2026", "record_number": "BB-1",
                           "achieved_outputs": "Đạt"}, **HX)  # fmt: skip
    assert bad.status_code == 200 and "10/03/2026" in bad.content.decode()
    assert not line.acceptance_records.exists()
    done = pages.post(url, {"passed": "0", "accepted_on": "20/10/2026", "record_number": "BB-1",
                            "achieved_outputs": "Chưa đạt"}, **HX)  # fmt: skip
    assert done.status_code == 204 and done["HX-Redirect"].startswith(reverse("projects:detail", args=[project.pk]))
    html = project_page(pages, project)
    assert "kc-fail" in html and "Chưa đạt" in html


def test_the_panel_sends_and_approves_the_settlement(implementer, agency_officer, client_for):
    project = accept_all(implementer, running_project(paid=175_000_000))
    pages = client_for(implementer)
    html = project_page(pages, project)
    assert 'id="settlement-submit"' in html and "kc-pass" in html
    response = pages.post(reverse("settlements:submit", args=[project.pk]),
                          {"submitted_on": "25/10/2026", "proposed_amount": "175.000.000"})  # fmt: skip
    assert response.status_code == 302
    settlement = Settlement.objects.get(project=project)
    officer = client_for(agency_officer)
    html = project_page(officer, project)
    assert 'id="settlement-approve"' in html and 'id="settlement-return"' in html
    url = reverse("settlements:step", args=[settlement.pk, "approve"])
    over = officer.post(url, {"settled_amount": "200.000.000", "decision_number": "1/QĐ",
                              "decision_date": "05/11/2026", "version": settlement.version})  # fmt: skip
    assert over.status_code == 200 and "175.000.000 đ" in over.content.decode()
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.SUBMITTED
    done = officer.post(url, {"settled_amount": "170.000.000", "decision_number": "1/QĐ",
                              "decision_date": "05/11/2026", "version": settlement.version})  # fmt: skip
    assert done.status_code == 302
    html = project_page(officer, project)
    assert "5.000.000 đ" in html and 'id="settlement-recover"' in html
    # the implementer cannot approve
    assert client_for(implementer).get(url).status_code == 403


def test_the_word_dossier_reads_back_with_the_ledgers_totals(implementer, agency_officer, client_for):
    project = accept_all(implementer, running_project(paid=175_000_000))
    settlement = submit_settlement_dossier(user=implementer, project=project, submitted_on=dt.date(2026, 10, 25))
    approve_settlement(user=agency_officer, settlement=settlement, settled_amount=160_000_000,
                       decision_number="9/QĐ-QT", decision_date=dt.date(2026, 11, 5))  # fmt: skip
    response = client_for(implementer).get(reverse("settlements:dossier", args=[project.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    header = "\n".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header and "Độc lập - Tự do - Hạnh phúc" in header
    assert "ngày 25 tháng 10 năm 2026" in header
    assert "BÁO CÁO QUYẾT TOÁN KINH PHÍ KHUYẾN CÔNG" in text
    table = document.tables[1]
    totals = [cell.text for cell in table.rows[-1].cells]
    assert totals[1] == "Tổng cộng"
    ledger = {kind: sum(e.amount for e in LedgerEntry.objects.filter(project=project, kind=kind, status="paid"))
              for kind in (EntryKind.ADVANCE, EntryKind.PAYMENT, EntryKind.SETTLEMENT)}  # fmt: skip
    assert totals[4] == f"{ledger[EntryKind.ADVANCE]:,}".replace(",", ".") == "175.000.000"
    assert totals[5] == "0"
    assert totals[8] == f"{ledger[EntryKind.SETTLEMENT]:,}".replace(",", ".") == "160.000.000"
    body = [[cell.text for cell in row.cells] for row in table.rows[1:-1]]
    assert sum(int(row[8].replace(".", "") or 0) for row in body) == 160_000_000
    assert "Đạt" in body[0][7]


def test_the_list_filters_exports_and_shows_overdue_liquidations(implementer, agency_officer, client_for):
    project = accept_all(implementer, running_project())
    submit_settlement_dossier(user=implementer, project=project, submitted_on=dt.date(2026, 10, 25))
    late = running_project(year=2025, paid=0, name="Đề án năm 2025 chưa thanh lý")
    Project.objects.filter(pk=late.pk).update(state=ProjectState.ACCEPTED)
    pages = client_for(agency_officer)
    html = pages.get(reverse("settlements:settlement_list")).content.decode()
    assert project.code in html and 'id="overdue-liquidations"' in html and late.code in html
    assert project.code not in pages.get(reverse("settlements:settlement_list"), {"state": "approved"}).content.decode()
    assert project.code in pages.get(reverse("settlements:settlement_list"), {"todo": "approve"}).content.decode()
    export = pages.get(reverse("settlements:settlement_export"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert project.code in cells


def test_the_home_page_lists_what_to_check(implementer, client_for, django_user_model):
    finance = django_user_model.objects.create_user(username="stc", password="x", full_name="Sở Tài chính")
    assign_role(user=finance, role=Role.PROVINCIAL_FINANCE, org_unit=OrgUnit.objects.get(code="STC-42"))
    html = client_for(finance).get(reverse("home")).content.decode()
    assert 'id="home-settlements-empty"' in html
    project = accept_all(implementer, running_project(level=Level.LOCAL))
    submit_settlement_dossier(user=implementer, project=project, submitted_on=dt.date(2026, 10, 25))
    html = client_for(finance).get(reverse("home")).content.decode()
    assert project.code in html and "home-settlements-empty" not in html


def test_the_api_refuses_bad_settlements_with_a_reason(implementer, agency_officer, client):
    from khuyencong.accounts.tokens import issue_token

    project = running_project()
    Project.objects.filter(pk=project.pk).update(state=ProjectState.ACCEPTED)
    _token, secret = issue_token(user=implementer, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    response = client.post("/api/v1/settlements", {"project_id": project.pk}, "application/json")
    assert response.status_code == 409 and response.json()["code"] == "no_acceptance"
    assert not Settlement.objects.exists()
    other = accept_all(implementer, running_project())
    created = client.post("/api/v1/settlements", {"project_id": other.pk, "submitted_on": "2026-10-25"},
                          "application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["proposed_amount"] == 175_000_000
    _token, secret = issue_token(user=agency_officer, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    pk = created.json()["id"]
    assert client.get(f"/api/v1/settlements/{pk}").json()["actions"] == ["approve", "return"]
    body = {"settled_amount": 175_000_001, "decision_number": "QT", "decision_date": "2026-11-05"}
    over = client.post(f"/api/v1/settlements/{pk}/actions/approve", body, "application/json")
    assert over.status_code == 422 and over.json()["code"] == "over_disbursed"
    assert client.post(f"/api/v1/settlements/{pk}/actions/return", {}, "application/json").json()["code"] == (
        "comment_required"
    )
    assert Settlement.objects.get(pk=pk).state == SettlementState.SUBMITTED
