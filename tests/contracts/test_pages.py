"""The contract pages: list with filters and export, the contract page, the forms (draft, sign,
amend, stale edit) and the project page's section."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.template.loader import render_to_string

from khuyencong.contracts.models import Contract, ContractState
from khuyencong.contracts.sections import contracts_context
from khuyencong.projects.models import ProjectState
from tests.contracts.factories import approved_project, make_contract

pytestmark = pytest.mark.django_db


def test_list_filters_and_export(client_for, agency_officer):
    national = approved_project()
    local = approved_project(level="local", province_code="40")
    make_contract(national, number="HĐ-QG-01", state=ContractState.SIGNED)
    make_contract(local, number="HĐ-ĐP-40")
    pages = client_for(agency_officer)
    page = pages.get("/contracts/").content.decode()
    assert "HĐ-QG-01" in page and "HĐ-ĐP-40" in page
    page = pages.get("/contracts/", {"province": "40", "kind": "main"}).content.decode()
    assert "HĐ-QG-01" not in page and "HĐ-ĐP-40" in page
    page = pages.get("/contracts/", {"project": national.code.lower()}).content.decode()
    assert "HĐ-QG-01" in page and "HĐ-ĐP-40" not in page
    export = pages.get("/contracts/export/", {"state": "signed"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
    assert "HĐ-QG-01" in text and "HĐ-ĐP-40" not in text and national.name in text


def test_draft_then_sign_through_the_pages(client_for, agency_officer):
    project = approved_project()
    pages = client_for(agency_officer)
    choose = pages.get("/contracts/new/")
    assert choose.status_code == 200 and project.code in choose.content.decode()
    form = pages.get("/contracts/new/", {"project": project.pk, "kind": "main"})
    assert form.status_code == 200
    data = {"project": project.pk, "kind": "main", "number": "07/HĐ", "value": "250 triệu", "signed_on": "10/03/2026",
            "start_date": "2026-03-15", "end_date": "2026-11-30"}  # fmt: skip
    over = pages.post(f"/contracts/new/?project={project.pk}&kind=main", {**data, "value": "260 triệu"})
    assert over.status_code == 200 and "250.000.000" in over.content.decode()
    assert not Contract.objects.exists()
    saved = pages.post(f"/contracts/new/?project={project.pk}&kind=main", data)
    assert saved.status_code == 302
    contract = Contract.objects.get()
    assert contract.value == 250_000_000 and contract.signed_on.day == 10
    detail = pages.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="step-sign"' in detail and "07/HĐ" in detail
    signed = pages.post(f"/contracts/{contract.pk}/sign/", {"signed_on": "2026-03-10", "version": contract.version})
    assert signed.status_code == 302
    project.refresh_from_db()
    assert project.state == ProjectState.CONTRACTED
    amendment = {"number": "PL-01", "signed_on": "2026-04-01", "new_end_date": "2026-12-31",
                 "reason": "Gia hạn do mưa lũ"}  # fmt: skip
    amend = pages.post(f"/contracts/{contract.pk}/amend/", {**amendment, "version": 0})
    assert amend.status_code == 200 and "form-errors" in amend.content.decode()  # a stale version
    contract.refresh_from_db()
    amend = pages.post(f"/contracts/{contract.pk}/amend/", {**amendment, "version": contract.version})
    assert amend.status_code == 302
    detail = pages.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Gia hạn do mưa lũ" in detail and "31/12/2026" in detail


def test_a_stale_draft_edit_shows_a_message_and_changes_nothing(client_for, agency_officer):
    contract = make_contract(approved_project(), subject="Ban đầu")
    pages = client_for(agency_officer)
    data = {"number": contract.number, "value": "250.000.000", "start_date": "2026-03-15", "end_date": "2026-11-30",
            "subject": "Sửa", "version": contract.version + 1}  # fmt: skip
    response = pages.post(f"/contracts/{contract.pk}/edit/", data)
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    contract.refresh_from_db()
    assert contract.subject == "Ban đầu"
    response = pages.post(f"/contracts/{contract.pk}/edit/", {**data, "version": contract.version})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.subject == "Sửa"


def test_forms_are_refused_to_roles_that_may_not(client_for, implementer, hatinh_officer, nghean_officer):
    contract = make_contract(approved_project())
    assert client_for(implementer).get(f"/contracts/{contract.pk}/sign/").status_code == 403
    assert client_for(hatinh_officer).get(f"/contracts/{contract.pk}/edit/").status_code == 403
    assert client_for(nghean_officer).get(f"/contracts/{contract.pk}/sign/").status_code == 404
    assert client_for(nghean_officer).get(f"/contracts/{contract.pk}/").status_code == 404
    assert client_for(hatinh_officer).get(f"/contracts/{contract.pk}/").status_code == 200


def test_the_project_section(rf, agency_officer, implementer):
    project = approved_project(state=ProjectState.CONTRACTED)
    main = make_contract(project, number="HĐ-CHÍNH", state=ContractState.SIGNED)
    make_contract(project, kind="support", number="HĐ-HỖ-TRỢ", state=ContractState.SIGNED)
    context = contracts_context(project, implementer)
    assert [c.number for c in context["contracts"]] == ["HĐ-CHÍNH", "HĐ-HỖ-TRỢ"]
    assert context["contracts_main"] == main and context["contracts_support_total"] == 150_000_000
    assert [url.rsplit("=", 1)[1] for url, _kind in context["contracts_add_links"]] == ["support"]
    html = render_to_string("contracts/_project_section_body.html", context)
    assert "HĐ-HỖ-TRỢ" in html and "150.000.000" in html
    assert contracts_context(project, agency_officer)["contracts_add_links"] == []
    fresh = approved_project()
    links = contracts_context(fresh, agency_officer)["contracts_add_links"]
    assert [url.rsplit("=", 1)[1] for url, _kind in links] == ["main"]


def test_the_contract_page_links_its_project(client_for, agency_officer):
    contract = make_contract(approved_project())
    page = client_for(agency_officer).get(f"/contracts/{contract.pk}/").content.decode()
    assert f'href="/projects/{contract.project_id}/"' in page


def test_the_project_page_shows_the_contracts_section(client_for, implementer):
    project = approved_project(state=ProjectState.CONTRACTED)
    make_contract(project, number="HĐ-TRÊN-TRANG-ĐỀ-ÁN", state=ContractState.SIGNED)
    page = client_for(implementer).get(f"/projects/{project.pk}/").content.decode()
    assert 'id="project-contracts"' in page and "HĐ-TRÊN-TRANG-ĐỀ-ÁN" in page


def test_contracts_beyond_their_plan_line_are_flagged(client_for, agency_officer):
    """Budget control: main contracts funded from one plan line adding up to more than the line in
    force are signed with a warning, and the project's section keeps showing it."""
    from tests.planning.factories import make_plan

    plan = make_plan(None, year=2026, total=300_000_000, approved=True)
    line = plan.versions.get().lines.get(number="2")  # 200 M
    first, second = (approved_project(plan=plan, plan_line=line, plan_line_key=line.key) for _i in range(2))
    make_contract(first, value=150_000_000, state=ContractState.SIGNED)
    pages = client_for(agency_officer)
    within = contracts_context(first, agency_officer)
    assert within["contracts_line_overrun"] is None
    draft = make_contract(second, value=100_000_000)
    signed = pages.post(f"/contracts/{draft.pk}/sign/", {"signed_on": "2026-03-10", "version": draft.version},
                        follow=True)  # fmt: skip
    page = signed.content.decode()
    assert signed.status_code == 200 and "250.000.000" in page and "50.000.000" in page
    context = contracts_context(second, agency_officer)
    assert context["contracts_line_overrun"]["over"] == 50_000_000
    html = render_to_string("contracts/_project_section_body.html", {**context, "contracts_list_url": "/"})
    assert 'id="plan-line-overrun"' in html and "200.000.000" in html
