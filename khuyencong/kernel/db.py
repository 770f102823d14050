"""Database helpers shared by the apps: a time limit for the queries of one page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout


class QueryTooSlow(Exception):
    """A query ran past its time limit and was cancelled by the database."""


@contextmanager
def statement_timeout(milliseconds: int) -> Iterator[None]:
    """Run the block's queries under a PostgreSQL ``statement_timeout`` (in its own transaction
    or savepoint, so the limit ends with it); a cancelled query raises :class:`QueryTooSlow`.

    On other databases, or with 0, the block runs unlimited.
    """
    if not milliseconds or connection.vendor != "postgresql":
        yield
        return
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(milliseconds)}")
            yield
            with connection.cursor() as cursor:  # a savepoint's SET LOCAL would outlive it
                cursor.execute("SET LOCAL statement_timeout = DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise QueryTooSlow(str(exc)) from exc
        raise
