"""Demo history for the 2021–2025 programme summary: national projects of 2021, 2023, 2024 and 2025
in ten more provinces, so that the summary by the 34 provinces is filled beyond the four demo
provinces and the 2022 plan (``khuyencong.demo.projects``).

Written the same way as the projects demo (its ``Spec``, ``_create`` and ``_walk``: the project
actions, dated on the day each step happened), implemented by each province's khuyến công centre
and approved into that year's national plan. The registry demo covers four provinces only, so
these projects carry their support without beneficiary lines (as the 2022 plan's projects do
elsewhere). The contracts, money and settlement demos that run after this one sign, pay and
settle them like every other project: ``load_all`` calls ``load_history`` right after the
projects. Deterministic and idempotent (a project whose code exists is left alone).
"""

from __future__ import annotations

import random

from django.db import transaction

from khuyencong.demo.projects import SEED, Spec, _Context, _create, _walk
from khuyencong.planning.models import AnnualPlan
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level

S = ProjectState
M = 1_000_000
# Current province codes: north, centre, south (Hà Nội, Quảng Ninh, Hải Phòng, Huế, Đà Nẵng,
# Khánh Hòa, Đắk Lắk, TP Hồ Chí Minh, Cần Thơ, Cà Mau).
PROVINCES = ["01", "22", "31", "46", "48", "56", "66", "79", "92", "96"]
# Where a year's projects stand today: the older ones done, 2025's still under way.
STATES = {
    2021: [S.CLOSED, S.CLOSED, S.SETTLED],
    2023: [S.CLOSED, S.SETTLED, S.SETTLEMENT_SUBMITTED],
    2024: [S.SETTLED, S.ACCEPTED, S.IN_PROGRESS],
    2025: [S.IN_PROGRESS, S.CONTRACTED, S.ACCEPTED],
}
WORKS = ["machinery", "model", "brand", "machinery", "model"]


def specs() -> list[Spec]:
    rng = random.Random(f"{SEED}-history")
    out = []
    for year, states in STATES.items():
        for index, province in enumerate(PROVINCES):
            count = 1 + (index + year) % 2  # one or two projects a province and year
            for number in range(1, count + 1):
                out.append(
                    Spec(
                        f"KCQG-{year}-{province}-{number:02d}",
                        year,
                        Level.NATIONAL,
                        province,
                        states[(index + number) % len(states)],
                        WORKS[(index + number + year) % len(WORKS)],
                        unit=f"TTKC-{province}",
                        lines=0,
                        support=rng.randint(15, 29) * 10 * M,
                    )
                )
    return out


@transaction.atomic
def load_history() -> dict:
    """Create the missing history projects (needs the demo accounts, plans and the projects demo)."""
    ctx = _Context()
    if "admin" not in ctx.users or not AnnualPlan.objects.filter(level=Level.NATIONAL, year=2021).exists():
        return {"added": 0}
    existing = set(Project.objects.filter(code__startswith="KCQG-").values_list("code", flat=True))
    added = 0
    for spec in specs():
        if spec.code in existing or f"TTKC-{spec.province}" not in ctx.units:
            continue
        spec_rng = random.Random(f"{SEED}-{spec.code}")
        project = _create(ctx, spec, spec_rng)
        _walk(ctx, spec, project, spec_rng)
        added += 1
    return {"added": added}
