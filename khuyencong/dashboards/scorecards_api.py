"""GET /api/v1/scorecards: the unit (``kind=unit``) or province (``kind=province``) scorecards of a
year or a period (``year``, ``to``), with the page's filters (``unit_kind``, ``province``,
``region``, ``sort``), each component's numerator, denominator, rate, weight and points, the
total, the rank and the commendation mark. A malformed value is 422 with its field, a province
outside the caller's reach 404, a role without ``view_scorecard`` 403."""

from __future__ import annotations

from ninja import Router, Schema

from khuyencong.api.errors import ApiError

from .scorecards import (
    COMMENDATION_THRESHOLD,
    MIN_COMPONENTS,
    PARAMETERS,
    WEIGHTS,
    Component,
    Scorecard,
    ScorecardRefused,
    board_for,
    parse_query,
)

router = Router(tags=["dashboards"])


class ScorecardComponentOut(Schema):
    key: str
    label: str
    numerator: int
    denominator: int
    rate: float | None
    weight: int
    points: float | None


class ScorecardRowOut(Schema):
    rank: int | None
    code: str
    name: str
    province_code: str
    province_name: str
    unit_kind: str
    components: list[ScorecardComponentOut]
    score: float | None
    measured_weight: int
    commended: bool


class ScorecardTotalsOut(Schema):
    components: list[ScorecardComponentOut]
    commended: int


class ScorecardRuleOut(Schema):
    weights: dict[str, int]
    commendation_threshold: float
    min_components: int


class ScorecardsOut(Schema):
    kind: str
    years: list[int]
    rule: ScorecardRuleOut
    rows: list[ScorecardRowOut]
    totals: ScorecardTotalsOut


def _component(c: Component) -> dict:
    return {
        "key": c.key,
        "label": c.label,
        "numerator": c.numerator,
        "denominator": c.denominator,
        "rate": None if c.percent is None else float(c.percent),
        "weight": c.weight,
        "points": None if c.points is None else float(c.points),
    }


def _row(row: Scorecard) -> dict:
    return {
        "rank": row.rank,
        "code": row.code,
        "name": row.name,
        "province_code": row.province_code,
        "province_name": row.province_name,
        "unit_kind": row.unit_kind,
        "components": [_component(c) for c in row.parts],
        "score": None if row.score is None else float(row.score),
        "measured_weight": row.measured_weight,
        "commended": row.commended,
    }


@router.get("/scorecards", response=ScorecardsOut, summary="Unit or province scorecards")
def get_scorecards(
    request,
    year: str = "",
    to: str = "",
    kind: str = "",
    unit_kind: str = "",
    province: str = "",
    region: str = "",
    sort: str = "",
):
    """Rates are percentages (0–100, never above), points out of each component's weight, the score
    out of 100; a component with nothing to measure has ``rate`` and ``points`` null."""
    unknown = sorted(set(request.GET) - set(PARAMETERS))
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            "Unknown query parameter.",
            [{"field": name, "message": "Unknown parameter."} for name in unknown],
        )
    try:
        query = parse_query(request.user, request.GET)
        result = board_for(request.user, query)
    except ScorecardRefused as error:
        if error.status == 403:
            raise ApiError(403, "forbidden", error.message)
        if error.status == 404:
            raise ApiError(404, "not_found", error.message)
        raise ApiError(422, "validation_error", error.message, [{"field": error.field, "message": error.message}])
    return {
        "kind": result.kind,
        "years": result.years,
        "rule": {
            "weights": dict(WEIGHTS),
            "commendation_threshold": float(COMMENDATION_THRESHOLD),
            "min_components": MIN_COMPONENTS,
        },
        "rows": [_row(row) for row in result.rows],
        "totals": {"components": [_component(c) for c in result.total.parts], "commended": len(result.commended)},
    }
