"""Plans for tests: a local plan of a province, a national plan, lines by content code."""

from __future__ import annotations

import datetime as dt
import itertools

from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province

_n = itertools.count(1)


def province(code: str) -> Province:
    return Province.objects.current().get(code=code)


def content(code: str) -> ActivityContent:
    return ActivityContent.objects.get(code=code)


def make_plan(province_code: str | None = None, *, year: int = 2020, total: int = 300_000_000, name: str = "",
              approved: bool = False) -> AnnualPlan:  # fmt: skip
    """A plan written directly (tests of the actions build theirs through them): one group row
    and two budget rows adding up to ``total``, original version draft or approved."""
    level = Level.LOCAL if province_code else Level.NATIONAL
    owner = OrgUnit.objects.get(code=f"SCT-{province_code}" if province_code else "CUC-DMST")
    plan = AnnualPlan.objects.create(
        level=level,
        year=year,
        name=name or f"Kế hoạch khuyến công thử {next(_n)} năm {year}",
        owner=owner,
        province=province(province_code) if province_code else None,
        declared_total=total,
    )
    version = PlanVersion.objects.create(
        plan=plan,
        kind=PlanVersion.Kind.ORIGINAL,
        sequence=1,
        declared_total=total,
        status=PlanVersion.Status.APPROVED if approved else PlanVersion.Status.DRAFT,
        decision_number="01/QĐ-UBND" if approved else "",
        decision_date=dt.date(year, 1, 15) if approved else None,
    )
    group = PlanLine.objects.create(plan_version=version, key=f"g{plan.pk}", number="I", name="Đào tạo nghề",
                                    position=10, content=content("2012-01"), amount=0)  # fmt: skip
    first = total // 3
    PlanLine.objects.create(plan_version=version, key=f"a{plan.pk}", number="1", name="Đào tạo nghề mây tre đan",
                            parent=group, position=20, content=content("2012-01"), amount=first)  # fmt: skip
    PlanLine.objects.create(plan_version=version, key=f"b{plan.pk}", number="2", name="Mô hình trình diễn kỹ thuật",
                            position=30, content=content("2012-03"), amount=total - first)  # fmt: skip
    return plan
