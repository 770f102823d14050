"""The OpenAPI document tells the truth about failures, and API-token clients may read it.

Every operation answers its errors in one shape (see ``errors.py``), so the error responses are added
here, once, from what an operation takes (path parameters, a query or a body, a write method) rather
than declared endpoint by endpoint.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from ninja.errors import AuthenticationError

from khuyencong.api.auth import BearerToken
from khuyencong.api.errors import error_response
from khuyencong.api.idempotency import document_header

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA = {
    "title": ERROR_SCHEMA_NAME,
    "description": "The one shape of every API failure.",
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "A stable machine-readable code, e.g. validation_error."},
        "message": {"type": "string", "description": "A human-readable explanation."},
        "details": {"description": "Field errors (a list of {field, message}) or other context; null if none."},
    },
    "required": ["code", "message", "details"],
}

ERROR_DESCRIPTIONS = {
    400: "Malformed request: an unreadable body or cursor, or a NUL character in a value.",
    401: "No valid credentials: a missing, unknown, expired or revoked API token, or no session.",
    403: "The user's roles do not allow this action here (or a session write without a CSRF token).",
    404: "No such record within the user's reach.",
    409: "The change conflicts with an existing record.",
    422: "A parameter or field is not valid; details lists the fields.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}

# Query parameters every paged list shares (see ``pagination.keyset_page``).
PARAMETER_DESCRIPTIONS = {
    "cursor": "Opaque position in the list: pass next_cursor from the previous page; anything else is a 400.",
    "limit": "Rows per page, at most 500.",
}


def error_statuses(method: str, operation: dict) -> list[int]:
    """The error statuses an operation can answer, judged from its shape."""
    parameters = operation.get("parameters", [])
    statuses = [400]
    if operation.get("security"):
        statuses += [401, 403]
    if any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    if method in WRITE_METHODS:
        statuses.append(409)
    if parameters or "requestBody" in operation:
        statuses.append(422)
    return statuses


def add_error_responses(spec: dict) -> dict:
    spec.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for path_item in spec.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") in PARAMETER_DESCRIPTIONS:
                    parameter.setdefault("description", PARAMETER_DESCRIPTIONS[parameter["name"]])
            responses = operation["responses"]
            for status in error_statuses(method, operation):
                if status in responses or str(status) in responses:
                    continue  # an endpoint that declares the status itself keeps its own description
                responses[status] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ref}},
                }
    return spec


def docs_access(view):
    """The spec and the docs page for a signed-in session or a valid API token.

    A bad or missing token gets the API's JSON 401; a browser without a session goes to the login page.
    """
    bearer = BearerToken()

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("Authorization"):
            try:
                user = bearer(request)
            except AuthenticationError:
                user = None
            if user is None:
                return error_response(401, "unauthenticated", "A valid, unexpired API token is required.")
        elif not request.user.is_authenticated:
            if request.path.endswith(".json"):
                return error_response(401, "unauthenticated", "Authentication is required: an API token or a session.")
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def install(api) -> None:
    """Document the error responses of every operation and open the spec to token clients.

    Call before ``api.urls`` is read (the docs views are wrapped when the URLs are built).
    """
    api.docs_decorator = docs_access
    generate = api.get_openapi_schema

    def get_openapi_schema(*, path_prefix=None, path_params=None):
        return add_error_responses(document_header(generate(path_prefix=path_prefix, path_params=path_params)))

    api.get_openapi_schema = get_openapi_schema
