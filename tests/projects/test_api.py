"""The project API: list with the page's filters, detail with ETag and available actions, create,
PATCH with If-Match, beneficiaries, lifecycle steps with the UI's rules, one error shape."""

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from tests.projects.factories import eligible_establishment, make_project

pytestmark = pytest.mark.django_db


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user=user, name='t')[1]}"
    return client


def test_list_uses_the_page_filters_and_pages_by_keyset(territory, agency_officer, client):
    a = make_project("42", year=2020, name="Đề án dệt thổ cẩm")
    b = make_project("40", year=2026, state=ProjectState.APPROVED)
    c = make_project("42", year=2026)
    officer = api(client, agency_officer)
    body = officer.get("/api/v1/projects").json()
    assert [p["id"] for p in body["items"]] == sorted([a.pk, b.pk, c.pk]) and body["next_cursor"] is None
    assert "count" not in body
    assert [p["id"] for p in officer.get("/api/v1/projects", {"province": "40"}).json()["items"]] == [b.pk]
    assert [p["id"] for p in officer.get("/api/v1/projects", {"q": "tho cam"}).json()["items"]] == [a.pk]
    assert [p["id"] for p in officer.get("/api/v1/projects", {"state": "approved"}).json()["items"]] == [b.pk]
    first = officer.get("/api/v1/projects", {"limit": 2}).json()
    rest = officer.get("/api/v1/projects", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in first["items"] + rest["items"]] == sorted([a.pk, b.pk, c.pk])
    bad = officer.get("/api/v1/projects", {"colour": "red"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    bad = officer.get("/api/v1/projects", {"year": "nineteen"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "year"


def test_create_read_patch_with_if_match(territory, hatinh_officer, client):
    officer = api(client, hatinh_officer)
    body = {"code": "da-api-01", "name": "Đề án qua API", "level": "local", "content_code": "2012-03",
            "norm_code": "machinery", "year": 2026, "province_code": "42", "implementing_unit_code": "TTKC-42",
            "total_cost": 400_000_000, "support_amount": 150_000_000}  # fmt: skip
    created = officer.post("/api/v1/projects", body, "application/json")
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["code"] == "DA-API-01" and project["state"] == "draft" and project["version"] == 0
    pk = project["id"]
    again = officer.post("/api/v1/projects", body, "application/json")
    assert again.status_code == 422 and again.json()["details"][0]["field"] == "code"
    read = officer.get(f"/api/v1/projects/{pk}")
    assert read["ETag"] == '"0"'
    actions = {a["action"] for a in read.json()["available_actions"]}
    assert "submit" in actions and "approve" not in actions
    changed = officer.patch(f"/api/v1/projects/{pk}", {"name": "Tên mới"}, "application/json", HTTP_IF_MATCH='"0"')
    assert changed.status_code == 200 and changed.json()["version"] == 1 and changed["ETag"] == '"1"'
    stale = officer.patch(f"/api/v1/projects/{pk}", {"name": "Tên cũ"}, "application/json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert Project.objects.get(pk=pk).name == "Tên mới"
    weak = officer.patch(f"/api/v1/projects/{pk}", {"location": "Xã Thạch Hà"}, "application/json",
                         HTTP_IF_MATCH='W/"1"')  # fmt: skip
    assert weak.status_code == 200
    garbage = officer.patch(f"/api/v1/projects/{pk}", {"name": "x"}, "application/json", HTTP_IF_MATCH="abc")
    assert garbage.status_code == 400 and garbage.json()["code"] == "bad_request"
    # Without If-Match the change applies to the current version (documented house choice).
    plain = officer.patch(f"/api/v1/projects/{pk}", {"total_cost": 500_000_000}, "application/json")
    assert plain.status_code == 200 and plain.json()["version"] == 3
    bad = officer.patch(f"/api/v1/projects/{pk}", {"support_amount": 900_000_000}, "application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "support_amount"
    bad = officer.patch(f"/api/v1/projects/{pk}", {"content_code": "9999"}, "application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "content_code"


def test_beneficiaries_are_replaced_with_if_match(territory, hatinh_officer, client):
    project = make_project("42")
    one, two = eligible_establishment("42"), eligible_establishment("42")
    officer = api(client, hatinh_officer)
    lines = {"lines": [{"establishment_id": one.pk, "eligible_cost": 300_000_000, "support": 100_000_000},
                       {"establishment_id": two.pk, "eligible_cost": 200_000_000, "support": 50_000_000}]}  # fmt: skip
    url = f"/api/v1/projects/{project.pk}/beneficiaries"
    response = officer.put(url, lines, "application/json", HTTP_IF_MATCH=f'"{project.version}"')
    assert response.status_code == 200, response.content
    assert [b["establishment_id"] for b in response.json()["beneficiaries"]] == [one.pk, two.pk]
    assert response.json()["support_amount"] == 150_000_000
    stale = officer.put(url, lines, "application/json", HTTP_IF_MATCH=f'"{project.version}"')
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    unknown = officer.put(url, {"lines": [{"establishment_id": 10**12}]}, "application/json")
    assert unknown.status_code == 422 and unknown.json()["details"][0]["field"] == "lines.0.establishment_id"


def test_steps_follow_the_same_rules_as_the_buttons(territory, hatinh_officer, nghean_officer, client):
    project = make_project("42", level="local")
    officer = api(client, hatinh_officer)
    url = f"/api/v1/projects/{project.pk}/actions"
    done = officer.post(f"{url}/submit", {"version": project.version}, "application/json")
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "submitted" and done.json()["transitions"][-1]["action"] == "submit"
    again = officer.post(f"{url}/submit", {}, "application/json")
    assert again.status_code == 409 and set(again.json()) >= {"code", "message", "details"}
    no_reason = officer.post(f"{url}/province_return", {}, "application/json")
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "comment_required"
    stale = officer.post(f"{url}/province_pass", {"version": project.version}, "application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "state_changed"
    future = officer.post(f"{url}/province_pass", {"on": "2099-01-01"}, "application/json")
    assert future.status_code == 422 and future.json()["code"] == "date_in_future"
    forbidden = officer.post(f"{url}/approve_local", {}, "application/json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    unknown = officer.post(f"{url}/fly", {}, "application/json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_action"
    outside = api(client, nghean_officer).post(f"{url}/province_pass", {}, "application/json")
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    assert ProjectTransition.objects.filter(project=project).count() == 1
    passed = api(client, hatinh_officer).post(f"{url}/province_pass", {}, "application/json")
    assert passed.status_code == 200 and passed.json()["state"] == "province_passed"
