"""Schemathesis fuzzes every documented operation with the tokens of several roles (the system
administrator, an agency officer, a provincial officer, the provincial finance officer and the
read-only viewer): no answer may be a server error, every answer (status, content type, body) must be
one the spec documents, and every error answer has the one error shape ``{code, message, details}``."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from khuyencong.accounts.tokens import issue_token
from khuyencong.organisation.models import Role
from khuyencong.planning.models import AnnualPlan
from khuyencong.registry.models import CraftVillage, Establishment
from khuyencong.rulebook.models import LegalDocument, SpendingNorm
from tests.conftest import HA_TINH, NGHE_AN, _user
from tests.planning.factories import make_plan
from tests.registry.factories import commune_of, make_establishment, make_village

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 2  # per role, operation and mode: 5 roles x 31 operations x 2 modes x 2 = 620 requests


def one_error_shape(ctx, response, case):
    """Every 4xx answer is ``{"code": str, "message": str, "details": ...}`` and nothing else."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"code", "message", "details"}, (response.status_code, body)
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str) and body["message"], body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    one_error_shape,
]


@pytest.fixture
def same_connection():
    """The WSGI handler closes "old" connections around each request; inside the test's transaction that
    would drop it, so (as Django's test client does) the requests share the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(territory, admin_user, agency_officer, hatinh_officer, django_user_model):
    viewer = _user(django_user_model, "viewer", Role.VIEWER, f"SCT-{HA_TINH}")
    finance = _user(django_user_model, "finance", Role.PROVINCIAL_FINANCE, f"STC-{HA_TINH}")
    for province in (HA_TINH, HA_TINH, NGHE_AN):
        make_establishment(province_code=province)
        make_village(province_code=province)
    make_plan(HA_TINH)
    make_plan(None, approved=True)
    users = {
        "admin": admin_user,
        "agency": agency_officer,
        "hatinh": hatinh_officer,
        "viewer": viewer,
        "finance": finance,
    }
    return {name: issue_token(user=user, name="fuzz")[1] for name, user in users.items()}


def test_fuzz_finds_no_server_error_and_nothing_outside_the_spec(tokens, same_connection):
    app = get_wsgi_application()
    any_token = {"Authorization": f"Bearer {tokens['hatinh']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=any_token)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures, calls = [], []
    for role, secret in tokens.items():
        headers = {"Authorization": f"Bearer {secret}"}
        for operation, mode in [(op, mode) for op in operations for mode in GenerationMode]:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                response = case.call(headers=headers)
                calls.append(response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                check()
            except Exception as exc:  # every operation is tried; all failures are reported together
                failures.append(f"{role} {mode} {operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert len(calls) >= len(tokens) * len(operations) * 2  # every role, operation and mode was exercised
    assert {200, 400, 404, 422} <= set(calls), sorted(set(calls))


def test_successful_answers_match_the_spec_for_every_role(tokens, same_connection):
    """Random data rarely makes a valid record, so the 2xx bodies are also checked on hand-made calls."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), headers={"Authorization": f"Bearer {tokens['agency']}"}
    )
    record = Establishment.objects.filter(commune__province__code=HA_TINH).first()
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    norm = SpendingNorm.objects.filter(code="machinery").first()
    village = CraftVillage.objects.filter(commune__province__code=HA_TINH).first()
    plan = AnnualPlan.objects.get(level="national")  # every planning reader reads it
    body = {"name": "Cơ sở kiểm tra đặc tả", "legal_form": "household", "commune_code": commune_of(HA_TINH).code}
    # PUT replaces the whole record, so every field is sent (PATCH sends only what changes).
    full = {**body, "tax_code": None, "registration_number": "", "owner_name": "", "owner_gender": "", "address": "",
            "craft_village_id": None, "industry_line_codes": [], "main_products": "", "workers_total": None,
            "workers_women": None, "workers_ethnic_minority": None, "annual_revenue": None, "founding_year": None,
            "phone": "", "email": "", "latitude": None, "longitude": None, "status": "active", "women_owned": False,
            "ethnic_minority_workers": False, "disadvantaged_area": False}  # fmt: skip
    cases = [
        ("/me", "GET", {}),
        ("/org-units", "GET", {"query": {"limit": 2}}),
        ("/geo/provinces/{code}", "GET", {"path_parameters": {"code": "36"}}),
        ("/geo/communes", "GET", {"query": {"province": HA_TINH, "limit": 2}}),
        ("/establishments", "GET", {"query": {"limit": 2}}),
        ("/establishments/{pk}", "GET", {"path_parameters": {"pk": record.pk}}),
        ("/establishments", "POST", {"body": body}),
        ("/establishments/{pk}", "PUT", {"path_parameters": {"pk": record.pk}, "body": {**full, "name": "Đổi tên"}}),
        ("/establishments/{pk}", "PATCH", {"path_parameters": {"pk": record.pk}, "body": {"name": "Đổi tên nữa"}}),
        ("/craft-villages", "GET", {}),
        ("/craft-villages/{pk}", "GET", {"path_parameters": {"pk": village.pk}}),
        ("/plans", "GET", {"query": {"limit": 2}}),
        ("/plans/{pk}", "GET", {"path_parameters": {"pk": plan.pk}}),
        ("/plans/{pk}/versions/{sequence}", "GET", {"path_parameters": {"pk": plan.pk, "sequence": 1}}),
        ("/programmes", "GET", {}),
        ("/legal-documents", "GET", {"query": {"q": "khuyen cong", "limit": 3}}),
        ("/legal-documents/{pk}", "GET", {"path_parameters": {"pk": tt28.pk}}),
        (
            "/legal-documents",
            "POST",
            {"body": {"number": "1/2026/TT", "doc_type": "circular", "issuing_body": "BTC", "title": "Thử"}},
        ),
        ("/rules", "GET", {"query": {"on": "2019-01-01", "kind": "norm"}}),
        ("/rules", "GET", {"query": {"kind": "deadline", "on": "2020-03-01"}}),
        ("/rules/{kind}/{pk}", "GET", {"path_parameters": {"kind": "norm", "pk": norm.pk}}),
        (
            "/rules",
            "POST",
            {
                "body": {
                    "kind": "norm",
                    "code": "machinery",
                    "name": "Máy móc",
                    "legal_document_id": tt28.pk,
                    "effective_from": "2030-01-01",
                }
            },
        ),
    ]
    statuses = {}
    for role, secret in tokens.items():
        headers = {"Authorization": f"Bearer {secret}"}
        for path, method, data in cases:
            case = schema["/api/v1" + path][method].Case(**data)
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
            statuses[role, method, path] = response.status_code
    assert statuses["hatinh", "POST", "/establishments"] == 201
    assert statuses["admin", "POST", "/establishments"] == 201
    assert statuses["hatinh", "PUT", "/establishments/{pk}"] == 200
    assert statuses["hatinh", "PATCH", "/establishments/{pk}"] == 200
    assert statuses["viewer", "GET", "/establishments/{pk}"] == 200
    assert statuses["viewer", "POST", "/establishments"] == 403
    assert statuses["finance", "PATCH", "/establishments/{pk}"] == 403
    assert statuses["viewer", "GET", "/plans/{pk}/versions/{sequence}"] == 200
    assert statuses["viewer", "GET", "/rules"] == 200 and statuses["viewer", "GET", "/rules/{kind}/{pk}"] == 200
    assert statuses["agency", "POST", "/rules"] == 403 and statuses["hatinh", "POST", "/legal-documents"] == 403


def test_the_error_shape_check_refuses_any_other_shape():
    class Answer:
        status_code = 404

        def __init__(self, body):
            self.body = body

        def json(self):
            return self.body

    assert (
        one_error_shape(None, Answer({"code": "not_found", "message": "Không tìm thấy.", "details": None}), None)
        is None
    )
    for body in ({"detail": "Not Found"}, {"code": "x", "message": "y"}, {"code": "", "message": "y", "details": None}):
        with pytest.raises(AssertionError):
            one_error_shape(None, Answer(body), None)
