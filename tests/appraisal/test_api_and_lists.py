"""The council API (list, detail with scores, a member's sheet, a conclusion) and the two
consolidated Excel lists read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl
import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.appraisal import actions
from khuyencong.appraisal.models import CouncilMember, Score
from khuyencong.audit.models import AccessLog
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.appraisal.factories import full_scores, make_council, review
from tests.conftest import _user
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
S = ProjectState


def _api(client, user):
    _token, secret = issue_token(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _scored(user, province="42", totals=(80, 70, 75), **project_fields):
    council = make_council(province) if province else make_council(None)
    project = make_project(project_fields.pop("project_province", province or "42"),
                           state=S.SUBMITTED if province else S.AT_AGENCY, **project_fields)  # fmt: skip
    review(council, project)
    for member, total in zip(council.members.order_by("order"), totals, strict=False):
        actions.save_sheet(user=user, council=council, project=project, member=member, scores=full_scores(total),
                           submit=True)  # fmt: skip
    return council, project


def test_list_and_detail_with_scores(territory, client, hatinh_officer, nghean_officer):
    council, project = _scored(hatinh_officer)
    make_council("40", name="Hội đồng Nghệ An")
    api = _api(client, hatinh_officer)
    listed = api.get("/api/v1/councils", {"year": 2026})
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [council.pk]
    assert listed.json()["next_cursor"] is None
    body = api.get(f"/api/v1/councils/{council.pk}").json()
    assert body["province_code"] == "42" and body["max_total"] == 100 and len(body["members"]) == 3
    assert [c["code"] for c in body["criteria"]][:2] == ["necessity", "feasibility"]
    reviewed = body["projects"][0]
    assert reviewed["project_code"] == project.code and reviewed["average"] == "75.00" and reviewed["passes"]
    assert sorted(float(s["total"]) for s in reviewed["sheets"]) == [70, 75, 80]
    other = _api(client, nghean_officer).get(f"/api/v1/councils/{council.pk}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_a_member_posts_their_sheet_and_a_score_above_the_maximum_is_a_field_error(territory, client,
                                                                                  django_user_model):  # fmt: skip
    council = make_council("42")
    project = make_project("42", state=S.SUBMITTED)
    review(council, project)
    expert = _user(django_user_model, "chuyengia", Role.PROVINCIAL_LEADER, "UBND-42")
    seat = council.members.get(order=3)
    CouncilMember.objects.filter(pk=seat.pk).update(user=expert)
    api = _api(client, expert)
    url = f"/api/v1/councils/{council.pk}/sheets"
    response = api.post(url, {"project_id": project.pk, "scores": {"necessity": 30, "feasibility": 20}},
                        "application/json")  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["details"][0]["field"] == "scores.necessity"
    assert not Score.objects.exists()
    response = api.post(url, {"project_id": project.pk, "scores": full_scores(77), "submit": True}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["submitted"] and float(response.json()["total"]) == 77
    other = council.members.get(order=1)
    response = api.post(url, {"project_id": project.pk, "member_id": other.pk, "scores": {"necessity": 5}},
                        "application/json")  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_conclude_through_the_api(territory, client, hatinh_officer, agency_officer):
    council, project = _scored(hatinh_officer)
    url = f"/api/v1/councils/{council.pk}/projects/{project.pk}/conclude"
    refused = _api(client, agency_officer).post(url, {"conclusion": "pass"}, "application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    api = _api(client, hatinh_officer)
    response = api.post(url, {"conclusion": "fail"}, "application/json")
    assert response.status_code == 422 and response.json()["code"] == "comment_required"
    response = api.post(url, {"conclusion": "pass"}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"project_id": project.pk, "project_state": "province_passed", "conclusion": "pass",
                               "average": "75.00"}  # fmt: skip
    again = api.post(url, {"conclusion": "pass"}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_concluded"


def _book(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_department_s_form_2_reads_back(territory, client_for, hatinh_officer):
    council, project = _scored(hatinh_officer, name="Ứng dụng máy dệt chiếu cói")
    actions.conclude_project(user=hatinh_officer, council=council, project=project, conclusion="pass",
                             comment="Đạt")  # fmt: skip
    second, project2 = _scored(hatinh_officer, totals=(90, 90, 90), name="Máy sấy nông sản")
    actions.conclude_project(user=hatinh_officer, council=second, project=project2, conclusion="pass")
    failed, project3 = _scored(hatinh_officer, totals=(40, 40))
    actions.conclude_project(user=hatinh_officer, council=failed, project=project3, conclusion="fail", comment="x")
    response = client_for(hatinh_officer).get("/councils/lists/42/2026/")
    assert response.status_code == 200
    sheet = _book(response).active
    rows = list(sheet.iter_rows(values_only=True))
    text = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "HÀ TĨNH" in text.upper() and "2026" in text
    header = next(r for r in rows if r[0] == "STT")
    assert list(header[:4]) == ["STT", "Tên đề án", "Đơn vị thực hiện", "Đơn vị thụ hưởng"]
    data = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in data] == ["Ứng dụng máy dệt chiếu cói", "Máy sấy nông sản"]
    assert data[0][9] == 75 and data[1][9] == 90 and data[0][10] == "Đạt"
    assert data[0][7] == 150_000_000
    total = next(r for r in rows if r[1] == "Tổng")
    assert total[7] == 300_000_000 and total[6] == 800_000_000
    cell = next(c for c in sheet.iter_rows() for c in c if c.value == 150_000_000)
    assert "#,##0" in cell.number_format
    assert AccessLog.objects.filter(target="appraisal.council", kind="export", row_count=2).exists()
    assert client_for(hatinh_officer).get("/councils/lists/40/2026/").status_code == 404


def test_the_agency_s_national_list_groups_provinces_with_subtotals(territory, client_for, admin_user, hatinh_officer,
                                                                   nghean_officer, agency_officer):  # fmt: skip
    for officer, code, count in ((hatinh_officer, "42", 2), (nghean_officer, "40", 1)):
        for _ in range(count):
            council, project = _scored(officer, province=code)
            actions.conclude_project(user=officer, council=council, project=project, conclusion="pass")
    response = client_for(agency_officer).get("/councils/lists/national/2026/")
    assert response.status_code == 200
    rows = list(_book(response).active.iter_rows(values_only=True))
    labels = [r[1] for r in rows if r[1]]
    subtotals = [r for r in rows if isinstance(r[1], str) and r[1].startswith("Cộng")]
    assert len(subtotals) == 2 and [r[7] for r in subtotals] == [150_000_000, 300_000_000]
    assert rows[-1][1] == "Tổng cộng toàn quốc" and rows[-1][7] == 450_000_000
    assert any("Nghệ An" in str(label) for label in labels) and any("Hà Tĩnh" in str(label) for label in labels)
    assert [r[0] for r in rows if isinstance(r[0], int)] == [1, 2, 3]
    assert client_for(hatinh_officer).get("/councils/lists/national/2026/").status_code == 403
