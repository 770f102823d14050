"""The plan API: a plan's whole life through the same actions, one error shape for each refusal."""

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.planning.models import AnnualPlan
from tests.conftest import _user

pytestmark = pytest.mark.django_db


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user=user, name='t')[1]}"
    return client


@pytest.fixture
def leader(django_user_model, territory):
    return _user(django_user_model, "lanhdao", "provincial_leader", "UBND-42")


def test_a_plan_through_the_api(client, hatinh_officer, leader):
    from django.test import Client

    officer = api(client, hatinh_officer)
    body = {"level": "local", "year": 2020, "province_code": "42", "name": "KH Hà Tĩnh 2020",
            "declared_total": 2_080_000_000}  # fmt: skip
    created = officer.post("/api/v1/plans", body, "application/json")
    assert created.status_code == 201 and created.json()["owner_code"] == "SCT-42"
    pk = created.json()["id"]
    again = officer.post("/api/v1/plans", body, "application/json")
    assert again.status_code == 422 and again.json()["details"][0]["field"] == "year"
    lines = {"lines": [
        {"number": "I", "name": "Đào tạo nghề", "content_code": "2012-01"},
        {"number": "1", "parent_number": "I", "name": "Lớp mây tre đan", "content_code": "2012-01",
         "funding_source": "local", "amount": 1_080_000_000, "disruption": "natural_disaster",
         "disruption_event": "Bão số 5", "disruption_note": "Lùi sang quý IV"},
        {"number": "2", "parent_number": "I", "name": "Hội chợ", "content_code": "2012-04", "funding_source": "local",
         "amount": 1_000_000_000},
    ]}  # fmt: skip
    negative = {"lines": [{"name": "Sai", "amount": -1}]}
    refused = officer.put(f"/api/v1/plans/{pk}/versions/1/lines", negative, "application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "negative_amount"
    unknown = {"lines": [{"name": "Lạ", "content_code": "2099-01"}, {"name": "Con", "parent_number": "X"}]}
    refused = officer.put(f"/api/v1/plans/{pk}/versions/1/lines", unknown, "application/json")
    fields = {d["field"] for d in refused.json()["details"]}
    assert refused.status_code == 422 and fields == {"lines.0.content_code", "lines.1.parent_number"}
    version = officer.put(f"/api/v1/plans/{pk}/versions/1/lines", lines, "application/json").json()
    assert version["line_total"] == 2_080_000_000 and version["lines"][0]["amount"] == 2_080_000_000
    assert officer.post(f"/api/v1/plans/{pk}/versions/1/approve", {"decision_number": "1/QĐ", "decision_date":
                        "2020-02-01"}, "application/json").status_code == 403  # fmt: skip
    boss = api(Client(), leader)
    approve = {"decision_number": "123/QĐ-UBND", "decision_date": "2020-02-01", "signer": "Chủ tịch UBND tỉnh",
               "legal_document_number": "8474/BCT-CTĐP"}  # fmt: skip
    approved = boss.post(f"/api/v1/plans/{pk}/versions/1/approve", approve, "application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    twice = boss.post(f"/api/v1/plans/{pk}/versions/1/approve", approve, "application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_approved"
    supplement = {"kind": "supplementary", "reason": "Bão", "declared_total": 2_500_000_000}
    draft = officer.post(f"/api/v1/plans/{pk}/versions", supplement, "application/json")
    assert draft.status_code == 201 and draft.json()["sequence"] == 2 and draft.json()["diff"]["added"] == []
    mismatch = boss.post(f"/api/v1/plans/{pk}/versions/2/approve", approve, "application/json")
    assert mismatch.status_code == 409 and mismatch.json()["code"] == "total_mismatch"
    lines["lines"].append({"number": "3", "parent_number": "I", "name": "Bổ sung", "funding_source": "local",
                           "amount": 420_000_000})  # fmt: skip
    version = officer.put(f"/api/v1/plans/{pk}/versions/2/lines", lines, "application/json").json()
    assert [a["name"] for a in version["diff"]["added"]] == ["Bổ sung"] and version["diff"]["changed"] == []
    assert boss.post(f"/api/v1/plans/{pk}/versions/2/approve", approve, "application/json").status_code == 200
    detail = officer.get(f"/api/v1/plans/{pk}").json()
    assert [v["kind"] for v in detail["versions"]] == ["original", "supplementary"]
    assert detail["declared_total"] == 2_500_000_000
    closed = officer.post(f"/api/v1/plans/{pk}/close", {"comment": "Hết năm"}, "application/json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    late = officer.post(f"/api/v1/plans/{pk}/versions", {"kind": "adjusted"}, "application/json")
    assert late.status_code == 409 and late.json()["code"] == "plan_closed"
    assert officer.delete(f"/api/v1/plans/{pk}").json()["code"] == "in_use"
    assert AnnualPlan.objects.filter(pk=pk).exists()


def test_programmes_api(client, hatinh_officer):
    from khuyencong.demo.planning import _programmes
    from khuyencong.organisation.demo import load_demo

    load_demo()
    _programmes()
    reader = api(client, hatinh_officer)
    listed = reader.get("/api/v1/programmes", {"level": "national"}).json()["items"]
    assert {p["decision_number"] for p in listed} == {"1288/QĐ-TTg", "1881/QĐ-TTg", "2646/QĐ-BCT"}
    one = next(p for p in listed if p["decision_number"] == "1881/QĐ-TTg")
    targets = reader.get(f"/api/v1/programmes/{one['id']}").json()["targets"]
    assert len(targets) == 12 and targets[0]["target_value"] == 340
    local = reader.get("/api/v1/programmes", {"level": "local"}).json()["items"]
    assert [p["province_code"] for p in local] == ["42"]  # Nghệ An's programme is out of reach
    assert reader.get("/api/v1/plans", {"year": "abc"}).status_code == 422


def test_programmes_are_written_through_the_api_in_reach(client, hatinh_officer, agency_officer, django_user_model):
    from django.test import Client

    from khuyencong.planning.models import Programme

    officer = api(client, hatinh_officer)
    target = {"name": "Cơ sở được hỗ trợ", "unit": "cơ sở", "target_value": 150, "content_code": "2025-03"}
    body = {"level": "local", "name": "Chương trình khuyến công Hà Tĩnh 2026–2030", "start_year": 2026,
            "end_year": 2030, "province_code": "42", "targets": [target]}  # fmt: skip
    created = officer.post("/api/v1/programmes", body, "application/json")
    assert created.status_code == 201 and created.json()["targets"][0]["content_code"] == "2025-03"
    elsewhere = officer.post("/api/v1/programmes", {**body, "province_code": "40"}, "application/json")
    assert elsewhere.status_code == 422 and elsewhere.json()["details"][0]["field"] == "province_code"
    national = officer.post("/api/v1/programmes", {**body, "level": "national", "province_code": None},
                            "application/json")  # fmt: skip
    assert national.status_code == 422
    bad = officer.post("/api/v1/programmes", {**body, "end_year": 2020}, "application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "end_year"
    pk = created.json()["id"]
    patched = officer.patch(f"/api/v1/programmes/{pk}", {"decision_number": "23/2025/NQ-HĐND", "targets": []},
                            "application/json")  # fmt: skip
    assert patched.status_code == 200 and patched.json()["targets"] == []
    assert patched.json()["decision_number"] == "23/2025/NQ-HĐND"
    viewer = api(Client(), _user(django_user_model, "xem", "viewer", None))
    assert viewer.post("/api/v1/programmes", body, "application/json").status_code == 403
    assert viewer.patch(f"/api/v1/programmes/{pk}", {"name": "X"}, "application/json").status_code == 403
    agency = api(Client(), agency_officer)
    made = agency.post("/api/v1/programmes", {**body, "level": "national", "province_code": None}, "application/json")
    assert made.status_code == 201 and made.json()["owner_code"] == "CUC-DMST"
    assert Programme.objects.count() == 2
