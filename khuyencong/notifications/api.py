"""/api/v1/notifications: the caller's own notifications, newest first, paged by cursor.

Someone else's notification is a 404, as if it did not exist; reading and marking need no
permission of the role matrix, only to be signed in (401 otherwise).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from khuyencong.api.errors import ApiError
from khuyencong.api.pagination import MAX_LIMIT, keyset_page
from khuyencong.notifications import actions
from khuyencong.notifications.selectors import own_notifications

router = Router(tags=["notifications"])
PARAMETERS = {"unread", "cursor", "limit"}


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str = Field(description="An address on this site, or empty.")
    ref_type: str = Field(description="What it is about: app_label.model, or empty.")
    ref_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    emailed_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationQuery(Schema):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones.")
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Rows per page.")


class Marked(Schema):
    marked: int


@router.get("/notifications", response=NotificationPage, summary="Your notifications, newest first")
def list_notifications(request, query: Query[NotificationQuery]):
    unknown = sorted(set(request.GET) - PARAMETERS)
    if unknown:
        raise ApiError(422, "validation_error", "Unknown query parameters.",
                       [{"field": name, "message": "This list has no such filter."} for name in unknown])  # fmt: skip
    rows = own_notifications(request.auth, unread=query.unread)
    items, next_cursor = keyset_page(rows, order_field="id", cursor=query.cursor, limit=query.limit, descending=True)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/notifications/read-all", response=Marked, summary="Mark all your notifications read")
def read_all(request):
    return {"marked": actions.mark_all_read(user=request.auth)}


@router.post("/notifications/{int:pk}/read", response=NotificationOut, summary="Mark one notification read")
def read_one(request, pk: int):
    return actions.mark_read(user=request.auth, notification=pk)
