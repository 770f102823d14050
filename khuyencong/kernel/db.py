"""Database helpers shared by the apps: a time limit for the queries of one page, and a list of ids
as one parameter."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, F, Func

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
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(milliseconds)}")
            yield
            if nested:  # a savepoint's SET LOCAL would outlive it, to the end of the transaction
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise QueryTooSlow(str(exc)) from exc
        raise


class InIds(Func):
    """``column IN (ids)`` as one parameter: ``= ANY(%s)`` with an array on PostgreSQL,
    ``IN (SELECT value FROM json_each(%s))`` on SQLite.

    Django's ``__in`` prepares, resolves and binds each value on its own (about 10 µs a value, for
    each query that uses the filter: a list page's page and count), and a query with thousands of
    placeholders costs PostgreSQL as much to plan. Use it for a list of integer ids read from a
    small table first, e.g. ``Q(InIds("commune_id", ids))``; the values must be integers.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: Iterable[int]) -> None:
        super().__init__(F(column))
        self.ids = sorted({int(value) for value in ids})

    # The SQL around the placeholders is fixed text and the compiled column; values are parameters.
    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        if connection.vendor == "sqlite":
            return f"{column} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]  # noqa: S608
        return f"{column} IN ({', '.join(str(value) for value in self.ids)})", list(params)  # integers only
