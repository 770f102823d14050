"""Projects for tests: a proposal with beneficiaries written directly, in any state."""

from __future__ import annotations

import datetime as dt
import itertools

from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Commune, Province
from tests.registry.factories import make_establishment

_n = itertools.count(1)

MACHINERY_2012 = "2012-03"  # "models": demonstration models, machinery, replication


def rural_commune(province_code: str = "42") -> Commune:
    return Commune.objects.current().filter(province__code=province_code, unit_type="commune").order_by("code").first()


def eligible_establishment(province_code: str = "42", **fields) -> Establishment:
    commune = rural_commune(province_code)
    legacy = Commune.objects.legacy().filter(province__successor__code=province_code, unit_type="commune")
    return make_establishment(province_code, commune=commune, legacy_commune=legacy.order_by("code").first(), **fields)


def make_project(
    province_code: str | None = "42",
    *,
    level: str = Level.NATIONAL,
    year: int = 2026,
    state: str = ProjectState.DRAFT,
    unit: str | None = None,
    content: str = MACHINERY_2012,
    norm_code: str = "machinery",
    kind: str = ProjectKind.ORDINARY,
    lines: list[tuple[int, int]] | None = None,
    **fields,
) -> Project:
    """A project of Hà Tĩnh (by default) implemented by its khuyến công centre, with one
    eligible beneficiary per ``(eligible_cost, support)`` in ``lines``."""
    province = Province.objects.current().get(code=province_code) if province_code else None
    lines = [(400_000_000, 150_000_000)] if lines is None else lines
    n = next(_n)
    project = Project.objects.create(
        code=fields.pop("code", f"DA-{year}-{n:04d}"),
        name=fields.pop("name", f"Đề án ứng dụng máy móc thiết bị thử {n}"),
        level=level,
        kind=kind,
        content=ActivityContent.objects.get(code=content),
        norm_code=norm_code,
        year=year,
        implementing_unit=OrgUnit.objects.get(code=unit or (f"TTKC-{province_code}" if province_code else "CUC-DMST")),
        proposing_unit=OrgUnit.objects.filter(code=f"SCT-{province_code}").first(),
        province=province,
        state=state,
        total_cost=sum(cost for cost, _support in lines) or 100_000_000,
        support_amount=sum(support for _cost, support in lines),
        submitted_on=fields.pop("submitted_on", None if state == ProjectState.DRAFT else dt.date(year - 1, 5, 10)),
        **fields,
    )
    for position, (cost, support) in enumerate(lines, 1):
        BeneficiaryLine.objects.create(
            project=project,
            position=position,
            establishment=eligible_establishment(province_code or "42"),
            eligible_cost=cost,
            support=support,
        )
    return project
