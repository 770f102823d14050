"""Synthetic money for ``khuyencong gen-data --only ledger`` (benchmarks of the rollups).

For the generated projects (``GEN-`` codes; run the projects generator first): a national plan per
year and a local plan per province and year (one approved version, a money row per content used),
the main contract of every project that reached the contract (signed, liquidated once settled,
terminated when stopped), about ``count`` ledger entries (an advance, payments, now and then a
request still awaiting approval, a rejected one, a recovery, a settlement once settled), one
allocation per unit, year and source covering what was committed, and the ``Account`` rows the
actions would have left (project and allocation accounts equal to the sums of the entries, so
``finance.accounts.reconcile()`` finds nothing). Written in bulk (COPY on PostgreSQL) bypassing
``save()`` and the change log; numbers start with ``GEN``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.utils import timezone

from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.demo.generate import Context, _columns, _fold, bulk_write, generator, reset_sequence
from khuyencong.finance.models import Account, AccountKind, Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, FundingSource, PlanLine, PlanVersion
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province

PREFIX = "GEN"
S = ProjectState
CONTRACTED = {S.CONTRACTED, S.IN_PROGRESS, S.ACCEPTED, S.SETTLEMENT_SUBMITTED, S.SETTLED, S.CLOSED, S.STOPPED}
SETTLED = {S.SETTLED, S.CLOSED}
E, ST = EntryKind, EntryStatus


def _clear() -> None:
    entries = LedgerEntry.objects.filter(document_number__startswith=PREFIX)
    project_ids = entries.values("project_id")
    Account.objects.filter(kind=AccountKind.PROJECT, project_id__in=project_ids)._raw_delete("default")
    Account.objects.filter(
        kind=AccountKind.ALLOCATION,
        unit_id__in=Allocation.objects.filter(decision_number__startswith=PREFIX).values("unit_id"),
    )._raw_delete("default")
    entries.filter(recovers__isnull=False)._raw_delete("default")
    entries._raw_delete("default")
    Allocation.objects.filter(decision_number__startswith=PREFIX)._raw_delete("default")
    Contract.objects.filter(number__startswith=PREFIX)._raw_delete("default")
    plans = AnnualPlan.objects.filter(name__startswith=PREFIX)
    PlanLine.objects.filter(plan_version__plan__in=plans)._raw_delete("default")
    PlanVersion.objects.filter(plan__in=plans)._raw_delete("default")
    plans._raw_delete("default")


def _plans(years: list[int], provinces: list[Province], money: dict) -> dict:
    """A national plan per year and a local plan per province and year that has none yet: plan id by
    (year, province id or None)."""
    agency = OrgUnit.objects.get(code="CUC-DMST")
    doits = {u.province_id: u.pk for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT)}
    found = {(p.year, p.province_id): p.pk for p in AnnualPlan.objects.filter(year__in=years)}
    now = timezone.now()
    rows, versions, lines = [], [], []
    next_plan = (AnnualPlan.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_version = (PlanVersion.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for year in years:
        for province in [None, *provinces]:
            key = (year, province.pk if province else None)
            if key in found:
                continue
            level = Level.LOCAL if province else Level.NATIONAL
            scope = f"địa phương {province.short_name}" if province else "quốc gia"
            name = f"{PREFIX} Kế hoạch khuyến công {scope} năm {year}"
            budget = {c: amount * 6 // 5 for c, amount in money.get(key, {}).items()}
            total = sum(budget.values())
            plan_id, version_id = next_plan, next_version
            next_plan, next_version = next_plan + 1, next_version + 1
            found[key] = plan_id
            rows.append(
                {
                    "id": plan_id,
                    "level": level,
                    "year": year,
                    "name": name,
                    "owner_id": doits.get(key[1], agency.pk),
                    "province_id": key[1],
                    "declared_total": total,
                    "created_at": now,
                    "updated_at": now,
                    "folded_name": _fold(f"{name} {year}"),
                }
            )
            versions.append(
                {
                    "id": version_id,
                    "plan_id": plan_id,
                    "kind": PlanVersion.Kind.ORIGINAL,
                    "sequence": 1,
                    "status": PlanVersion.Status.APPROVED,
                    "declared_total": total,
                    "decision_number": f"{PREFIX}-{year}/QĐ",
                    "decision_date": dt.date(year, 1, 15),
                    "created_at": now,
                    "updated_at": now,
                    "approved_at": now,
                }
            )
            source = FundingSource.LOCAL if province else FundingSource.CENTRAL
            for position, (content, amount) in enumerate(sorted(budget.items()), 1):
                lines.append(
                    {
                        "plan_version_id": version_id,
                        "position": position,
                        "key": f"g{version_id}-{content}",
                        "number": str(position),
                        "content_id": content,
                        "name": f"Nội dung {position}",
                        "funding_source": source,
                        "amount": amount,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    for model, items in ((AnnualPlan, rows), (PlanVersion, versions), (PlanLine, lines)):
        columns, attnames, defaults = _columns(model)
        if model is PlanLine:
            columns, attnames = [c for c in columns if c != "id"], [a for a in attnames if a != "id"]
        bulk_write(model._meta.db_table, columns, (tuple(r.get(a, defaults[a]) for a in attnames) for r in items))
        reset_sequence(model._meta.db_table)
    return found


@generator("ledger", demo=5_000, province=60_000, national=600_000)
def generate_ledger(ctx: Context, count: int) -> int:
    existing = LedgerEntry.objects.filter(document_number__startswith=PREFIX)
    if abs(existing.count() - count) <= count // 20:  # within 5 %: the set this count makes
        ctx.log(f"ledger: {count:,} generated entries already there; nothing to do")
        return 0
    _clear()
    rng = ctx.rng("ledger")
    projects = list(
        Project.objects.filter(code__startswith="GEN-", state__in=CONTRACTED)
        .order_by("pk")
        .values_list(
            "pk",
            "code",
            "name",
            "level",
            "year",
            "province_id",
            "legacy_province_id",
            "implementing_unit_id",
            "content_id",
            "state",
            "support_amount",
            "contracted_on",
        )
    )
    if not projects:
        raise RuntimeError("the ledger needs contracted projects: generate the projects first")
    party_a = {u.province_id: u.pk for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT)}
    agency = OrgUnit.objects.get(code="CUC-DMST").pk
    unit_province = dict(OrgUnit.objects.values_list("pk", "province_id"))
    now = timezone.now()
    first_entry = (LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_contract = (Contract.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    contracts, entries, accounts = [], [], []
    committed: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # (unit, year, source) -> committed, disbursed
    money: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # plan key -> content -> support
    written = 0
    for index, (pk, code, name, level, year, province, legacy, unit, content, state, support, signed) in enumerate(
        projects
    ):
        # Spread what is left of ``count`` over the projects left (an advance and extras come on top).
        per_project = max(3, round((count - written) / (len(projects) - index)))
        local = level == Level.LOCAL
        source = FundingSource.LOCAL if local else FundingSource.CENTRAL
        value = support or 100_000_000
        signed = signed or dt.date(year, 3, 1)
        contract_id = first_contract + index
        contract_state = (
            ContractState.LIQUIDATED
            if state in SETTLED
            else ContractState.TERMINATED
            if state == S.STOPPED
            else ContractState.SIGNED
        )
        number = f"{PREFIX}-{pk}/HĐ"
        contracts.append(
            {
                "id": contract_id,
                "project_id": pk,
                "kind": ContractKind.MAIN,
                "number": number,
                "party_a_id": party_a.get(province, agency) if local else agency,
                "party_b_unit_id": unit,
                "value": value,
                "signed_on": signed,
                "state": contract_state,
                "created_at": now,
                "updated_at": now,
                "folded_name": _fold(f"{number} {code} {name} "),
            }
        )
        money[(year, province if local else None)][content] += value
        copied = {
            "project_id": pk,
            "contract_id": contract_id,
            "year": year,
            "level": level,
            "province_id": province,
            "legacy_province_id": legacy,
            "unit_id": unit,
            "content_id": content,
            "plan_id": None,
            "funding_source": source,
            "requested_at": now,
        }
        day = max(signed, dt.date(year, 1, 2))
        done = state in SETTLED or state == S.ACCEPTED or state == S.SETTLEMENT_SUBMITTED
        target = value if done else value * rng.randint(30, 90) // 100
        advance = value * rng.choice((30, 50, 70)) // 100 if rng.random() < 0.8 else 0
        advance = min(advance, target)
        parts = max(1, per_project - 2 + rng.randint(-1, 1))
        rest = target - advance
        amounts = [(E.ADVANCE, advance)] if advance else []
        for part in range(parts):
            share = rest // parts + (rest % parts if part == parts - 1 else 0)
            if share > 0:
                amounts.append((E.PAYMENT, share))
        totals = {"out": 0, "adv": 0, "paid": 0, "rec": 0, "rec_adv": 0, "settled": 0}
        paid_ids: list[tuple[int, str, int]] = []
        for kind, amount in amounts:
            day = day + dt.timedelta(days=rng.randint(3, 20))
            entry_id = first_entry + written
            entries.append(
                {
                    **copied,
                    "id": entry_id,
                    "kind": kind,
                    "status": ST.PAID,
                    "amount": amount,
                    "entry_date": day,
                    "document_number": f"{PREFIX}-{entry_id}",
                    "decided_at": now,
                }
            )
            written += 1
            totals["out"] += amount
            totals["paid"] += amount
            totals["adv"] += amount if kind == E.ADVANCE else 0
            paid_ids.append((entry_id, kind, amount))
        if rng.random() < 0.15 and paid_ids:  # money returned
            recovered_id, recovered_kind, base = paid_ids[-1]
            amount = max(1, base // 10)
            entry_id = first_entry + written
            entries.append(
                {
                    **copied,
                    "id": entry_id,
                    "kind": E.RECOVERY,
                    "status": ST.PAID,
                    "amount": amount,
                    "entry_date": day,
                    "document_number": f"{PREFIX}-{entry_id}",
                    "recovers_id": recovered_id,
                    "decided_at": now,
                }
            )
            written += 1
            totals["rec"] += amount
            totals["rec_adv"] += amount if recovered_kind == E.ADVANCE else 0
        if rng.random() < 0.1:  # a request refused
            entry_id = first_entry + written
            entries.append(
                {
                    **copied,
                    "id": entry_id,
                    "kind": E.PAYMENT,
                    "status": ST.REJECTED,
                    "amount": 5_000_000,
                    "entry_date": day,
                    "document_number": f"{PREFIX}-{entry_id}",
                    "decided_at": now,
                }
            )
            written += 1
        room = value - (totals["out"] - totals["rec"])
        if state in (S.IN_PROGRESS, S.CONTRACTED) and room > 0 and rng.random() < 0.4:  # awaiting approval
            amount = max(1, room // 2)
            entry_id = first_entry + written
            entries.append(
                {
                    **copied,
                    "id": entry_id,
                    "kind": E.PAYMENT,
                    "status": ST.REQUESTED,
                    "amount": amount,
                    "entry_date": day,
                    "document_number": f"{PREFIX}-{entry_id}",
                }
            )
            written += 1
            totals["out"] += amount
        disbursed = totals["paid"] - totals["rec"]
        if state in SETTLED and disbursed > 0:
            entry_id = first_entry + written
            entries.append(
                {
                    **copied,
                    "id": entry_id,
                    "kind": E.SETTLEMENT,
                    "status": ST.PAID,
                    "amount": disbursed,
                    "entry_date": day + dt.timedelta(days=30),
                    "document_number": f"{PREFIX}-{entry_id}",
                    "decided_at": now,
                }
            )
            written += 1
            totals["settled"] = disbursed
        commit = totals["out"] - totals["rec"]
        accounts.append(
            {
                "kind": AccountKind.PROJECT,
                "project_id": pk,
                "ceiling": value,
                "committed": commit,
                "advanced": totals["adv"] - totals["rec_adv"],
                "disbursed": disbursed,
                "settled": totals["settled"],
                "updated_at": now,
            }
        )
        group = committed[(unit, year, source)]
        group[0] += commit
        group[1] += disbursed
    provinces = list(Province.objects.current().order_by("code"))
    plans = _plans(sorted({year for (year, _p) in money}), provinces, money)
    for entry in entries:  # the plan each entry's money belongs to, as the actions copy it
        local = entry["level"] == Level.LOCAL
        entry["plan_id"] = plans.get((entry["year"], entry["province_id"] if local else None))
    allocations = []
    for (unit, year, source), (commit, disbursed) in sorted(committed.items()):
        amount = max(commit * rng.randint(100, 130) // 100, 1)
        province = unit_province.get(unit)
        plan = plans.get((year, province if source == FundingSource.LOCAL else None)) or plans[(year, None)]
        allocations.append(
            {
                "year": year,
                "level": Level.LOCAL if source == FundingSource.LOCAL else Level.NATIONAL,
                "plan_id": plan,
                "unit_id": unit,
                "province_id": province,
                "funding_source": source,
                "amount": amount,
                "decision_number": f"{PREFIX}-{year}-{unit}/QĐ",
                "decision_date": dt.date(year, 2, 1),
                "created_at": now,
                "updated_at": now,
            }
        )
        accounts.append(
            {
                "kind": AccountKind.ALLOCATION,
                "unit_id": unit,
                "year": year,
                "funding_source": source,
                "ceiling": amount,
                "committed": commit,
                "disbursed": disbursed,
                "updated_at": now,
            }
        )
    for model, items in ((Contract, contracts), (LedgerEntry, entries), (Allocation, allocations), (Account, accounts)):
        columns, attnames, defaults = _columns(model)
        if model in (Allocation, Account):
            columns, attnames = [c for c in columns if c != "id"], [a for a in attnames if a != "id"]
        rows: Iterator[tuple] = (tuple(r.get(a, defaults[a]) for a in attnames) for r in items)
        bulk_write(model._meta.db_table, columns, rows)
        reset_sequence(model._meta.db_table)
    ctx.log(f"ledger: {len(contracts):,} contracts, {len(allocations):,} allocations, {len(plans):,} plans")
    return written
