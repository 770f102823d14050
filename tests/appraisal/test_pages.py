"""The council pages: list with filters, the council page with running totals and the pass badge,
the score sheet (HTMX too), conclusions with confirmation, members, criteria, projects."""

from __future__ import annotations

import pytest

from khuyencong.appraisal import actions
from khuyencong.appraisal.models import Council, CouncilMember, Score
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.appraisal.factories import full_scores, make_council, review
from tests.conftest import _user
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
S = ProjectState


@pytest.fixture
def scored(territory, hatinh_officer):
    council = make_council("42", name="Hội đồng thẩm định Hà Tĩnh 2026")
    project = make_project("42", state=S.SUBMITTED, name="Máy ép gạch không nung")
    review(council, project)
    for member, total in zip(council.members.order_by("order"), [80, 70, 75], strict=True):
        actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                           scores=full_scores(total), submit=True)  # fmt: skip
    return council, project


def test_list_filters_and_menu(scored, client_for, hatinh_officer):
    make_council("40", name="Hội đồng Nghệ An")
    make_council("42", year=2025, name="Hội đồng Hà Tĩnh 2025")
    page = client_for(hatinh_officer).get("/councils/", {"year": 2026})
    text = page.content.decode()
    assert page.status_code == 200 and "Hội đồng thẩm định Hà Tĩnh 2026" in text
    assert "Hội đồng Nghệ An" not in text and "Hội đồng Hà Tĩnh 2025" not in text
    assert 'href="/councils/"' in text  # the menu entry
    national = client_for(hatinh_officer).get("/councils/", {"level": "national"}).content.decode()
    assert "Hội đồng thẩm định Hà Tĩnh 2026" not in national


def test_council_page_shows_totals_average_and_the_pass_badge(scored, client_for, hatinh_officer):
    council, project = scored
    text = client_for(hatinh_officer).get(f"/councils/{council.pk}/").content.decode()
    assert "Máy ép gạch không nung" in text and "75" in text
    assert "kc-pass" in text and "bg-green-lt kc-pass" in text
    assert f"/councils/{council.pk}/projects/{project.pk}/conclude/" in text
    assert "/councils/lists/42/2026/" in text


