"""/api/v1/councils: appraisal councils scoped like the pages; writes call ``appraisal.actions``.

A Department's council is read in its province, the Agency's nationwide. ``POST
/councils/{id}/sheets`` saves one member's scores on one project (a score above the criterion's
maximum is a 422 on ``scores.<code>``, nothing written); ``POST
/councils/{id}/projects/{project_id}/conclude`` records the conclusion and moves the project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema

from khuyencong.api.lists import list_page, query_schema
from khuyencong.appraisal import actions, services
from khuyencong.appraisal.filters import CouncilFilters
from khuyencong.appraisal.models import Council, CouncilProject
from khuyencong.appraisal.selectors import council_list, councils
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, restrict

router = Router(tags=["appraisal"])


class CouncilFields(Schema):
    id: int
    level: str
    year: int
    name: str
    province_code: str | None
    convening_unit_code: str
    decision_number: str
    decision_date: dt.date | None
    pass_threshold: Decimal
    state: str


class CouncilOut(CouncilFields):
    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_convening_unit_code(obj):
        return obj.convening_unit.code


class MemberOut(Schema):
    id: int
    full_name: str
    position: str
    role: str
    username: str | None


class CriterionOut(Schema):
    code: str
    name: str
    max_score: int


class SheetOut(Schema):
    member_id: int
    submitted: bool
    total: Decimal
    scores: dict[str, Decimal]
    comment: str


class ReviewOut(Schema):
    project_id: int
    project_code: str
    project_name: str
    project_state: str
    conclusion: str
    conclusion_comment: str
    average: Decimal | None = Field(description="Mean of the submitted sheets' totals.")
    passes: bool | None = Field(description="Whether the average reaches the threshold (null: no sheet yet).")
    submitted_sheets: int
    sheets: list[SheetOut]


class CouncilDetail(CouncilFields):
    minutes: str
    members: list[MemberOut]
    criteria: list[CriterionOut]
    max_total: int
    projects: list[ReviewOut]


class CouncilPage(Schema):
    items: list[CouncilOut]
    next_cursor: str | None


CouncilQuery = query_schema(CouncilFilters, "CouncilQuery")


@router.get("/councils", response=CouncilPage, summary="Appraisal councils you may see")
def list_councils(request, query: Query[CouncilQuery]):
    return list_page(request, query, spec_class=CouncilFilters, selector=council_list, model=Council,
                     order_field="id")  # fmt: skip


def _council(request, pk: int) -> Council:
    return restrict(councils(), request.auth, Action.VIEW).get(pk=pk)


def _detail(council: Council) -> dict:
    criteria = list(council.criteria.order_by("order", "pk"))
    codes = {c.pk: c.code for c in criteria}
    members = list(council.members.select_related("user").order_by("order", "pk"))
    out = {
        "id": council.pk, "level": council.level, "year": council.year, "name": council.name,
        "province_code": council.province.code if council.province_id else None,
        "convening_unit_code": council.convening_unit.code, "decision_number": council.decision_number,
        "decision_date": council.decision_date, "pass_threshold": council.pass_threshold, "state": council.state,
        "minutes": council.minutes,
        "members": [
            {"id": m.pk, "full_name": m.full_name, "position": m.position, "role": m.role,
             "username": m.user.username if m.user_id else None}
            for m in members
        ],
        "criteria": [{"code": c.code, "name": c.name, "max_score": c.max_score} for c in criteria],
        "max_total": services.max_total(criteria),
        "projects": [
            {
                "project_id": r.review.project_id, "project_code": r.review.project.code,
                "project_name": r.review.project.name, "project_state": r.review.project.state,
                "conclusion": r.review.conclusion, "conclusion_comment": r.review.conclusion_comment,
                "average": r.average, "passes": r.passes, "submitted_sheets": len(r.submitted),
                "sheets": [
                    {"member_id": s.member.pk, "submitted": s.submitted, "total": s.total,
                     "scores": {codes[k]: v for k, v in s.values.items() if k in codes},
                     "comment": s.sheet.comment if s.sheet else ""}
                    for s in r.sheets if s.sheet is not None
                ],
            }
            for r in services.review_results(council)
        ],
    }  # fmt: skip
    return out


@router.get("/councils/{int:pk}", response=CouncilDetail, summary="One council: members, criteria, projects, scores")
def get_council(request, pk: int):
    return _detail(_council(request, pk))


ScoreValue = Annotated[Decimal | None, Field(ge=-1000, le=1000)]


class SheetIn(Schema):
    project_id: int = Field(ge=1, le=2**62)
    member_id: int | None = Field(None, ge=1, le=2**62, description="Default: your own seat on the council.")
    scores: Annotated[dict[Annotated[str, Field(max_length=30)], ScoreValue], Field(max_length=100)]
    comment: Annotated[str, Field(max_length=5000)] = ""
    submit: bool = False


@router.post("/councils/{int:pk}/sheets", response={200: SheetOut}, summary="Save a member's score sheet")
def save_sheet(request, pk: int, payload: SheetIn):
    council = _council(request, pk)
    user = request.auth
    if payload.member_id is None:
        member = council.members.filter(user=user).first()
        if member is None:
            raise ActionRefused("not_a_member", "You do not sit on this council.", field="member_id", status=422)
    else:
        member = council.members.filter(pk=payload.member_id).first()
        if member is None:
            raise ActionRefused("not_a_member", "No such member on this council.", field="member_id", status=422)
    review = council.reviews.select_related("project").filter(project_id=payload.project_id).first()
    if review is None:
        raise ActionRefused("not_under_review", "The council does not review this project.", field="project_id",
                            status=422)  # fmt: skip
    sheet = actions.save_sheet(
        user=user, council=council, project=review.project, member=member, scores=payload.scores,
        comment=payload.comment, submit=payload.submit,
    )  # fmt: skip
    values = {s.criterion.code: s.value for s in sheet.scores.select_related("criterion")}
    return {"member_id": member.pk, "submitted": sheet.submitted, "total": sum(values.values(), Decimal(0)),
            "scores": values, "comment": sheet.comment}  # fmt: skip


class ConcludeIn(Schema):
    conclusion: CouncilProject.Conclusion
    comment: Annotated[str, Field(max_length=5000)] = ""


class ConclusionOut(Schema):
    project_id: int
    project_state: str
    conclusion: str
    average: Decimal | None


@router.post("/councils/{int:pk}/projects/{int:project_id}/conclude", response=ConclusionOut,
             summary="Conclude on a project: it passes, does not pass or needs documents")  # fmt: skip
def conclude(request, pk: int, project_id: int, payload: ConcludeIn):
    council = _council(request, pk)
    review = council.reviews.select_related("project").filter(project_id=project_id).first()
    if review is None:
        raise ActionRefused("not_under_review", "The council does not review this project.", status=404)
    done = actions.conclude_project(user=request.auth, council=council, project=review.project,
                                    conclusion=payload.conclusion.value, comment=payload.comment)  # fmt: skip
    review.project.refresh_from_db()
    return {"project_id": review.project_id, "project_state": review.project.state, "conclusion": done.conclusion,
            "average": done.average}  # fmt: skip
