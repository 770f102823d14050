"""Who is acting and under which request id, for the change log and logs.

Context variables work for threads (gunicorn sync workers), async views and job workers alike.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from typing import Any

_request_id: ContextVar[str] = ContextVar("kc_request_id", default="")
_client_request_id: ContextVar[str] = ContextVar("kc_client_request_id", default="")
_actor: ContextVar[Any] = ContextVar("kc_actor", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def get_request_id() -> str:
    return _request_id.get()


def get_client_request_id() -> str:
    """The id the client sent in ``X-Request-ID``, if any: for correlation only, never trusted."""
    return _client_request_id.get()


def get_actor():
    return _actor.get()


@contextlib.contextmanager
def acting_as(user, request_id: str | None = None):
    """Attribute every change made inside the block to ``user`` (jobs, commands, tests)."""
    user_token = _actor.set(user)
    rid_token = _request_id.set(request_id or _request_id.get() or new_request_id())
    try:
        yield
    finally:
        _actor.reset(user_token)
        _request_id.reset(rid_token)


def set_request_id(value: str, *, client_request_id: str = ""):
    return _request_id.set(value), _client_request_id.set(client_request_id)


def reset_request_id(tokens) -> None:
    rid_token, client_token = tokens
    _request_id.reset(rid_token)
    _client_request_id.reset(client_token)


def set_actor(user):
    return _actor.set(user)


def reset_actor(token) -> None:
    _actor.reset(token)
