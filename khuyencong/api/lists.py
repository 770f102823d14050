"""List endpoints: the page's filters under the same names, and bulk reads treated as exports.

A list's first page of at most ``LOOKUP_LIMIT`` rows is a lookup and needs only the view
permission, like the HTML list. Anything more (a ``cursor`` to a later page, or a ``limit`` above
``LOOKUP_LIMIT``) takes data out in bulk: it needs the export permission, is read within the
user's export reach, and is written to the access log with the filters and row count, like a file
export (docs/architecture.md, "Reading lists").
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import translation
from ninja import Field, Schema
from pydantic import create_model

from khuyencong.api.errors import ApiError
from khuyencong.api.pagination import MAX_LIMIT, keyset_page
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.filters import FilterSpec, YesNoField
from khuyencong.kernel.scoping import Action, can

LOOKUP_LIMIT = 100
PAGING = ("cursor", "limit")


def query_schema(spec_class: type[FilterSpec], name: str) -> type[Schema]:
    """The query parameters of a list endpoint, for the API's documentation: the spec's filters
    (validated by the spec itself, so the page and the API accept the same values), then paging."""
    fields = {
        param: (str | None, Field(None, description=_describe(spec_class, param)))
        for param in spec_class.parameter_names()
        if param != "sort"
    }
    fields["cursor"] = (str | None, Field(None, description="next_cursor of the previous page."))
    fields["limit"] = (
        int,
        Field(
            LOOKUP_LIMIT,
            ge=1,
            le=MAX_LIMIT,
            description=f"Rows per page. More than {LOOKUP_LIMIT}, or any later page, needs the export permission.",
        ),
    )
    return create_model(name, __base__=Schema, **fields)


def _describe(spec_class: type[FilterSpec], param: str) -> str:
    if param == "q":
        return "Search text; accents and case are ignored."
    field = spec_class.base_fields[param]
    with translation.override("en"):  # the API's documentation is in English
        described = str(field.label)
    if isinstance(field, forms.ModelChoiceField):  # no query at import: the values are codes or ids
        return f"{described} ({field.to_field_name or 'id'})"
    if isinstance(field, YesNoField):
        return f"{described}: 1 or true, 0 or false"
    if isinstance(field, forms.ChoiceField):
        described += ": " + ", ".join(str(value) for value, _label in field.choices if value != "")
    return described


def list_page(request, query: Schema, *, spec_class: type[FilterSpec], selector, model, order_field: str,
              prepare=None) -> dict:  # fmt: skip
    """One page of ``selector``'s rows for the API, keyset-paged by ``order_field``."""
    user = request.auth
    allowed = {p for p in spec_class.parameter_names() if p != "sort"} | set(PAGING)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(422, "validation_error", "Unknown query parameters.",
                       [{"field": name, "message": "This list has no such filter."} for name in unknown])  # fmt: skip
    bulk = bool(query.cursor) or query.limit > LOOKUP_LIMIT
    action = Action.EXPORT if bulk else Action.VIEW
    if not can(user, action, model):
        if bulk:
            message = f"Only the first {LOOKUP_LIMIT} rows may be read without the export permission."
            raise ApiError(403, "export_required", message)
        raise ApiError(403, "forbidden", "You are not allowed to see these records.")
    spec = spec_class(request.GET, user=user)
    if not spec.is_valid():
        raise ApiError(422, "validation_error", "The filters are not valid.", spec.error_details())
    rows: QuerySet = selector(user=user, action=action, filters=spec)
    if prepare is not None:
        rows = prepare(rows)
    items, next_cursor = keyset_page(rows, order_field=order_field, cursor=query.cursor, limit=query.limit)
    if bulk:
        parameters = {"channel": "api", **spec.params(), "limit": query.limit, "next_page": bool(query.cursor)}
        log_access(user, "export", model._meta.label_lower, parameters, row_count=len(items))
    return {"items": items, "next_cursor": next_cursor}
