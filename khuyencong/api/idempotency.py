"""Safe retries of API creates: an ``Idempotency-Key`` header (``@idempotent`` under ``@router.post``).

* No header: the endpoint runs as before.
* First request with a key: the endpoint runs inside one transaction that also stores its answer
  (``kernel.IdempotentRequest``: user, key, method, path, SHA-256 of the body, status, JSON body),
  so a crash leaves neither the record nor the key.
* Only a 2xx answer is stored. Any other answer (a 422, a 403, a refusal) rolls the key back with
  everything else, so the client may correct the body and retry under the same key.
* Replay (same user, key, method, path and body): the stored status and body, with
  ``Idempotent-Replayed: true``; the endpoint does not run, nothing is written.
* The same key with another body, method or path: 409 ``idempotency_key_reused``.
* Two concurrent requests with one key: the key's row is inserted before the endpoint runs; on
  PostgreSQL the second insert waits for the first transaction, then replays its answer (or runs, if
  the first failed and rolled back). A key seen still running answers 409 ``idempotency_in_progress``.
* Keys are per user: another user's key is unrelated. Rows older than ``IDEMPOTENCY_KEY_DAYS``
  are purged by the jobs housekeeping (``purge_idempotency_keys``).

Finance's ``POST /ledger-entries`` and ``POST /allocations`` keep their own key, part of the money
design (ADR 0007); they are not decorated.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja.decorators import _apply_decorators
from ninja.utils import contribute_operation_callback

from khuyencong.api.errors import ApiError
from khuyencong.kernel.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 100
IN_PROGRESS = 0
KEPT_HEADERS = ("Location", "ETag")
OPENAPI_MARK = "x-idempotent"
HEADER_DESCRIPTION = (
    "Optional, at most 100 characters, unique per request you mean (e.g. a UUID). A retry with the "
    "same key and body answers the first 2xx answer again, with Idempotent-Replayed: true, and writes "
    "nothing; the same key with another body answers 409 idempotency_key_reused. Only 2xx answers are "
    "kept, for %(days)s days; keys are per user."
)


def kept_days() -> int:
    return int(getattr(settings, "IDEMPOTENCY_KEY_DAYS", 7))


class Replay(Exception):
    """Raised inside the endpoint's place when the key was answered before (see ``errors.install``)."""

    def __init__(self, stored: IdempotentRequest) -> None:
        super().__init__(stored.key)
        self.stored = stored


def replay_response(stored: IdempotentRequest) -> HttpResponse:
    response = JsonResponse(
        stored.response_body, status=stored.status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (stored.response_headers or {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class _Pending:
    def __init__(self, key: str) -> None:
        self.key = key
        self.row: IdempotentRequest | None = None


def _reserve(view_func):
    """Runs after authentication and parsing: insert the key's row (or find the earlier one)."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        pending: _Pending | None = getattr(request, "_kc_idempotency", None)
        if pending is None:
            return view_func(request, *args, **kwargs)
        user = request.auth
        digest = hashlib.sha256(request.body or b"").hexdigest()
        try:
            with transaction.atomic():
                pending.row = IdempotentRequest.objects.create(
                    user=user, key=pending.key, method=request.method, path=request.path[:500], body_sha256=digest
                )
        except IntegrityError:
            stored = IdempotentRequest.objects.filter(user=user, key=pending.key).first()
            if stored is None:  # purged between the two statements: extremely unlikely, ask for a retry
                raise ApiError(409, "idempotency_in_progress", "The request with this key is still running.") from None
            if (stored.method, stored.path, stored.body_sha256) != (request.method, request.path[:500], digest):
                raise ApiError(
                    409,
                    "idempotency_key_reused",
                    "This Idempotency-Key was used for another request; use a new key for a new request.",
                    {"field": HEADER},
                ) from None
            if stored.status == IN_PROGRESS:
                raise ApiError(409, "idempotency_in_progress", "The request with this key is still running.") from None
            raise Replay(stored) from None
        return view_func(request, *args, **kwargs)

    return wrapper


def _run(run):
    """Wraps the operation's whole run (checks, parsing, endpoint, rendering) in one transaction."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return run(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return JsonResponse(
                {
                    "code": "validation_error",
                    "message": "The Idempotency-Key header is too long (at most 100 characters).",
                    "details": [{"field": HEADER, "message": "At most 100 characters."}],
                },
                status=422,
            )
        pending = _Pending(key)
        request._kc_idempotency = pending
        try:
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                row = pending.row
                if row is None:  # refused before the endpoint, or a replay: nothing of ours to keep
                    return response
                if not 200 <= response.status_code < 300:
                    transaction.set_rollback(True)  # the key goes with whatever the failure left
                    return response
                row.status = response.status_code
                row.response_body = _body(response)
                row.response_headers = {name: response[name] for name in KEPT_HEADERS if name in response}
                row.save(update_fields=["status", "response_body", "response_headers"])
                return response
        finally:
            del request._kc_idempotency

    return wrapper


def _body(response: HttpResponse) -> Any:
    content = getattr(response, "content", b"")
    if not content:
        return None
    return json.loads(content)


def _mark(operation) -> None:
    operation.view_func = _reserve(operation.view_func)
    _apply_decorators((_run,), operation)
    extra = dict(operation.openapi_extra or {})
    extra[OPENAPI_MARK] = True
    operation.openapi_extra = extra


def idempotent(func):
    """Put under ``@router.post(...)`` of an endpoint that creates a record."""
    contribute_operation_callback(func, _mark)
    return func


def document_header(spec: dict) -> dict:
    """Add the header parameter to every operation marked idempotent (called by ``schema.install``)."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": HEADER_DESCRIPTION % {"days": kept_days()},
    }
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.pop(OPENAPI_MARK, False):
                operation.setdefault("parameters", []).append(parameter)
    return spec


def purge_idempotency_keys(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than ``IDEMPOTENCY_KEY_DAYS`` (the jobs housekeeping calls this)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=kept_days())
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
