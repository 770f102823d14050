"""/api/v1/deadlines: projects with something due, within reach, filtered like the page
(``overdue``, ``due``, ``province`` current or ``legacy_province``, ``implementing_unit``, ``year``…),
keyset-paged by id like the other lists; each item lists what is due, from whom, by when and under
which rule."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema

from khuyencong.api.lists import list_page, query_schema
from khuyencong.projects.deadline_filters import DeadlineFilters
from khuyencong.projects.deadlines import Due, deadline_list, due_items
from khuyencong.projects.models import Project

router = Router(tags=["deadlines"])


class DueOut(Schema):
    key: str
    code: str
    label: str
    actor: str
    actor_role: str
    actor_unit: str
    steps: list[str]
    due_date: dt.date | None
    overdue: bool
    days_left: int | None
    rule: str | None
    legal_document: str | None

    @staticmethod
    def resolve_rule(obj: Due):
        return obj.rule.name if obj.rule is not None else None

    @staticmethod
    def resolve_legal_document(obj: Due):
        return obj.legal_document.number if obj.legal_document is not None else None


class DeadlineOut(Schema):
    id: int
    code: str
    name: str
    level: str
    year: int
    state: str
    province_code: str | None
    implementing_unit_code: str
    due: list[DueOut]


class DeadlinePage(Schema):
    items: list[DeadlineOut]
    next_cursor: str | None


DeadlineQuery = query_schema(DeadlineFilters, "DeadlineQuery")


@router.get("/deadlines", response=DeadlinePage, summary="What is due on the projects you may see")
def list_deadlines(request, query: Query[DeadlineQuery]):
    page = list_page(request, query, spec_class=DeadlineFilters, selector=deadline_list, model=Project,
                     order_field="id")  # fmt: skip
    found = due_items(page["items"], today=timezone.localdate())
    items = [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "level": p.level,
            "year": p.year,
            "state": p.state,
            "province_code": p.province.code if p.province_id else None,
            "implementing_unit_code": p.implementing_unit.code,
            "due": found.get(p.pk, []),
        }
        for p in page["items"]
    ]
    return {"items": items, "next_cursor": page["next_cursor"]}
