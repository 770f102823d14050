"""The money pages as people use them: the allocation list with its filters, totals and export; the
"Allocate" form (amounts typed as people write them, refusals at the field); the ledger, its totals
equal to its export's; the queue of payments to approve; the project page's money section and its
request form; the home page card; the menu."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from khuyencong.finance import accounts, actions
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.models import OrgUnit
from tests.finance.factories import allocate_directly, contracted_project, plan_of

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)


def workbook_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


def request(user, project, amount, kind=EntryKind.PAYMENT, **extra):
    return actions.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=ON, **extra)


# --- allocations ---------------------------------------------------------------------------------


def test_the_allocation_list_filters_totals_and_exports_what_it_shows(client_for, agency_officer, territory):
    plan = plan_of(2026)
    ha_tinh = OrgUnit.objects.get(code="TTKC-42")
    nghe_an = OrgUnit.objects.get(code="TTKC-40")
    allocate_directly(plan, ha_tinh, 300_000_000)
    allocate_directly(plan, nghe_an, 200_000_000)
    page = client_for(agency_officer)
    response = page.get(reverse("finance:allocation_list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "500.000.000 đ" in text and "2 dòng" in text  # totals of both rows
    narrowed = page.get(reverse("finance:allocation_list"), {"unit": "TTKC-42"}).content.decode()
    assert "300.000.000 đ" in narrowed and "1 dòng" in narrowed
    header, rows = workbook_rows(page.get(reverse("finance:allocation_export"), {"unit": "TTKC-42"}))
    assert "Số tiền (đồng)" in header and len(rows) == 1
    assert rows[0][header.index("Số tiền (đồng)")] == 300_000_000


def test_allocating_with_an_amount_typed_in_words(client_for, agency_officer, territory):
    plan = plan_of(2026)
    unit = OrgUnit.objects.get(code="TTKC-42")
    page = client_for(agency_officer)
    assert page.get(reverse("finance:allocation_add")).status_code == 200
    response = page.post(reverse("finance:allocation_add"), {
        "plan": plan.pk, "unit": unit.pk, "amount": "150 triệu", "decision_number": "15/QĐ-BCT",
        "decision_date": "20/01/2026", "idempotency_key": "form-1",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    allocation = Allocation.objects.get()
    assert (allocation.amount, allocation.unit, allocation.decision_date) == (150_000_000, unit, dt.date(2026, 1, 20))
    # the same form sent twice (a double click) is one allocation
    page.post(reverse("finance:allocation_add"), {
        "plan": plan.pk, "unit": unit.pk, "amount": "150 triệu", "decision_number": "15/QĐ-BCT",
        "decision_date": "20/01/2026", "idempotency_key": "form-1",
    })  # fmt: skip
    assert Allocation.objects.count() == 1


def test_an_allocation_beyond_the_plan_is_refused_at_the_amount(client_for, agency_officer, territory):
    plan = plan_of(2026)  # 1 tỷ
    unit = OrgUnit.objects.get(code="TTKC-42")
    response = client_for(agency_officer).post(reverse("finance:allocation_add"), {
        "plan": plan.pk, "unit": unit.pk, "amount": "2,08 tỷ", "decision_number": "16/QĐ-BCT",
        "decision_date": "20/01/2026",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert "amount" in form.errors and "1.000.000.000 đ" in form.errors["amount"][0]
    assert not Allocation.objects.exists()


def test_a_reduction_needs_a_reason_and_bad_input_writes_nothing(client_for, agency_officer, territory):
    plan = plan_of(2026)
    unit = OrgUnit.objects.get(code="TTKC-42")
    page = client_for(agency_officer)
    response = page.post(reverse("finance:allocation_add"), {
        "plan": plan.pk, "unit": unit.pk, "amount": "-50.000.000", "decision_number": "17/QĐ-BCT",
        "decision_date": "20/01/2026",
    })  # fmt: skip
    assert "reason" in response.context["form"].errors
    response = page.post(reverse("finance:allocation_add"), {
        "plan": plan.pk, "unit": unit.pk, "amount": "abc", "decision_number": "17/QĐ-BCT",
        "decision_date": "31/02/2026",
    })  # fmt: skip
    errors = response.context["form"].errors
    assert "amount" in errors and "decision_date" in errors
    assert not Allocation.objects.exists()


def test_who_may_not_allocate_sees_no_form(client_for, implementer, territory):
    page = client_for(implementer)
    assert page.get(reverse("finance:allocation_add")).status_code == 403
    assert "add-link" not in page.get(reverse("finance:allocation_list")).content.decode()


# --- the ledger ----------------------------------------------------------------------------------


def test_the_ledger_totals_equal_its_export(client_for, implementer, agency_officer, territory):
    project = contracted_project()
    first = request(implementer, project, 100_000_000)
    request(implementer, project, 50_000_000, kind=EntryKind.ADVANCE)
    actions.approve_payment(user=agency_officer, entry=first)
    page = client_for(agency_officer)
    for params in ({}, {"status": "paid"}, {"kind": "advance"}, {"date_from": "21/03/2026"}):
        response = page.get(reverse("finance:ledger_list"), params)
        assert response.status_code == 200
        totals = response.context["totals"]
        header, rows = workbook_rows(page.get(reverse("finance:ledger_export"), params))
        amounts = [row[header.index("Số tiền (đồng)")] for row in rows]
        assert totals["amount"] == sum(amounts) and totals["count"] == len(rows), params
    assert page.get(reverse("finance:ledger_list"), {"status": "paid"}).context["totals"]["amount"] == 100_000_000


def test_a_bad_date_range_is_said_next_to_the_field(client_for, agency_officer, territory):
    response = client_for(agency_officer).get(
        reverse("finance:ledger_list"), {"date_from": "31/03/2026", "date_to": "01/03/2026"}
    )
    assert response.status_code == 200
    assert "date_to" in response.context["filter_form"].errors


def test_the_queue_approves_and_rejects_with_a_reason(client_for, implementer, agency_officer, territory):
    project = contracted_project()
    paid = request(implementer, project, 100_000_000)
    refused = request(implementer, project, 20_000_000)
    page = client_for(agency_officer)
    queue = page.get(reverse("finance:ledger_queue"))
    assert queue.status_code == 200 and len(queue.context["rows"]) == 2
    # a rejection without a reason is refused and changes nothing
    page.post(reverse("finance:ledger_decide", args=[refused.pk, "reject"]), {"comment": " "})
    refused.refresh_from_db()
    assert refused.status == EntryStatus.REQUESTED
    back = page.post(
        reverse("finance:ledger_decide", args=[paid.pk, "approve"]), {"next": reverse("finance:ledger_queue")}
    )
    assert back.status_code == 302 and back["Location"] == reverse("finance:ledger_queue")
    page.post(reverse("finance:ledger_decide", args=[refused.pk, "reject"]), {"comment": "Thiếu hóa đơn"})
    paid.refresh_from_db()
    refused.refresh_from_db()
    assert (paid.status, refused.status) == (EntryStatus.PAID, EntryStatus.REJECTED)
    assert refused.transitions.get().comment == "Thiếu hóa đơn"
    assert "queue-empty" in page.get(reverse("finance:ledger_queue")).content.decode()
    assert accounts.reconcile() == []


def test_an_implementer_may_not_approve_nor_open_the_queue(client_for, implementer, territory):
    project = contracted_project()
    entry = request(implementer, project, 100_000_000)
    page = client_for(implementer)
    assert page.get(reverse("finance:ledger_queue")).status_code == 403
    assert page.post(reverse("finance:ledger_decide", args=[entry.pk, "approve"])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REQUESTED


def test_an_entry_out_of_reach_is_not_found(client_for, nghean_officer, implementer, territory):
    entry = request(implementer, contracted_project(), 100_000_000)
    page = client_for(nghean_officer)
    assert page.get(reverse("finance:ledger_detail", args=[entry.pk])).status_code == 404
    assert page.post(reverse("finance:ledger_decide", args=[entry.pk, "approve"])).status_code == 404


# --- the project page ----------------------------------------------------------------------------


def test_the_project_page_shows_the_money_and_takes_a_request(client_for, implementer, agency_officer, territory):
    project = contracted_project()
    page = client_for(implementer)
    detail = page.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="project-money"' in detail and "250.000.000 đ" in detail  # contracted support
    assert "175.000.000 đ" in detail  # 70% advance allowed by the rule in force
    assert 'id="request-payment-form"' in detail
    line = project.beneficiaries.order_by("position").first()
    response = page.post(
        reverse("finance:request_payment", args=[project.pk]),
        {"kind": "advance", "amount": "100 triệu", "entry_date": "20/03/2026", "beneficiary": line.pk,
         "document_number": "GĐN-01", "idempotency_key": "abc"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.beneficiary, entry.status) == ("advance", 100_000_000, line, "requested")
    assert "Chờ duyệt" in response.content.decode()
    # the approver sees the buttons on the project page; the implementer does not
    assert 'data-action="approve"' not in response.content.decode()
    approver = client_for(agency_officer).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-action="approve"' in approver


def test_a_request_over_the_advance_rule_is_refused_at_the_amount(client_for, implementer, territory):
    project = contracted_project()
    response = client_for(implementer).post(
        reverse("finance:request_payment", args=[project.pk]),
        {"kind": "advance", "amount": "200.000.000", "entry_date": "20/03/2026"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "175.000.000 đ" in response.content.decode()  # the cap the rule allows, in the message
    assert not LedgerEntry.objects.exists()


def test_home_page_cards(client_for, implementer, agency_officer, territory):
    project = contracted_project()
    assert 'id="home-money-empty"' in client_for(agency_officer).get("/").content.decode()
    entry = request(implementer, project, 100_000_000)
    home = client_for(agency_officer).get("/").content.decode()
    assert 'id="home-money"' in home and "100.000.000 đ" in home and project.code in home
    mine = client_for(implementer).get("/").content.decode()
    assert 'data-mine="waiting"' in mine
    actions.reject_payment(user=agency_officer, entry=entry, comment="Sai số")
    assert 'data-mine="rejected"' in client_for(implementer).get("/").content.decode()


def test_the_menu_shows_the_queue_to_approvers_only(client_for, implementer, agency_officer, territory):
    queue = reverse("finance:ledger_queue")
    assert queue in client_for(agency_officer).get("/").content.decode()
    text = client_for(implementer).get("/").content.decode()
    assert queue not in text and reverse("finance:ledger_list") in text
