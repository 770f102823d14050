"""/api/v1/legal-documents and /api/v1/rules."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.rulebook.models import LegalDocument, SpendingNorm

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
NEXT_MONTH = TODAY + dt.timedelta(days=31)


@pytest.fixture
def api(client):
    def make(user):
        _token, secret = issue_token(user=user, name="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make


def test_legal_documents_list_search_and_detail(api, hatinh_officer):
    client = api(hatinh_officer)
    listed = client.get("/api/v1/legal-documents", {"q": "khuyen cong dia phuong"}).json()
    numbers = {item["number"] for item in listed["items"]}
    assert "NQ-HĐND Đắk Lắk 2025" in numbers and "45/2012/NĐ-CP" not in numbers
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    detail = client.get(f"/api/v1/legal-documents/{tt28.pk}").json()
    assert detail["replaces"] == "26/2014/TTLT-BTC-BCT" and detail["effective_from"] == "2018-05-11"
    bad = client.get("/api/v1/legal-documents", {"year": "x", "colour": "red"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_legal_document_create_and_patch(api, admin_user, hatinh_officer):
    body = {"number": "99/2026/TT-BTC", "doc_type": "circular", "issuing_body": "Bộ Tài chính", "title": "Thử",
            "effective_from": "2026-12-01", "amends": ["28/2018/TT-BTC"]}  # fmt: skip
    assert api(hatinh_officer).post("/api/v1/legal-documents", body, "application/json").status_code == 403
    created = api(admin_user).post("/api/v1/legal-documents", body, "application/json")
    assert created.status_code == 201 and created.json()["amends"] == ["28/2018/TT-BTC"]
    pk = created.json()["id"]
    patched = api(admin_user).patch(f"/api/v1/legal-documents/{pk}", {"signer": "Thứ trưởng"}, "application/json")
    assert patched.json()["signer"] == "Thứ trưởng"
    bad = api(admin_user).patch(f"/api/v1/legal-documents/{pk}", {"replaces": "không có"}, "application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "replaces"


def test_rules_on_a_date(api, hatinh_officer):
    client = api(hatinh_officer)
    old = client.get("/api/v1/rules", {"on": "2016-01-01", "code": "machinery"}).json()["items"]
    new = client.get("/api/v1/rules", {"on": "2019-01-01", "code": "machinery"}).json()["items"]
    assert [i["values"]["amount_cap"] for i in old] == [200_000_000]
    assert [i["values"]["line_cap"] for i in new] == [450_000_000]
    assert new[0]["legal_document"]["number"] == "28/2018/TT-BTC"
    local = client.get("/api/v1/rules", {"on": "2026-01-01", "jurisdiction": "66"}).json()["items"]
    assert {i["values"]["amount_cap"] for i in local} == {800_000_000, 400_000_000}
    deadlines = client.get("/api/v1/rules", {"kind": "deadline", "on": "2020-03-01"}).json()["items"]
    assert {"contract_signing", "revised_proposals", "liquidation"} <= {i["code"] for i in deadlines}
    advances = client.get("/api/v1/rules", {"kind": "advance", "content": "2012-01", "on": "2020-01-01"}).json()
    assert [i["values"]["first_advance_percent"] for i in advances["items"]] == [70.0]
    bad = client.get("/api/v1/rules", {"on": "2026-13-01", "kind": "law"})
    assert bad.status_code == 422 and {d["field"] for d in bad.json()["details"]} == {"on", "kind"}
    one = client.get(f"/api/v1/rules/norm/{new[0]['id']}")
    assert one.status_code == 200 and one.json()["kind"] == "norm"
    assert client.get("/api/v1/rules/law/1").status_code == 404


def _norm_body(**overrides):
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    body = {"kind": "norm", "code": "machinery", "name": "Máy móc thiết bị", "legal_document_id": tt28.pk,
            "effective_from": NEXT_MONTH.isoformat(), "content_codes": ["2012-03", "2025-03"],
            "values": {"percent_cap": 50, "amount_cap": 400_000_000, "line_multiplier": 1.5}}  # fmt: skip
    body.update(overrides)
    return body


def test_create_rule_version_and_its_refusals(api, admin_user):
    client = api(admin_user)
    before = SpendingNorm.objects.count()
    missing = client.post("/api/v1/rules", _norm_body(legal_document_id=None), "application/json")
    assert missing.status_code == 422 and missing.json()["code"] == "no_legal_basis"
    assert missing.json()["details"] == {"field": "legal_document"}
    negative = client.post("/api/v1/rules", _norm_body(values={"amount_cap": -1}), "application/json")
    assert negative.status_code == 422 and negative.json()["details"][0]["field"] == "values.amount_cap"
    unknown = client.post("/api/v1/rules", _norm_body(values={"colour": 1}), "application/json")
    assert unknown.status_code == 422
    assert SpendingNorm.objects.count() == before
    created = client.post("/api/v1/rules", _norm_body(), "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["supersedes_id"] is not None
    overlap = client.post("/api/v1/rules", _norm_body(), "application/json")
    assert overlap.status_code == 409 and overlap.json()["code"] == "overlapping_version"
    today = client.get("/api/v1/rules", {"on": TODAY.isoformat(), "code": "machinery"}).json()["items"]
    later = client.get("/api/v1/rules", {"on": NEXT_MONTH.isoformat(), "code": "machinery"}).json()["items"]
    assert [i["values"]["amount_cap"] for i in today] == [300_000_000]
    assert [i["values"]["amount_cap"] for i in later] == [400_000_000]
    in_force = today[0]["id"]
    refused = client.delete(f"/api/v1/rules/norm/{in_force}")
    assert refused.status_code == 409 and refused.json()["code"] == "version_in_force"
    assert client.delete(f"/api/v1/rules/norm/{created.json()['id']}").status_code == 204
    assert SpendingNorm.objects.count() == before
