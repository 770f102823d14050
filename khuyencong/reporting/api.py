"""/api/v1/reports: the list (the page's filters), one report with its figures, ``PUT`` of the
figures and the steps (submit, approve, return). Scoped like the pages; writes call ``actions``;
refusals share the API's one error shape (403 forbidden, 404 not_found, 409 locked / wrong_state /
state_changed / stale, 422 validation_error with ``values.<code>`` fields, comment_required,
before_unit_opened, after_unit_closed, period_not_over)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.reporting import actions
from khuyencong.reporting.filters import ReportFilters
from khuyencong.reporting.models import Report
from khuyencong.reporting.selectors import report_history, report_list, report_values, reports

router = Router(tags=["reports"])


class ReportOut(Schema):
    id: int
    form_code: str
    form_name: str
    org_unit_id: int
    org_unit_name: str
    province_code: str | None
    period_start: dt.date
    period_end: dt.date
    period_label: str
    due_on: dt.date
    state: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    returned_on: dt.date | None
    return_comment: str
    version: int

    @staticmethod
    def resolve_form_code(obj):
        return obj.form.code

    @staticmethod
    def resolve_form_name(obj):
        return obj.form.name

    @staticmethod
    def resolve_org_unit_name(obj):
        return obj.org_unit.name

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None


class ValueOut(Schema):
    code: str
    name: str
    unit: str
    kind: str
    system_value: Decimal | None
    reported_value: Decimal | None
    text_value: str
    correction_reason: str
    comment: str


class ReportTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    user_name: str
    at: dt.datetime
    comment: str


class ReportDetail(ReportOut):
    """One report with its figures, its steps and the actions the caller may take now."""

    values: list[ValueOut]
    transitions: list[ReportTransitionOut]
    actions: list[str]

    @staticmethod
    def resolve_values(obj):
        return [
            {"code": v.indicator.code, "name": v.indicator.name, "unit": v.indicator.unit, "kind": v.indicator.kind,
             "system_value": v.system_value, "reported_value": v.reported_value, "text_value": v.text_value,
             "correction_reason": v.correction_reason, "comment": v.comment}
            for v in report_values(obj)
        ]  # fmt: skip

    @staticmethod
    def resolve_transitions(obj):
        return list(report_history(obj))

    @staticmethod
    def resolve_actions(obj, context):
        steps = {s.action.removesuffix("_local") for s in actions.available_steps(obj, context["request"].auth)}
        return [a for a in actions.PUBLIC_ACTIONS if a in steps]


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


ReportQuery = query_schema(ReportFilters, "ReportQuery")


def _get(user, pk: int) -> Report:
    return restrict(reports(), user, Action.VIEW).get(pk=pk)


@router.get("/reports", response=ReportPage, summary="Periodic reports you may see")
def list_reports(request, query: Query[ReportQuery]):
    return list_page(request, query, spec_class=ReportFilters, selector=report_list, model=Report, order_field="id")


@router.get("/reports/{int:pk}", response=ReportDetail, summary="One report with its figures")
def get_report(request, pk: int):
    return _get(request.auth, pk)


class ValueIn(Schema):
    value: Annotated[str, Field(max_length=5000)] | Decimal | int | None = None
    reason: Annotated[str, Field(max_length=5000)] = ""
    comment: Annotated[str, Field(max_length=5000)] = ""


class ValuesIn(Schema):
    values: dict[Annotated[str, Field(max_length=40)], ValueIn]
    version: int | None = None


@router.put("/reports/{int:pk}/values", response=ReportDetail, summary="Write the figures of a report")
def put_values(request, pk: int, body: ValuesIn):
    if not can(request.auth, "submit", Report):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    report = _get(request.auth, pk)
    values: dict[str, Any] = {code: item.dict() for code, item in body.values.items()}
    saved = actions.save_values(user=request.auth, report=report, values=values, version=body.version)
    return reports().get(pk=saved.pk)


class ReportStepIn(Schema):
    comment: Annotated[str, Field(max_length=5000)] = ""
    on: dt.date | None = None
    version: int | None = None


@router.post("/reports/{int:pk}/actions/{action}", response=ReportDetail, summary="Submit, approve or return")
def take_step(request, pk: int, action: str, body: ReportStepIn):
    if not can(request.auth, Action.VIEW, Report):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    if action not in actions.PUBLIC_ACTIONS:
        raise ActionRefused("unknown_action", _("This action does not exist."), status=404)
    report = _get(request.auth, pk)
    step = actions.REPORT_LIFECYCLE.step(actions.step_for(report, action))
    if not can(request.auth, step.permission, Report):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    done = actions.take_report_step(user=request.auth, report=report, action=action, **body.dict())
    return reports().get(pk=done.pk)
