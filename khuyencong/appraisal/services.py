"""Council arithmetic: each sheet's running total, each project's average over the submitted
sheets and whether it reaches the threshold. Pure over rows read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from khuyencong.appraisal.models import Council, CouncilMember, CouncilProject, Criterion, Score, ScoreSheet
from khuyencong.rulebook.models import Level

TWO_PLACES = Decimal("0.01")


@dataclass
class SheetView:
    member: CouncilMember
    sheet: ScoreSheet | None
    values: dict[int, Decimal]  # criterion id -> score
    row: list[Decimal | None] = field(default_factory=list)  # the values in criteria order, for pages

    @property
    def total(self) -> Decimal:
        return sum(self.values.values(), Decimal(0))

    @property
    def submitted(self) -> bool:
        return bool(self.sheet and self.sheet.submitted)

    def cells(self, criteria: list[Criterion]) -> list[Decimal | None]:
        return [self.values.get(c.pk) for c in criteria]


@dataclass
class ReviewResult:
    review: CouncilProject
    sheets: list[SheetView] = field(default_factory=list)
    threshold: Decimal = Decimal(0)
    members: list[CouncilMember] = field(default_factory=list)

    @property
    def submitted(self) -> list[SheetView]:
        return [s for s in self.sheets if s.submitted]

    @property
    def average(self) -> Decimal | None:
        return average_of([s.total for s in self.submitted])

    @property
    def passes(self) -> bool | None:
        average = self.average
        return None if average is None else average >= self.threshold


def average_of(totals: list[Decimal]) -> Decimal | None:
    if not totals:
        return None
    return (sum(totals, Decimal(0)) / len(totals)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def max_total(criteria: list[Criterion]) -> int:
    return sum(c.max_score for c in criteria)


def review_results(council: Council, reviews: list[CouncilProject] | None = None) -> list[ReviewResult]:
    """Every project under review with one sheet per member (an empty one where none was saved)."""
    members = list(council.members.select_related("user").order_by("order", "pk"))
    if reviews is None:
        reviews = list(
            council.reviews.select_related("project", "project__province", "project__implementing_unit").order_by(
                "order", "pk"
            )
        )
    sheets = ScoreSheet.objects.filter(review__in=reviews)
    by_pair = {(s.review_id, s.member_id): s for s in sheets}
    values: dict[int, dict[int, Decimal]] = {}
    for score in Score.objects.filter(sheet__review__in=reviews).only("sheet_id", "criterion_id", "value"):
        values.setdefault(score.sheet_id, {})[score.criterion_id] = score.value
    results = []
    for review in reviews:
        views = []
        for member in members:
            sheet = by_pair.get((review.pk, member.pk))
            views.append(SheetView(member=member, sheet=sheet, values=values.get(sheet.pk, {}) if sheet else {}))
        results.append(ReviewResult(review=review, sheets=views, threshold=council.pass_threshold, members=members))
    return results


def result_of(council: Council, review: CouncilProject) -> ReviewResult:
    return review_results(council, [review])[0]


def conclusion_step(council: Council, conclusion: str) -> str:
    """The project's lifecycle step a council's conclusion performs."""
    prefix = "agency" if council.level == Level.NATIONAL else "province"
    suffix = {
        CouncilProject.Conclusion.PASS: "pass",
        CouncilProject.Conclusion.FAIL: "reject",
        CouncilProject.Conclusion.NEEDS_DOCUMENTS: "return",
    }[CouncilProject.Conclusion(conclusion)]
    return f"{prefix}_{suffix}"
