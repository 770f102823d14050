"""/api/v1/finance/rollup: the money rollup of ``finance.rollups`` over the API, in the caller's
reach. ``group_by`` is a comma-separated list of dimensions (an unknown one is a 422 listing the
allowed values); filters take codes (province, legacy province, region, unit, content) or values
(level, funding source); ``year`` one year or ``years`` a comma-separated list."""

from __future__ import annotations

from ninja import Query, Router, Schema

from khuyencong.api.errors import ApiError
from khuyencong.finance.rollups import DIMENSIONS, RollupRow, UnknownDimension, may_view, parse_group_by, rollup
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import FundingSource
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province, Region

router = Router(tags=["finance"])


class RollupQuery(Schema):
    year: int | None = None
    years: str | None = None
    group_by: str | None = None
    province: str | None = None
    legacy_province: str | None = None
    region: str | None = None
    unit: str | None = None
    content: str | None = None
    funding_source: str | None = None
    level: str | None = None


class KeyOut(Schema):
    value: str | int | None
    code: str
    name: str


class FiguresOut(Schema):
    plan: int
    allocated: int
    contracted: int
    advanced: int
    paid: int
    recovered: int
    disbursed: int
    settled: int
    awaiting: int
    allocated_rate: float | None
    disbursed_rate: float | None
    settled_rate: float | None
    allocated_percent: str
    disbursed_percent: str
    settled_percent: str


class RowOut(FiguresOut):
    key: dict[str, KeyOut]


class RollupOut(Schema):
    group_by: list[str]
    years: list[int] | None
    rows: list[RowOut]
    total: FiguresOut


def _figures(row: RollupRow) -> dict:
    def fraction(value):
        return None if value is None else round(float(value), 6)

    return {
        **row.figures(), "disbursed": row.disbursed,
        "allocated_rate": fraction(row.allocated_rate), "disbursed_rate": fraction(row.disbursed_rate),
        "settled_rate": fraction(row.settled_rate), "allocated_percent": row.allocated_percent,
        "disbursed_percent": row.disbursed_percent, "settled_percent": row.settled_percent,
    }  # fmt: skip


def _codes(field: str, raw: str | None, lookup) -> list | None:
    if raw is None or not raw.strip():
        return None
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    found = lookup(codes)
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApiError(422, "unknown_code", f"Unknown {field}: {', '.join(missing)}.", {field: missing})
    return [found[c] for c in codes]


def _choices(field: str, raw: str | None, allowed: list[str]) -> list | None:
    if raw is None or not raw.strip():
        return None
    values = [c.strip() for c in raw.split(",") if c.strip()]
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ApiError(422, "invalid_choice", f"Unknown {field}: {', '.join(wrong)}.", {"allowed": allowed})
    return values


@router.get("/finance/rollup", response=RollupOut, summary="Plan, allocated, contracted, disbursed and settled money")
def finance_rollup(request, query: Query[RollupQuery]):
    user = request.auth
    if not may_view(user):
        raise ApiError(403, "forbidden", "You may not read the money of the programme.")
    try:
        dims = parse_group_by(query.group_by)
    except UnknownDimension as exc:
        raise ApiError(
            422, "unknown_group_by", f"Unknown group_by: {', '.join(exc.names)}.",
            {"unknown": exc.names, "allowed": list(DIMENSIONS)},
        ) from None  # fmt: skip
    years = None
    if query.years:
        try:
            years = [int(y) for y in query.years.split(",") if y.strip()]
        except ValueError:
            raise ApiError(422, "invalid_years", "years is a comma-separated list of years.") from None
    filters = {
        "province": _codes("province", query.province, lambda c: dict(
            Province.objects.current().filter(code__in=c).values_list("code", "pk"))),
        "legacy_province": _codes("legacy_province", query.legacy_province, lambda c: dict(
            Province.objects.legacy().filter(code__in=c).values_list("code", "pk"))),
        "region": _codes("region", query.region, lambda c: dict(
            Region.objects.filter(kind=Region.Kind.CENTRE, code__in=c).values_list("code", "pk"))),
        "unit": _codes("unit", query.unit, lambda c: dict(
            OrgUnit.objects.filter(code__in=c).values_list("code", "pk"))),
        "content": _codes("content", query.content, lambda c: dict(
            ActivityContent.objects.filter(code__in=c).values_list("code", "pk"))),
        "funding_source": _choices("funding_source", query.funding_source, list(FundingSource.values)),
        "level": _choices("level", query.level, list(Level.values)),
    }  # fmt: skip
    result = rollup(user, year=query.year, years=years, group_by=dims,
                    **{k: v for k, v in filters.items() if v is not None})  # fmt: skip
    rows = [
        {
            **_figures(row),
            "key": {d: {"value": row.key[d], "code": row.codes[d], "name": row.labels[d]} for d in dims},
        }
        for row in result.rows
    ]
    return {"group_by": dims, "years": result.years, "rows": rows, "total": _figures(result.total)}
