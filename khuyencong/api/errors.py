"""One error shape for every API failure: {"code": ..., "message": ..., "details": ...}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from khuyencong.kernel.lifecycle import ActionRefused, Invalid

logger = logging.getLogger(__name__)


class ApiError(HttpError):
    """Raise from an endpoint to answer with a coded error."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status_code=status, message=message)
        self.code = code
        self.details = details


RETRY_AFTER_SECONDS = "5"


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` says the database cannot be reached (a restart, a failover, a dropped
    connection) rather than that a query was wrong: the answer is then 503 with Retry-After."""
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    # SQLite's "database is locked" and PostgreSQL's statement timeouts are OperationalErrors too,
    # but they are answered elsewhere; only a lost or refused connection is "unavailable".
    return any(
        marker in text
        for marker in (
            "connection",
            "server closed",
            "terminating connection",
            "the database system is",
            "could not connect",
            "no route to host",
        )
    )


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"code": code, "message": message, "details": details}


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status, json_dumps_params={"ensure_ascii": False})


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    422: "validation_error",
    429: "too_many_requests",
}


NUL_MESSAGE = "The request contains a NUL character, which no field accepts."


def _reject_nul(value: Any) -> Any:
    """Raise the structured 400 if any string (key or value, at any depth) holds a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(400, "nul_character", NUL_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item)
    return value


class NulRejectingParser(Parser):
    """Every query, form and JSON value passes through here before any field sees it: PostgreSQL
    refuses NUL in text, so it is refused at the boundary with one answer instead of deep in a query."""

    def parse_body(self, request):
        return _reject_nul(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request):
        return _reject_nul(super().parse_querydict(data, list_fields, request))


def install(api) -> None:
    from khuyencong.api.idempotency import Replay, replay_response

    api.parser = NulRejectingParser()

    @api.exception_handler(Replay)
    def _replay(request, exc: Replay):
        return replay_response(exc.stored)

    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return respond(request, exc.status_code, exc.code, exc.message, exc.details)

    @api.exception_handler(ActionRefused)
    def _refused(request, exc: ActionRefused):
        # A domain action said no: its code, translated message and status, never database text.
        if isinstance(exc, Invalid):
            details = [{"field": field or None, "message": message} for field, message in exc.errors.items()]
        else:
            details = {"field": exc.field}
        return respond(request, exc.status, exc.code, exc.message, details)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        details = [
            {"field": ".".join(str(p) for p in err.get("loc", [])[1:]) or None, "message": err.get("msg", "")}
            for err in exc.errors
        ]
        return respond(request, 422, "validation_error", "The request is not valid.", details)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(
            request, 401, "unauthenticated", "Authentication is required: a valid, unexpired API token or a session."
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return respond(request, 403, "forbidden", "You are not allowed to do this.")

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or "Not found.")

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        return respond(request, 404, "not_found", "Not found.")

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, ApiError):  # ninja wraps body-parser failures in a generic 400
            return _api_error(request, exc.__cause__)
        return respond(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(OverflowError)
    def _overflow(request, exc):
        return respond(request, 400, "bad_request", "A number in the request is out of range.")

    @api.exception_handler(Exception)
    def _server_error(request, exc):
        if database_unavailable(exc):
            logger.warning("API %s: database unavailable (%s)", request.path, type(exc).__name__)
            response = respond(
                request,
                503,
                "unavailable",
                "The database is not reachable at the moment; please retry in a few seconds.",
                {"request_id": getattr(request, "id", None)},
            )
            response["Retry-After"] = RETRY_AFTER_SECONDS
            return response
        logger.exception("API error on %s", request.path)
        return respond(
            request,
            500,
            "server_error",
            "An unexpected error occurred; it has been logged.",
            {"request_id": getattr(request, "id", None)},
        )
