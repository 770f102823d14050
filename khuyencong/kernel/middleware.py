from __future__ import annotations

import logging
import re

from khuyencong.kernel import context

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request a server-generated id; the change log and logs use only that one.

    A client's well-formed ``X-Request-ID`` is kept apart as ``request.client_request_id`` (shown in
    logs as ``client=…``) so a caller can correlate its own calls, but it can never make a change look
    as if it belonged to someone else's request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.client_request_id = incoming if _VALID_REQUEST_ID.match(incoming) else ""
        request.id = context.new_request_id()
        token = context.set_request_id(request.id, client_request_id=request.client_request_id)
        try:
            response = self.get_response(request)
        finally:
            context.reset_request_id(token)
        response["X-Request-ID"] = request.id
        return response


class CurrentUserMiddleware:
    """Expose the authenticated user to the change log for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_actor(request.user if getattr(request, "user", None) else None)
        try:
            return self.get_response(request)
        finally:
            context.reset_actor(token)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.get_request_id() or "-"
        client_id = context.get_client_request_id()
        if client_id:
            record.request_id += f" client={client_id}"  # type: ignore[attr-defined]
        return True
