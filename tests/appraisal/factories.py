"""Councils for tests: written directly (the actions are tested on their own)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from khuyencong.appraisal.models import DEFAULT_CRITERIA, Council, CouncilMember, CouncilProject, Criterion
from khuyencong.organisation.models import OrgUnit
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

_n = itertools.count(1)


def make_council(province_code: str | None = "42", *, year: int = 2026, members: int = 3, name: str | None = None,
                 threshold: int = 70) -> Council:  # fmt: skip
    """A Department's council of the province (or, ``None``, the Agency's) with the default
    criteria and ``members`` members (the first the chair, the second the secretary)."""
    n = next(_n)
    council = Council.objects.create(
        level=Level.LOCAL if province_code else Level.NATIONAL,
        year=year,
        province=Province.objects.current().get(code=province_code) if province_code else None,
        convening_unit=OrgUnit.objects.get(code=f"SCT-{province_code}" if province_code else "CUC-DMST"),
        name=name or f"Hội đồng thẩm định đề án thử {n}",
        decision_number=f"{n}/QĐ-SCT",
        pass_threshold=Decimal(threshold),
    )
    for order, (code, label, max_score) in enumerate(DEFAULT_CRITERIA, 1):
        Criterion.objects.create(council=council, code=code, name=str(label), max_score=max_score, order=order)
    roles = [CouncilMember.Role.CHAIR, CouncilMember.Role.SECRETARY]
    for order in range(1, members + 1):
        CouncilMember.objects.create(
            council=council, full_name=f"Thành viên {order}", order=order,
            role=roles[order - 1] if order <= 2 else CouncilMember.Role.MEMBER,
        )  # fmt: skip
    return council


def review(council: Council, project) -> CouncilProject:
    return CouncilProject.objects.create(council=council, project=project, order=council.reviews.count() + 1)


def full_scores(total: int) -> dict[str, int]:
    """Scores over the default criteria (20, 25, 20, 20, 15) adding up to ``total`` (≤ 100)."""
    maxima = [(code, max_score) for code, _label, max_score in DEFAULT_CRITERIA]
    left = 100 - total
    scores = {}
    for code, max_score in maxima:
        cut = min(left, max_score)
        scores[code] = max_score - cut
        left -= cut
    return scores