def test_the_score_sheet_form_saves_and_refuses_a_score_above_the_maximum(territory, client_for, hatinh_officer):
    council = make_council("42")
    project = make_project("42", state=S.SUBMITTED)
    review(council, project)
    member = council.members.get(order=3)
    url = f"/councils/{council.pk}/projects/{project.pk}/sheets/{member.pk}/"
    pages = client_for(hatinh_officer)
    assert pages.get(url).status_code == 200
    response = pages.post(url, {"score_necessity": "25", "score_feasibility": "20", "save": "1"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Score.objects.exists()
    response = pages.post(
        url, {"score_necessity": "18", "score_feasibility": "20", "save": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Redirect"].startswith(f"/councils/{council.pk}/")
    assert Score.objects.count() == 2
    response = pages.post(url, {"score_necessity": "99"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="sheet-form"' in response.content.decode()
    assert "is-invalid" in response.content.decode() and "<html" not in response.content.decode()


def test_a_member_opens_only_their_own_sheet(territory, client_for, django_user_model):
    council = make_council("42")
    project = make_project("42", state=S.SUBMITTED)
    review(council, project)
    expert = _user(django_user_model, "chuyengia", Role.PROVINCIAL_LEADER, "UBND-42")
    mine, other = council.members.get(order=3), council.members.get(order=1)
    CouncilMember.objects.filter(pk=mine.pk).update(user=expert)
    pages = client_for(expert)
    base = f"/councils/{council.pk}/projects/{project.pk}/sheets/"
    assert pages.get(f"{base}{mine.pk}/").status_code == 200
    assert pages.get(f"{base}{other.pk}/").status_code == 403
    assert (
        pages.post(f"/councils/{council.pk}/projects/{project.pk}/conclude/", {"conclusion": "pass"}).status_code == 403
    )


def test_conclude_a_project_and_the_council_through_the_pages(scored, client_for, hatinh_officer):
    council, project = scored
    pages = client_for(hatinh_officer)
    url = f"/councils/{council.pk}/projects/{project.pk}/conclude/"
    confirm = pages.get(url).content.decode()
    assert "75" in confirm and "form-confirm" in confirm
    assert pages.post(url, {"conclusion": "fail"}).status_code == 200  # the comment is required
    project.refresh_from_db()
    assert project.state == S.SUBMITTED
    assert pages.post(url, {"conclusion": "pass"}).status_code == 302
    project.refresh_from_db()
    assert project.state == S.PROVINCE_PASSED
    assert pages.post(f"/councils/{council.pk}/conclude/", {"minutes": "Biên bản"}).status_code == 302
    council.refresh_from_db()
    assert council.state == Council.State.CONCLUDED and council.minutes == "Biên bản"


def test_members_criteria_and_projects_pages(territory, client_for, hatinh_officer):
    council = make_council("42", members=0)
    project = make_project("42", state=S.SUBMITTED, name="Đề án chờ hội đồng")
    pages = client_for(hatinh_officer)
    assert pages.get(f"/councils/{council.pk}/members/").status_code == 200
    data = {"members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0", "members-0-full_name": "Nguyễn Văn Chủ",
            "members-0-role": "chair", "members-1-full_name": "Trần Thị Thư", "members-1-role": "secretary",
            "members-1-username": hatinh_officer.username}  # fmt: skip
    assert pages.post(f"/councils/{council.pk}/members/", data).status_code == 302
    assert list(council.members.values_list("full_name", flat=True)) == ["Nguyễn Văn Chủ", "Trần Thị Thư"]
    add = pages.get(f"/councils/{council.pk}/projects/add/").content.decode()
    assert "Đề án chờ hội đồng" in add
    assert pages.post(f"/councils/{council.pk}/projects/add/", {"projects": [project.pk]}).status_code == 302
    assert council.reviews.filter(project=project).exists()
    criteria = {"criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-0-code": "all",
                "criteria-0-name": "Tổng hợp", "criteria-0-max_score": "100"}  # fmt: skip
    assert pages.post(f"/councils/{council.pk}/criteria/", criteria).status_code == 302
    assert list(council.criteria.values_list("code", flat=True)) == ["all"]
    assert pages.post(f"/councils/{council.pk}/projects/{project.pk}/remove/").status_code == 302
    assert not council.reviews.exists()


def test_create_a_council_through_the_page(territory, client_for, hatinh_officer, agency_officer):
    from khuyencong.territory.models import Province

    pages = client_for(hatinh_officer)
    assert pages.get("/councils/new/").status_code == 200
    response = pages.post("/councils/new/", {
        "level": "local", "year": 2026, "province": Province.objects.current().get(code="42").pk,
        "name": "Hội đồng mới", "pass_threshold": "70", "decision_date": "15/03/2026",
        "decision_number": "12/QĐ-SCT"})  # fmt: skip
    assert response.status_code == 302
    council = Council.objects.get(name="Hội đồng mới")
    assert council.criteria.count() == 5 and council.decision_date.month == 3
    response = client_for(agency_officer).post(
        "/councils/new/", {"level": "national", "year": 2026, "name": "Hội đồng Cục", "pass_threshold": "75"}
    )
    assert response.status_code == 302 and Council.objects.get(name="Hội đồng Cục").province is None


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_council_page_reads_a_fixed_number_of_queries(territory, client_for, hatinh_officer):
    council = make_council("42", members=2)
    pages = client_for(hatinh_officer)
    url = f"/councils/{council.pk}/"

    def add(count, members):
        for order in range(members):
            CouncilMember.objects.create(council=council, full_name=f"Thêm {order}", order=10 + order)
        for _ in range(count):
            project = make_project("42", state=S.SUBMITTED)
            review(council, project)
            for member in council.members.all():
                actions.save_sheet(user=hatinh_officer, council=council, project=project, member=member,
                                   scores=full_scores(72), submit=True)  # fmt: skip

    add(1, 0)
    pages.get(url)
    one = _page_queries(pages, url)
    add(4, 3)
    assert _page_queries(pages, url) == one
