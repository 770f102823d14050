"""The project pages: the project page and its buttons per role, the step forms (HTMX and plain),
refusals as field messages, stale forms as conflicts, the proposal form with its beneficiaries,
and the establishment page's section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.planning.models import PlanLine
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province
from tests.conftest import _user
from tests.planning.factories import make_plan
from tests.projects.factories import eligible_establishment, make_project

pytestmark = pytest.mark.django_db
S = ProjectState


@pytest.fixture
def agency_leader(django_user_model, territory):
    return _user(django_user_model, "cuc.lanhdao", Role.AGENCY_LEADER, "CUC-DMST")


def _page(client, project) -> str:
    response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_summary_money_beneficiaries_and_totals(client_for, hatinh_officer):
    project = make_project(lines=[(400_000_000, 150_000_000), (2_080_000_000, 300_000_000)])
    body = _page(client_for(hatinh_officer), project)
    assert project.code in body and project.name in body
    assert "Hà Tĩnh" in body and "450.000.000 đ" in body and "2.480.000.000 đ" in body
    line = project.beneficiaries.select_related("establishment").first()
    assert f"/establishments/{line.establishment_id}/" in body and line.establishment.name in body
    assert 'id="beneficiary-totals"' in body and "2 cơ sở" in body
    assert 'id="timeline"' in body and 'id="history"' in body
    assert 'id="documents"' in body and 'data-slot="other"' in body  # the attachments panel


def test_findings_cite_the_norm_and_its_legal_document(client_for, hatinh_officer):
    project = make_project(lines=[(100_000_000, 99_000_000)])  # far above the share the norm allows
    body = _page(client_for(hatinh_officer), project)
    assert 'id="findings"' in body and 'data-code="over_norm"' in body
    assert "Bị từ chối" in body


def test_buttons_are_the_steps_the_user_may_take_now(client_for, implementer, hatinh_officer, nghean_officer, outsider):
    project = make_project()
    mine = _page(client_for(implementer), project)
    assert 'id="step-submit"' in mine and 'id="step-approve"' not in mine and 'id="edit-project"' in mine
    theirs = _page(client_for(hatinh_officer), project)
    assert 'id="step-province_pass"' not in theirs  # a draft is not appraised
    assert client_for(nghean_officer).get(f"/projects/{project.pk}/").status_code == 404
    assert client_for(outsider).get(f"/projects/{project.pk}/").status_code == 403
    submitted = make_project(state=S.SUBMITTED)
    page = _page(client_for(hatinh_officer), submitted)
    assert 'id="step-province_pass"' in page and 'id="step-province_return"' in page and 'id="step-submit"' not in page
    assert 'id="edit-project"' not in page
    assert client_for(implementer).get(f"/projects/{submitted.pk}/steps/province_pass/").status_code == 403
    assert client_for(hatinh_officer).get(f"/projects/{submitted.pk}/steps/nonsense/").status_code == 404


def test_a_step_through_the_htmx_form_reloads_the_page_with_the_timeline(client_for, implementer):
    project = make_project()
    client = client_for(implementer)
    form = client.get(f"/projects/{project.pk}/steps/submit/", headers={"HX-Request": "true"})
    body = form.content.decode()
    assert form.status_code == 200 and "<html" not in body and 'hx-post="' in body
    assert f'name="version" value="{project.version}"' in body and 'id="id_decision_number"' not in body
    response = client.post(
        f"/projects/{project.pk}/steps/submit/", {"version": project.version}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Redirect"] == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert project.state == S.SUBMITTED
    page = _page(client, project)
    assert 'data-action="submit"' in page and "Dự thảo → Đã gửi Sở" in page and "Đã thực hiện" in page


def test_a_step_needing_a_comment_says_so_on_the_field(client_for, hatinh_officer):
    project = make_project(state=S.SUBMITTED)
    client = client_for(hatinh_officer)
    response = client.post(f"/projects/{project.pk}/steps/province_return/", {"version": project.version})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="step-errors"' in body and "invalid-feedback" in body
    assert 'id="step-confirm"' not in body
    project.refresh_from_db()
    assert project.state == S.SUBMITTED
    reject = client.get(f"/projects/{project.pk}/steps/province_reject/").content.decode()
    assert 'id="step-confirm"' in reject and "btn-danger" in reject  # destructive: confirm in red
    response = client.post(
        f"/projects/{project.pk}/steps/province_return/", {"version": project.version, "comment": "Thiếu hồ sơ"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == S.RETURNED


def test_a_stale_step_form_is_a_conflict_and_changes_nothing(client_for, hatinh_officer):
    project = make_project(state=S.SUBMITTED)
    seen = project.version
    Project.objects.filter(pk=project.pk).update(version=seen + 1)  # someone else wrote meanwhile
    response = client_for(hatinh_officer).post(f"/projects/{project.pk}/steps/province_pass/", {"version": seen})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="step-reload"' in body and "Không có gì thay đổi" in body
    project.refresh_from_db()
    assert project.state == S.SUBMITTED and project.version == seen + 1


def test_a_date_in_the_future_is_a_field_message(client_for, hatinh_officer):
    project = make_project(state=S.SUBMITTED)
    response = client_for(hatinh_officer).post(
        f"/projects/{project.pk}/steps/province_pass/", {"version": project.version, "on": "2999-01-01"}
    )
    assert response.status_code == 200 and "tương lai" in response.content.decode()


def test_approval_picks_a_plan_line_by_name_and_needs_the_decision(client_for, agency_leader):
    plan = make_plan(None, year=2026, approved=True)
    project = make_project(state=S.AGENCY_PASSED, submitted_on=dt.date(2025, 5, 10))
    client = client_for(agency_leader)
    assert 'id="step-approve"' in _page(client, project)  # in no plan yet: the form picks the line
    form = client.get(f"/projects/{project.pk}/steps/approve/").content.decode()
    assert "Mô hình trình diễn kỹ thuật" in form and "Đào tạo nghề mây tre đan" in form
    assert ">Đào tạo nghề —" not in form  # a group row carries no money of its own
    line = PlanLine.objects.get(plan_version__plan=plan, key=f"b{plan.pk}")
    url = f"/projects/{project.pk}/steps/approve/"
    response = client.post(url, {"version": project.version, "plan_line": line.pk})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(url, {"version": project.version, "plan_line": line.pk, "decision_number": "12/QĐ-BCT",
                                 "decision_date": "20/01/2026", "approved_support": "140 triệu"})  # fmt: skip
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == S.APPROVED and project.approved_support == 140_000_000 and project.plan_line == line
    page = _page(client, project)
    assert "12/QĐ-BCT" in page and "140.000.000 đ" in page and plan.name in page


def _create_data(**extra):
    content = ActivityContent.objects.get(code="2012-03")
    data = {
        "code": "kcqg-2026-ht-09", "name": "Ứng dụng máy dệt chiếu", "level": Level.NATIONAL, "kind": "ordinary",
        "year": "2026", "content": content.pk, "norm_code": "machinery",
        "implementing_unit": OrgUnit.objects.get(code="TTKC-42").pk,
        "province": Province.objects.current().get(code="42").pk, "start_date": "2026-03-01",
        "end_date": "30/11/2026", "total_cost": "400 triệu",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(extra)
    return data


def test_create_a_proposal_with_a_beneficiary_and_bad_input(client_for, implementer):
    client = client_for(implementer)
    assert client.get("/projects/new/").status_code == 200
    establishment = eligible_establishment()
    bad = _create_data(**{"lines-0-establishment": establishment.pk, "lines-0-eligible_cost": "100 triệu",
                          "lines-0-support": "200 triệu"})  # fmt: skip
    response = client.post("/projects/new/", bad)
    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in body and not Project.objects.exists()  # nothing saved
    response = client.post("/projects/new/", _create_data(**{"lines-0-eligible_cost": "100 triệu"}))
    assert response.status_code == 200 and "Chọn cơ sở theo tên" in response.content.decode()
    response = client.post("/projects/new/", _create_data(end_date="01/01/2026"))
    assert response.status_code == 200 and not Project.objects.exists()
    good = _create_data(**{"lines-0-establishment": establishment.pk, "lines-0-eligible_cost": "400.000.000",
                           "lines-0-support": "150 triệu", "lines-0-counterpart": "250 triệu",
                           "lines-0-outputs": "1 máy dệt"})  # fmt: skip
    response = client.post("/projects/new/", good)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.code == "KCQG-2026-HT-09" and project.support_amount == 150_000_000
    assert project.counterpart_amount == 250_000_000 and project.beneficiaries.get().outputs == "1 máy dệt"
    edit = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert establishment.name in edit and f'name="version" value="{project.version}"' in edit


def test_an_edit_from_a_stale_form_overwrites_nothing(client_for, implementer):
    project = make_project()
    line = project.beneficiaries.get()
    client = client_for(implementer)
    seen = project.version
    data = _create_data(code=project.code, name="Tên mới", version=seen, **{
        "lines-TOTAL_FORMS": "1", "lines-0-establishment": line.establishment_id,
        "lines-0-eligible_cost": "400 triệu", "lines-0-support": "150 triệu"})  # fmt: skip
    Project.objects.filter(pk=project.pk).update(version=seen + 1)
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    project.refresh_from_db()
    assert project.name != "Tên mới"
    data["version"] = seen + 1
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.name == "Tên mới"


def test_a_group_project_adds_beneficiaries_after_approval(client_for, hatinh_officer):
    project = make_project(kind="group", state=S.APPROVED, approved_support=400_000_000)
    client = client_for(hatinh_officer)
    page = _page(client, project)
    assert 'id="edit-beneficiaries"' in page and 'id="edit-project"' not in page
    old = project.beneficiaries.get()
    new = eligible_establishment()
    data = {"version": project.version, "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
            "lines-0-establishment": old.establishment_id, "lines-0-eligible_cost": "400 triệu",
            "lines-0-support": "150 triệu", "lines-1-establishment": new.pk, "lines-1-eligible_cost": "200 triệu",
            "lines-1-support": "100 triệu"}  # fmt: skip
    response = client.post(f"/projects/{project.pk}/beneficiaries/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert project.beneficiaries.count() == 2
    assert project.beneficiaries.get(establishment=new).added_after_approval
    ordinary = make_project(state=S.APPROVED)
    response = client.post(f"/projects/{ordinary.pk}/beneficiaries/", {**data, "version": ordinary.version})
    assert response.status_code == 200 and ordinary.beneficiaries.count() == 1


def test_the_establishment_picker_suggests_by_name_within_reach(client_for, implementer, nghean_officer):
    establishment = eligible_establishment(name="Cơ sở mây tre Thạch Hà")
    response = client_for(implementer).get("/projects/establishments/suggest/", {"q": "may tre thach"})
    assert establishment.name in response.content.decode()
    response = client_for(nghean_officer).get("/projects/establishments/suggest/", {"q": "may tre thach"})
    assert establishment.name not in response.content.decode()
    communes = client_for(implementer).get("/projects/communes/suggest/", {"q": "thach"}).content.decode()
    assert "Hà Tĩnh" in communes


def test_the_establishment_page_lists_its_projects(client_for, hatinh_officer, nghean_officer):
    project = make_project(year=2019, lines=[(400_000_000, 150_000_000)])
    line = project.beneficiaries.get()
    later = make_project(year=2026)
    later.beneficiaries.update(establishment=line.establishment)
    body = client_for(hatinh_officer).get(f"/establishments/{line.establishment_id}/").content.decode()
    assert 'id="supports"' in body and f"/projects/{project.pk}/" in body and f"/projects/{later.pk}/" in body
    assert "300.000.000 đ" in body  # both supports, summed


def test_the_project_page_reads_a_bounded_number_of_queries(client_for, hatinh_officer):
    one = make_project(state=S.SUBMITTED)
    many = make_project(state=S.SUBMITTED, lines=[(400_000_000, 50_000_000)] * 8)
    client = client_for(hatinh_officer)
    client.get(f"/projects/{one.pk}/")
    counts = []
    for project in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/projects/{project.pk}/").status_code == 200
        counts.append(len(queries))
    # The norm is looked up once per page; the eligibility rule in force once per line (registry).
    assert counts[1] <= counts[0] + 7, counts
    assert counts[0] <= 30, counts


def test_the_menu_offers_projects_and_a_new_one_to_those_who_may(client_for, implementer, agency_leader):
    items = client_for(implementer).get("/").context["nav_items"]
    assert {"/projects/", "/projects/new/"} <= {item["url"] for item in items}
    items = client_for(agency_leader).get("/").context["nav_items"]
    urls = {item["url"] for item in items}
    assert "/projects/" in urls and "/projects/new/" not in urls


def test_refusals_of_the_domain_are_messages_on_the_form_not_errors(client_for, implementer):
    over = make_project(lines=[(100_000_000, 99_000_000)])  # over the norm in force
    client = client_for(implementer)
    response = client.post(
        f"/projects/{over.pk}/steps/submit/", {"version": over.version}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="step-errors"' in body and "<html" not in body
    assert "Thông tư 28/2018/TT-BTC" in body and "vượt mức cho phép" in body  # the rule and its legal document
    over.refresh_from_db()
    assert over.state == S.DRAFT
    submitted = make_project(state=S.SUBMITTED)
    response = client.post(f"/projects/{submitted.pk}/steps/submit/", {"version": submitted.version})
    assert response.status_code == 200 and 'id="step-errors"' in response.content.decode()


def test_a_draft_never_submitted_can_be_deleted_by_an_officer(client_for, implementer, hatinh_officer):
    project = make_project()
    assert f'href="/projects/{project.pk}/delete/"' not in _page(client_for(implementer), project)  # no right
    assert client_for(implementer).post(f"/projects/{project.pk}/delete/").status_code == 403
    assert f'href="/projects/{project.pk}/delete/"' in _page(client_for(hatinh_officer), project)
    response = client_for(hatinh_officer).post(f"/projects/{project.pk}/delete/")
    assert response.status_code == 302 and not Project.objects.filter(pk=project.pk).exists()
    submitted = make_project(state=S.SUBMITTED)
    assert "/delete/" not in _page(client_for(hatinh_officer), submitted)


def test_an_approved_project_shows_what_is_due_its_contracts_and_adjustments(client_for, agency_officer):
    project = make_project(state=S.APPROVED, approved_support=150_000_000, approved_on=dt.date(2026, 1, 20))
    body = _page(client_for(agency_officer), project)
    assert 'id="project-due"' in body and 'id="project-contracts"' in body and 'id="adjustments"' in body
    draft = _page(client_for(agency_officer), make_project())
    assert 'id="project-contracts"' not in draft and 'id="adjustments"' not in draft
