"""The spec documents every operation's errors and can be fetched with an API token alone."""

import pytest
from django.test import Client

from khuyencong.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_headers(hatinh_officer):
    _token, secret = issue_token(user=hatinh_officer, name="spec")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def spec(client, token_headers):
    response = client.get("/api/v1/openapi.json", headers=token_headers)
    assert response.status_code == 200
    return response.json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_token_client_fetches_spec_and_docs_without_a_session(client, token_headers, spec):
    assert "/api/v1/establishments" in spec["paths"]
    docs = client.get("/api/v1/docs", headers=token_headers)
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert "sessionid" not in client.cookies


@pytest.mark.parametrize("header", ["Bearer kc_abc_def", "Bearer ", "Basic xyz"])
def test_bad_token_gets_the_json_401(client, header):
    response = client.get("/api/v1/openapi.json", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_anonymous_spec_is_401_and_anonymous_docs_go_to_login(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 401 and spec.json()["code"] == "unauthenticated"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")


def test_session_still_reads_spec_and_docs(client, hatinh_officer):
    client.force_login(hatinh_officer)
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_error_schema_is_the_one_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "details"}


def test_every_operation_documents_its_errors(spec):
    ref = {"$ref": "#/components/schemas/Error"}
    seen = 0
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        expected = {"400", "401", "403"}
        if "{" in path:
            expected.add("404")
        if method in {"post", "put", "patch", "delete"}:
            expected.add("409")
            # A write with no parameter and no body (marking all notifications read) has nothing to reject.
            if operation.get("parameters") or "requestBody" in operation:
                expected.add("422")
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == ref
        seen += 1
    assert seen >= 10


def test_success_responses_are_kept(spec):
    create = spec["paths"]["/api/v1/establishments"]["post"]["responses"]
    assert "201" in create and "Error" not in str(create["201"])
    provinces = spec["paths"]["/api/v1/geo/provinces/{code}"]["get"]["responses"]
    assert "is_legacy" in str(spec["components"]["schemas"]["ProvinceDetail"]) and "200" in provinces


def test_a_status_the_endpoint_declares_itself_is_kept():
    from khuyencong.api.schema import add_error_responses

    spec = {
        "paths": {
            "/x/{id}": {
                "delete": {
                    "parameters": [{"in": "path", "name": "id"}],
                    "security": [{"Bearer": []}],
                    "responses": {204: {"description": "Gone"}, 409: {"description": "Still in use"}},
                }
            }
        }
    }
    responses = add_error_responses(spec)["paths"]["/x/{id}"]["delete"]["responses"]
    assert responses[409] == {"description": "Still in use"}
    assert sorted(responses) == [204, 400, 401, 403, 404, 409, 422]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v2/me", "/api/"])
def test_unknown_api_path_is_json_404_even_in_debug(settings, hatinh_officer, path):
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    client.force_login(hatinh_officer)
    for response in (client.get(path), client.post(path, {}, "application/json")):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_paging_parameters_are_explained(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/geo/communes"]["get"]["parameters"]}
    assert "next_cursor" in parameters["cursor"]["description"]
    assert "500" in parameters["limit"]["description"]


def test_no_two_api_schemas_share_a_name():
    """django-ninja names a component after its class: two different schemas called the same (say
    two ``RuleOut``) silently share one component and one of the endpoints then breaks its spec.
    Identical shapes under one name (the step and transition records) are harmless."""
    import importlib
    import pkgutil

    from ninja import Schema

    import khuyencong

    for module in pkgutil.walk_packages(khuyencong.__path__, "khuyencong."):
        if module.name.rsplit(".", 1)[-1].startswith("api") or ".api" in module.name:
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, tuple[str, dict]] = {}
    clashes = []
    for schema in subclasses(Schema):
        if not schema.__module__.startswith("khuyencong."):
            continue
        where = f"{schema.__module__}.{schema.__qualname__}"
        shape = schema.model_json_schema()
        if schema.__name__ in seen and seen[schema.__name__][1] != shape:
            clashes.append((schema.__name__, seen[schema.__name__][0], where))
        seen.setdefault(schema.__name__, (where, shape))
    assert clashes == [], f"schemas sharing a component name: {clashes}"
