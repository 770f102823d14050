"""NUL characters and out-of-range ids get a 4xx on every input path, never a 500 (PostgreSQL refuses
NUL in text; SQLite cannot hold integers of 2**63 and above)."""

import base64
import json

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine
from tests.registry.factories import commune_of, make_establishment

pytestmark = pytest.mark.django_db

TOO_BIG = str(2**63)


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def api(client, territory, hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def payload(**overrides):
    return {"name": "Cơ sở NUL", "legal_form": "household", "commune_code": "42-first", **overrides}


def resolved(body: dict) -> dict:
    """The placeholder commune stands for Hà Tĩnh's first commune (looked up once the database is there)."""
    return {**body, "commune_code": commune_of("42").code} if body["commune_code"] == "42-first" else body


@pytest.mark.parametrize("url", ["/api/v1/org-units", "/api/v1/geo/communes", "/api/v1/establishments"])
def test_nul_inside_a_cursor_is_a_400(api, url):
    response = api.get(url, {"cursor": cursor_of(["\u0000", 1])})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "body",
    [
        payload(commune_code="18\u000073"),
        payload(industry_line_codes=["10\u000010"]),
        payload(name="Cơ sở\u0000"),
        {**payload(), "extra\u0000key": 1},
    ],
    ids=["commune_code", "industry_line_codes", "name", "key"],
)
def test_nul_in_a_json_body_is_a_structured_400_and_creates_nothing(api, body):
    response = api.post("/api/v1/establishments", resolved(body), "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert set(response.json()) == {"code", "message", "details"}
    assert not Establishment.objects.filter(name__startswith="Cơ sở NUL").exists()


def test_nul_in_an_update_changes_nothing(api):
    record = make_establishment(name="Cơ sở gốc")
    line = IndustryLine.objects.filter(valid_to__isnull=True).first()
    record.industry_lines.add(line)
    response = api.put(
        f"/api/v1/establishments/{record.pk}",
        resolved(payload(name="Đổi tên", industry_line_codes=["10\u000010"])),
        "application/json",
    )
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.name == "Cơ sở gốc"
    assert list(record.industry_lines.all()) == [line]


class TestWebForms:
    @pytest.fixture
    def web(self, client_for, territory, hatinh_officer):
        return client_for(hatinh_officer)

    @pytest.mark.parametrize("url", ["/establishments/new/", "/establishments/craft-villages/new/"])
    def test_nul_commune_is_a_form_error(self, web, url):
        response = web.post(url, {"name": "Cơ sở NUL", "legal_form": "household", "commune": "\x00"})
        assert response.status_code == 200
        assert "commune" in response.context["form"].errors
        assert not Establishment.objects.filter(name="Cơ sở NUL").exists()
        assert not CraftVillage.objects.filter(name="Cơ sở NUL").exists()

    def test_nul_commune_on_edit_changes_nothing(self, web):
        record = make_establishment(name="Cơ sở gốc")
        response = web.post(
            f"/establishments/{record.pk}/edit/", {"name": "Đổi tên", "legal_form": "household", "commune": "42\x00"}
        )
        assert response.status_code == 200
        assert "commune" in response.context["form"].errors
        record.refresh_from_db()
        assert record.name == "Cơ sở gốc"

    @pytest.mark.parametrize("value", [TOO_BIG, str(2**64), "-" + TOO_BIG + "1"])
    def test_out_of_range_industry_line_is_a_form_error(self, web, value):
        data = {"name": "Cơ sở tràn số", "legal_form": "household", "commune": commune_of("42").code}
        response = web.post("/establishments/new/", {**data, "industry_lines": [value]})
        assert response.status_code == 200
        assert "industry_lines" in response.context["form"].errors
        assert not Establishment.objects.filter(name="Cơ sở tràn số").exists()
