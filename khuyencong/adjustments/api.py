"""/api/v1/adjustments and /api/v1/projects/{id}/adjustments: scoped like the pages; writes call
``adjustments.actions``. Refusals share the API's one error shape (403 forbidden, 404 not_found,
409 wrong_state / project_settled / already_open / state_changed, 422 validation_error,
comment_required, decision_required, below_committed)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from khuyencong.adjustments import actions
from khuyencong.adjustments.filters import AdjustmentFilters
from khuyencong.adjustments.models import Adjustment
from khuyencong.adjustments.selectors import adjustment_list, adjustments
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import Project

router = Router(tags=["adjustments"])


class AdjustmentOut(Schema):
    id: int
    project_id: int
    project_code: str
    kind: str
    reason: str
    cause: str
    cause_event: str
    changes: dict[str, Any]
    before: dict[str, Any]
    state: str
    version: int
    proposed_on: dt.date
    decision_number: str
    decision_date: dt.date | None

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code


class AdjustmentDetail(AdjustmentOut):
    """One adjustment with the steps the caller may take on it now (not on the list: a query per row)."""

    actions: list[str]

    @staticmethod
    def resolve_actions(obj, context):
        user = context["request"].auth
        return [step.action for step in actions.available_steps(obj, user)]


class AdjustmentPage(Schema):
    items: list[AdjustmentOut]
    next_cursor: str | None


AdjustmentQuery = query_schema(AdjustmentFilters, "AdjustmentQuery")


@router.get("/adjustments", response=AdjustmentPage, summary="Adjustments you may see")
def list_adjustments(request, query: Query[AdjustmentQuery]):
    return list_page(request, query, spec_class=AdjustmentFilters, selector=adjustment_list, model=Adjustment,
                     order_field="id")  # fmt: skip


@router.get("/adjustments/{int:pk}", response=AdjustmentDetail, summary="One adjustment")
def get_adjustment(request, pk: int):
    return restrict(adjustments(), request.auth, Action.VIEW).get(pk=pk)


class AdjustmentIn(Schema):
    kind: Annotated[str, Field(max_length=20)]
    reason: Annotated[str, Field(max_length=5000)]
    cause: Annotated[str, Field(max_length=20)] = "other"
    cause_event: Annotated[str, Field(max_length=200)] = ""
    changes: dict[str, Any] = {}
    on: dt.date | None = None


@router.post("/projects/{int:pk}/adjustments", response={201: AdjustmentDetail}, summary="Propose an adjustment")
@idempotent
def propose(request, pk: int, body: AdjustmentIn):
    if not can(request.auth, "propose_adjustment", Project):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    project = restrict(Project.objects.all(), request.auth, Action.VIEW).get(pk=pk)
    adjustment = actions.propose_adjustment(user=request.auth, project=project, **body.dict())
    return Status(201, adjustments().get(pk=adjustment.pk))


class StepIn(Schema):
    comment: Annotated[str, Field(max_length=5000)] = ""
    decision_number: Annotated[str, Field(max_length=60)] = ""
    decision_date: dt.date | None = None
    version: int | None = None


@router.post("/adjustments/{int:pk}/actions/{action}", response=AdjustmentDetail, summary="Take a step")
def take_step(request, pk: int, action: str, body: StepIn):
    step = actions.ADJUSTMENT_LIFECYCLE.step(action)
    if not can(request.auth, step.permission, Adjustment):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    adjustment = restrict(adjustments(), request.auth, Action.VIEW).get(pk=pk)
    done = actions.take_adjustment_step(user=request.auth, adjustment=adjustment, action=action, **body.dict())
    return adjustments().get(pk=done.pk)
