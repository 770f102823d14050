"""Money imports on the tabular engine: a dry run says per row what would be written and why not
(every refusal of the actions is a row error with its row number); the commit writes through the
actions; importing the same file again writes nothing new; the lists' exports import back
unchanged."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from khuyencong import tabular
from khuyencong.finance import accounts, actions, imports
from khuyencong.finance.models import Allocation, EntryKind, LedgerEntry
from khuyencong.organisation.models import OrgUnit
from tests.finance.factories import allocate_directly, contracted_project, plan_of

pytestmark = pytest.mark.django_db
LEDGER_HEADER = ["Mã đề án", "Loại", "Số tiền (đồng)", "Ngày", "Người hưởng", "Số chứng từ", "Mã yêu cầu"]
ALLOCATION_HEADER = ["Năm", "Cấp", "Mã đơn vị", "Tên đơn vị", "Số tiền (đồng)", "Số quyết định", "Ngày quyết định",
                     "Lý do"]  # fmt: skip


def workbook(header, rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def run(data, user, name, *, write):
    source = io.BytesIO(data.getvalue() if hasattr(data, "getvalue") else data)
    importer = tabular.get_importer(name)
    return (tabular.commit if write else tabular.dry_run)(source, user, importer)


def test_a_ledger_file_is_checked_then_written_once(implementer, territory):
    project = contracted_project()
    line = project.beneficiaries.order_by("position").first()
    rows = [
        [project.code, "Tạm ứng", "100 triệu", "20/03/2026", None, "GĐN-01", None],
        [project.code, "Thanh toán", 50_000_000, "21/03/2026", line.establishment.name, "GĐN-02", None],
    ]
    data = workbook(LEDGER_HEADER, rows)
    checked = run(data, implementer, imports.LEDGER, write=False)
    assert checked.ok and checked.counts["new"] == 2, checked.to_dict()
    assert not LedgerEntry.objects.exists()  # a dry run writes nothing
    written = run(data, implementer, imports.LEDGER, write=True)
    assert written.counts["new"] == 2, written.to_dict()
    advance = LedgerEntry.objects.get(kind=EntryKind.ADVANCE)
    assert (advance.amount, advance.status) == (100_000_000, "requested")
    assert LedgerEntry.objects.get(kind=EntryKind.PAYMENT).beneficiary == line
    again = run(data, implementer, imports.LEDGER, write=True)
    assert (again.counts["new"], again.counts["unchanged"]) == (0, 2)
    assert LedgerEntry.objects.count() == 2
    assert accounts.reconcile() == []


def test_refusals_of_the_actions_are_row_errors(implementer, territory):
    project = contracted_project()  # contract 250 M, advance up to 175 M
    rows = [
        [project.code, "Tạm ứng", 150_000_000, "20/03/2026", None, None, "r-1"],
        [project.code, "Tạm ứng", 50_000_000, "20/03/2026", None, None, "r-2"],  # together over the 70% rule
        ["DA-KHONG-CO", "Thanh toán", 1_000_000, "20/03/2026", None, None, "r-3"],
        [project.code, "Thanh toán", "abc", "20/03/2026", None, None, "r-4"],
        [project.code, "Thanh toán", 1_000_000, "20/03/2099", None, None, "r-5"],
        [project.code, "Thanh toán", 1_000_000, "20/03/2026", "Cơ sở không có", None, "r-6"],
    ]
    report = run(workbook(LEDGER_HEADER, rows), implementer, imports.LEDGER, write=False)
    errors = {e.row: " ".join(e.messages) for e in report.errors}
    assert set(errors) == {3, 4, 5, 6, 7}, errors
    assert "175.000.000 đ" in errors[3]  # the dry run sees row 2 before row 3
    assert "DA-KHONG-CO" in errors[4]
    assert "Số tiền" in errors[5]
    assert "tương lai" in errors[6] or "future" in errors[6]
    assert "Người hưởng" in errors[7]
    assert report.counts["new"] == 1
    run(workbook(LEDGER_HEADER, rows), implementer, imports.LEDGER, write=True)
    assert LedgerEntry.objects.count() == 1


def test_a_key_used_for_other_content_is_a_row_error(implementer, territory):
    project = contracted_project()
    run(workbook(LEDGER_HEADER, [[project.code, "Thanh toán", 10_000_000, "20/03/2026", None, None, "k-9"]]),
        implementer, imports.LEDGER, write=True)  # fmt: skip
    report = run(workbook(LEDGER_HEADER, [[project.code, "Thanh toán", 20_000_000, "20/03/2026", None, None, "k-9"]]),
                 implementer, imports.LEDGER, write=True)  # fmt: skip
    assert [e.row for e in report.errors] == [2] and "k-9" in report.errors[0].messages[0]
    assert LedgerEntry.objects.count() == 1


def test_the_ledger_export_imports_back_unchanged(client_for, implementer, agency_officer, territory):
    project = contracted_project()
    line = project.beneficiaries.order_by("position").first()
    kept = actions.request_payment(user=implementer, project=project, kind=EntryKind.PAYMENT, amount=30_000_000,
                                   entry_date=project.contracted_on, beneficiary=line)  # fmt: skip
    actions.approve_payment(user=agency_officer, entry=kept)
    actions.request_payment(user=implementer, project=project, kind=EntryKind.ADVANCE, amount=20_000_000,
                            entry_date=project.contracted_on, idempotency_key="own-key")  # fmt: skip
    actions.record_recovery(user=agency_officer, project=project, amount=5_000_000, entry_date=project.contracted_on,
                            recovers=kept)  # fmt: skip
    exported = content(client_for(agency_officer).get(reverse("finance:ledger_export")))
    before = list(LedgerEntry.objects.order_by("pk").values())
    report = run(exported, agency_officer, imports.LEDGER, write=True)
    assert report.ok and (report.counts["new"], report.counts["unchanged"]) == (0, 3), report.to_dict()
    assert list(LedgerEntry.objects.order_by("pk").values()) == before


def test_an_allocation_file_and_its_export(client_for, agency_officer, territory):
    plan_of(2026)  # 1 tỷ
    rows = [
        [2026, "Quốc gia (KCQG)", "TTKC-42", None, 400_000_000, "21/QĐ-BCT", "20/01/2026", None],
        [2026, "KCQG", None, OrgUnit.objects.get(code="TTKC-40").name, "2,08 tỷ", "22/QĐ-BCT", "20/01/2026", None],
        [2026, "KCQG", "TTKC-42", None, -100_000_000, "23/QĐ-BCT", "25/01/2026", None],
        [2026, "KCQG", "KHONG-CO", None, 1_000_000, "24/QĐ-BCT", "25/01/2026", None],
    ]
    report = run(workbook(ALLOCATION_HEADER, rows), agency_officer, imports.ALLOCATIONS, write=True)
    errors = {e.row: " ".join(e.messages) for e in report.errors}
    assert set(errors) == {3, 4, 5}, errors
    assert "1.000.000.000 đ" in errors[3]  # over_plan
    assert "Lý do" in errors[4] or "lý do" in errors[4]  # a reduction needs its reason
    assert "KHONG-CO" in errors[5]
    assert Allocation.objects.count() == 1
    allocate_directly(plan_of(2026), OrgUnit.objects.get(code="TTKC-40"), 100_000_000)  # written without a key
    exported = content(client_for(agency_officer).get(reverse("finance:allocation_export")))
    again = run(exported, agency_officer, imports.ALLOCATIONS, write=True)
    assert again.ok and (again.counts["new"], again.counts["unchanged"]) == (0, 2), again.to_dict()
    assert Allocation.objects.count() == 2


def test_who_may_not_write_money_cannot_import(client_for, people, territory):
    report = run(workbook(LEDGER_HEADER, [["X", "Tạm ứng", 1, "20/03/2026", None, None, None]]), people["outsider"],
                 imports.LEDGER, write=False)  # fmt: skip
    assert report.file_errors
    page = client_for(people["implementer"])
    assert page.get(reverse("finance:allocation_import:upload")).status_code == 403
    assert page.get(reverse("finance:ledger_import:upload")).status_code == 200
    template = page.get(reverse("finance:ledger_import:template"))
    header = next(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert "Mã yêu cầu" in [str(c).rstrip(" *") for c in header if c]
