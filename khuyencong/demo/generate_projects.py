"""Synthetic projects for ``khuyencong gen-data`` (benchmarks of the project list and page).

60,000 projects at the national scale over the 20 plan years 2007–2026, across every current
province (with the province before 1/7/2025 they lay in), national and local, each with one to
three beneficiary lines (establishments of its province, else any generated one) and the
transitions of its path up to its state: old years are mostly closed, recent ones spread over the
lifecycle. Written in bulk like the establishments (COPY on PostgreSQL, ``executemany`` on SQLite),
bypassing ``save()``: what ``save()`` computes (upper-cased code, NFC name, ``folded_name``,
``name_key``) is computed here the same way and checked on a sample. Codes start with ``GEN-``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from django.utils import timezone

from khuyencong.demo import registry as demo
from khuyencong.demo.generate import (
    Context,
    _columns,
    _fold,
    _sort_key,
    bulk_write,
    generator,
    reset_sequence,
)
from khuyencong.kernel.text import normalize
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import BeneficiaryLine, Project, ProjectState, ProjectTransition
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Province

PREFIX = "GEN-"
FIRST_YEAR, LAST_YEAR = 2007, 2026
S = ProjectState
NATIONAL_PATH = [("submit", S.SUBMITTED), ("province_pass", S.PROVINCE_PASSED), ("send_to_agency", S.AT_AGENCY),
                 ("agency_pass", S.AGENCY_PASSED), ("approve", S.APPROVED), ("contract", S.CONTRACTED),
                 ("start", S.IN_PROGRESS), ("accept", S.ACCEPTED), ("submit_settlement", S.SETTLEMENT_SUBMITTED),
                 ("settle", S.SETTLED), ("close", S.CLOSED)]  # fmt: skip
LOCAL_PATH = [("submit", S.SUBMITTED), ("province_pass", S.PROVINCE_PASSED), ("approve_local", S.APPROVED),
              ("contract_local", S.CONTRACTED), ("start", S.IN_PROGRESS), ("accept", S.ACCEPTED),
              ("submit_settlement", S.SETTLEMENT_SUBMITTED), ("settle_local", S.SETTLED),
              ("close_local", S.CLOSED)]  # fmt: skip
ENDS = {S.REJECTED: ("province_reject", S.SUBMITTED), S.CANCELLED: ("cancel", S.APPROVED),
        S.STOPPED: ("stop", S.IN_PROGRESS)}  # fmt: skip
PATTERNS = ("Đề án ứng dụng máy móc thiết bị {product} tại {place}", "Mô hình trình diễn kỹ thuật {product} {place}",
            "Đào tạo nghề {product} cho lao động {place}", "Hỗ trợ xây dựng thương hiệu {product} {place}",
            "Hội chợ, triển lãm sản phẩm {product} {place}")  # fmt: skip


def _state(rng: random.Random, year: int) -> str:
    age = LAST_YEAR - year
    if age >= 3:
        return rng.choices([S.CLOSED, S.SETTLED, S.REJECTED, S.CANCELLED, S.STOPPED], [80, 6, 8, 4, 2])[0]
    if age >= 1:
        return rng.choices([S.CLOSED, S.SETTLED, S.SETTLEMENT_SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.CONTRACTED,
                            S.REJECTED, S.CANCELLED], [30, 15, 10, 10, 15, 8, 8, 4])[0]  # fmt: skip
    recent = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.PROVINCE_PASSED, S.AT_AGENCY, S.AGENCY_PASSED, S.APPROVED,
              S.CONTRACTED, S.IN_PROGRESS, S.REJECTED]  # fmt: skip
    return rng.choices(recent, [15, 15, 5, 10, 8, 7, 15, 12, 8, 5])[0]


def _path(level: str, state: str) -> list[tuple[str, str]]:
    """The (action, state reached) steps from the draft to ``state``."""
    path = NATIONAL_PATH if level == Level.NATIONAL else LOCAL_PATH
    if state == S.DRAFT:
        return []
    if state == S.RETURNED:
        return [path[0], ("province_return", S.RETURNED)]
    if state in ENDS:
        action, before = ENDS[state]
        steps = path[: [s for _a, s in path].index(before) + 1]
        suffix = "_local" if level == Level.LOCAL and action in ("cancel", "stop") else ""
        return [*steps, (action + suffix, state)]
    return path[: [s for _a, s in path].index(state) + 1]


@generator("projects", demo=2_000, province=6_000, national=60_000)
def generate_projects(ctx: Context, count: int) -> int:
    existing = Project.objects.filter(code__startswith=PREFIX)
    if existing.count() == count:
        ctx.log(f"projects: {count:,} generated projects already there; nothing to do")
        return 0
    if existing.exists():
        ctx.log("projects: a different set is there; replacing it")
        ProjectTransition.objects.filter(project__in=existing).delete()
        BeneficiaryLine.objects.filter(project__in=existing).delete()
        existing._raw_delete(existing.db)
    rng = ctx.rng("projects")
    provinces = list(Province.objects.current().order_by("code"))
    legacy: dict[int, list[int]] = {}
    for old in Province.objects.legacy().exclude(successor=None).order_by("code"):
        legacy.setdefault(old.successor_id, []).append(old.pk)
    units = {u.code: u.pk for u in OrgUnit.objects.filter(code__regex=r"^(TTKC|SCT)-\d\d$|^CUC-DMST$")}
    contents = {
        period: [c.pk for c in ActivityContent.objects.filter(code__startswith=f"{period}-").order_by("code")]
        for period in ("2012", "2025")
    }
    all_contents = list(ActivityContent.objects.order_by("code").values_list("pk", flat=True))
    pool: dict[int, list[int]] = {}
    for pk, province_id in Establishment.objects.order_by("pk").values_list("pk", "province_id")[:400_000]:
        pool.setdefault(province_id, []).append(pk)
    anywhere = [pk for pks in pool.values() for pk in pks[:200]]
    if not anywhere:
        raise RuntimeError("projects need establishments: generate them first")
    first_id = (Project.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    now = timezone.now()
    lines: list[tuple] = []
    transitions: list[tuple] = []
    sample: list[dict] = []
    columns, attnames, defaults = _columns(Project)
    places = {p.pk: p.short_name for p in provinces}

    def rows() -> Iterator[tuple]:
        for index in range(count):
            year = FIRST_YEAR + index * (LAST_YEAR - FIRST_YEAR + 1) // count
            province = rng.choice(provinces)
            level = Level.NATIONAL if rng.random() < 0.3 else Level.LOCAL
            state = _state(rng, year)
            if level == Level.LOCAL and state in (S.AT_AGENCY, S.AGENCY_PASSED):
                state = S.PROVINCE_PASSED  # a local project has one appraisal level
            craft = rng.choice(demo.CRAFTS)
            name = normalize(rng.choice(PATTERNS).format(product=craft.product, place=places[province.pk]))
            code = f"{PREFIX}{year}-{index + 1:06d}"
            pk = first_id + index
            unit = units.get(f"TTKC-{province.code}") or units.get(f"SCT-{province.code}") or units["CUC-DMST"]
            candidates = pool.get(province.pk) or anywhere
            chosen = rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 2, 3))))
            support_total = cost_total = 0
            for position, establishment in enumerate(chosen, 1):
                cost = rng.randrange(200, 3_000) * 1_000_000
                support = cost * rng.choice((30, 40, 50)) // 100
                support_total, cost_total = support_total + support, cost_total + cost
                lines.append((pk, position, establishment, cost, support, cost - support, "", False, None, "", False))
            submitted = dt.date(year - 1, rng.randint(3, 10), rng.randint(1, 28))
            day = submitted
            stamps: dict[str, dt.date] = {}
            steps = _path(level, state)
            for action, reached in steps:
                day = min(day + dt.timedelta(days=rng.randint(5, 40)), dt.date(LAST_YEAR, 11, 30))
                at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
                decision = f"{rng.randint(10, 999)}/QĐ-{year}" if action.startswith(("approve", "settle")) else ""
                transitions.append((pk, action, "", reached, at, decision, day if decision else None))
                stamps.setdefault(reached, day)
            # from_state: the state before each step, in order.
            previous = S.DRAFT
            for i in range(len(transitions) - len(steps), len(transitions)):
                row = transitions[i]
                transitions[i] = (row[0], row[1], previous, *row[3:])
                previous = row[3]
            approved = stamps.get(S.APPROVED)
            row = {
                "id": pk, "code": code, "name": name, "level": level,
                "kind": ProjectKind.GROUP if rng.random() < 0.05 else ProjectKind.ORDINARY,
                "content_id": rng.choice(contents["2025" if year >= 2026 else "2012"] or all_contents),
                "year": year, "implementing_unit_id": unit, "proposing_unit_id": units.get(f"SCT-{province.code}"),
                "province_id": province.pk,
                "legacy_province_id": rng.choice(legacy[province.pk]) if legacy.get(province.pk) else None,
                "total_cost": cost_total, "support_amount": support_total,
                "counterpart_amount": cost_total - support_total,
                "approved_support": support_total if approved else None,
                "disruption": "epidemic" if year in (2020, 2021) and rng.random() < 0.15 else "",
                "state": state, "version": len(steps), "submitted_on": submitted if steps else None,
                "approved_on": approved, "decision_number": f"{rng.randint(10, 999)}/QĐ-{year}" if approved else "",
                "contracted_on": stamps.get(S.CONTRACTED), "accepted_on": stamps.get(S.ACCEPTED),
                "settled_on": stamps.get(S.SETTLED),
                "state_changed_at": dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) if steps else None,
                "created_at": now, "updated_at": now, "folded_name": _fold(f"{code} {name}"),
                "name_key": _sort_key(name),
            }  # fmt: skip
            if row["disruption"]:
                row["disruption_event"] = "Dịch COVID-19"
            if len(sample) < 200:
                sample.append(row)
            yield tuple(row[a] if a in row else defaults[a] for a in attnames)

    written = bulk_write(Project._meta.db_table, columns, rows())
    _verify(sample)
    line_columns = ["project_id", "position", "establishment_id", "eligible_cost", "support", "counterpart",
                    "outputs", "full_line", "accepted", "acceptance_note", "added_after_approval"]  # fmt: skip
    bulk_write(BeneficiaryLine._meta.db_table, line_columns, iter(lines))
    transition_columns = ["project_id", "action", "from_state", "to_state", "at", "decision_number",
                          "decision_date", "user_name", "comment", "request_id", "data"]  # fmt: skip
    bulk_write(ProjectTransition._meta.db_table, transition_columns, (t + ("", "", "", "{}") for t in transitions))
    for model in (Project, BeneficiaryLine, ProjectTransition):
        reset_sequence(model._meta.db_table)
    ctx.log(f"projects: {len(lines):,} beneficiary lines, {len(transitions):,} transitions")
    return written


def _verify(rows: list[dict]) -> None:
    for row in rows:
        obj = Project(code=row["code"], name=row["name"])
        expected = (obj.code.strip().upper(), normalize(obj.name))
        if expected != (row["code"], row["name"]) or (
            _fold(f"{row['code']} {row['name']}"),
            _sort_key(row["name"]),
        ) != (
            row["folded_name"],
            row["name_key"],
        ):
            raise AssertionError(f"generated project {row['code']} differs from what save() would write")
