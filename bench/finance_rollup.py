#!/usr/bin/env python
"""The money rollup against the bare SQL and against today's practice (``make bench`` runs it).

    .venv/bin/python bench/finance_rollup.py [--backend postgresql|sqlite] [--projects 60000]
        [--entries 600000] [--reps 7] [--quick]

Outer run: its own benchmark database (PostgreSQL ``kc_bench_finance``, SQLite
``var/bench/finance.sqlite3``), migrated and marked as a benchmark database, then ``--inner`` in a
fresh process: ``khuyencong gen-data``'s generators write 3,000 establishments, ``--projects``
projects over 2007–2026 and ``--entries`` ledger entries with their plans, contracts, allocations
and accounts (``khuyencong/demo/generate_ledger.py``), then every case is timed round-robin:

- **rollup**: ``finance.rollups.rollup`` as a nationwide officer over the 20 years (its four
  grouped statements, the region map and the labels);
- **sql**: the same four ``GROUP BY`` statements written by hand on a raw cursor (checked to give
  the rollup's totals);
- **page**: ``/finance/rollup/?year=all`` through the test client (the whole request);
- **today**: what officers do today: the ledger exported to Excel (written once, not timed), read
  back (python-calamine: pandas is not installed) and summed per group in Python.

Medians in ms; ratios within the run. Aim: rollup ≤ 1.5 × sql. Writes
``bench/results/finance.md`` and the raw JSON to ``var/bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's package, not an installed one

PG_DB = "kc_bench_finance"
GROUPS = [["province"], ["legacy_province"], ["region"], ["unit"], ["year", "province"], ["content"]]


def outer(args) -> None:
    from run import PY, RAW, ROOT, VAR, bench_env, ensure_postgres

    out = RAW / f"finance_rollup-{args.backend}.json"
    if args.render_only:
        finish(out)
        return
    url = ensure_postgres(args.pg_db) if args.backend == "postgresql" else f"sqlite:///{VAR / 'finance.sqlite3'}"
    env = bench_env(url)
    RAW.mkdir(parents=True, exist_ok=True)
    kc = [PY, "-m", "khuyencong"]
    subprocess.run([*kc, "migrate"], check=True, env=env, cwd=ROOT)
    mark = [*kc, "gen-data", "--scale", "demo", "--only", "establishments"]
    probe = subprocess.run([*mark, "--mark-database", "benchmark"], env=env, cwd=ROOT)
    if probe.returncode:
        subprocess.run(mark, check=True, env=env, cwd=ROOT)
    command = [PY, __file__, "--inner", "--out", str(out), "--projects", str(args.projects)]
    command += ["--entries", str(args.entries), "--reps", str(args.reps), "--warmup", str(args.warmup)]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    finish(out)


def finish(out: Path) -> None:
    from common import ROOT, write_cases

    result = json.loads(out.read_text(encoding="utf-8"))
    when = result.get("when", "").removeprefix("Run of ").rstrip(";")
    write_cases("finance", summary_cases(result), backend=result["version"], when=when)
    # The report holds the last run of each backend.
    reports = []
    for backend in ("postgresql", "sqlite"):
        raw = out.with_name(f"finance_rollup-{backend}.json")
        if raw.exists():
            reports.append(render(json.loads(raw.read_text(encoding="utf-8")), first=not reports))
    report = "\n".join(reports)
    print("\n" + report)
    (ROOT / "bench" / "results" / "finance.md").write_text(report, encoding="utf-8")


LABELS = {"province": "province", "legacy_province": "province before 1/7/2025", "region": "region",
          "unit": "implementing unit", "year+province": "year × province", "content": "content"}  # fmt: skip


def summary_cases(result: dict) -> list:
    """The rollup's lines in the one table of ``make bench``."""
    from common import Case

    backend = "SQLite" if result["version"].startswith("SQLite") else result["version"].split(".")[0]
    size = f"{result['projects']:,} projects, {result['entries']:,} entries, 20 years"
    out = []
    for case in result["cases"]:
        m, label = case["median_ms"], LABELS.get(case["group"], case["group"])
        out.append(Case("finance", f"rollup by {label}", backend, m["rollup"], m["sql"], "bare SQL GROUP BY", 1.5,
                        note=size))  # fmt: skip
    first = result["cases"][0]["median_ms"] if result["cases"] else {}
    if "page" in first:
        out.append(Case("finance", "rollup page by province (whole request)", backend, first["page"], first["sql"],
                        "bare SQL GROUP BY", note=size, aim="— (fixed cost of a page)"))  # fmt: skip
    if "today" in first:
        out.append(Case("finance", "rollup by province vs today's practice", backend, first["rollup"],
                        first["today"], "Excel export read + summed in Python", 1.0, note=size))  # fmt: skip
    return out


# --- inner: inside Django -------------------------------------------------------------------------


def bare_sql(group: list[str]) -> list[tuple[str, list]]:
    """The rollup's four statements by hand (the same filters: all 20 years, nationwide)."""
    ledger_cols = {"province": "province_id", "legacy_province": "legacy_province_id", "region": "province_id",
                   "unit": "unit_id", "year": "year", "content": "content_id"}  # fmt: skip
    alloc_cols = {"province": "province_id", "legacy_province": "NULL", "region": "province_id", "unit": "unit_id",
                  "year": "year", "content": "l.content_id"}  # fmt: skip
    contract_cols = {"province": "p.province_id", "legacy_province": "p.legacy_province_id",
                     "region": "p.province_id", "unit": "p.implementing_unit_id", "year": "p.year",
                     "content": "p.content_id"}  # fmt: skip
    line_cols = {"province": "COALESCE(l.province_id, a.province_id)", "legacy_province": "NULL",
                 "region": "COALESCE(l.province_id, a.province_id)", "unit": "l.implementing_unit_id",
                 "year": "a.year", "content": "l.content_id"}  # fmt: skip

    def cols(mapping):
        return ", ".join(mapping[g] for g in group)

    def grouped(mapping):
        """GROUP BY over the columns that exist (a constant is no group)."""
        real = [mapping[g] for g in group if mapping[g] != "NULL"]
        return f"GROUP BY {', '.join(real)}" if real else ""

    ledger = (
        f"SELECT {cols(ledger_cols)}, "  # noqa: S608
        "SUM(CASE WHEN kind='advance' AND status='paid' THEN amount ELSE 0 END), "
        "SUM(CASE WHEN kind='payment' AND status='paid' THEN amount ELSE 0 END), "
        "SUM(CASE WHEN kind='recovery' AND status='paid' THEN amount ELSE 0 END), "
        "SUM(CASE WHEN kind='settlement' AND status='paid' THEN amount ELSE 0 END), "
        "SUM(CASE WHEN kind IN ('advance','payment') AND status='requested' THEN amount ELSE 0 END) "
        f"FROM finance_ledgerentry {grouped(ledger_cols)}"
    )
    allocation = (
        f"SELECT {cols(alloc_cols).replace('province_id', 'finance_allocation.province_id')}, "  # noqa: S608
        "SUM(finance_allocation.amount) FROM finance_allocation "
        "LEFT JOIN planning_planline l ON l.id = finance_allocation.plan_line_id "
        f"{grouped(alloc_cols).replace('province_id', 'finance_allocation.province_id')}"
    )
    contract = (
        f"SELECT {cols(contract_cols)}, SUM(c.value) FROM contracts_contract c "  # noqa: S608
        "JOIN projects_project p ON p.id = c.project_id WHERE c.kind = 'main' "
        f"AND c.state IN ('signed', 'amended', 'liquidated') {grouped(contract_cols)}"
    )
    lines = (
        f"SELECT {cols(line_cols)}, SUM(l.amount) FROM planning_planline l "  # noqa: S608
        "JOIN planning_planversion v ON v.id = l.plan_version_id JOIN planning_annualplan a ON a.id = v.plan_id "
        "WHERE v.id = (SELECT v2.id FROM planning_planversion v2 WHERE v2.plan_id = v.plan_id "
        "AND v2.status = 'approved' ORDER BY v2.sequence DESC LIMIT 1) "
        "AND NOT EXISTS (SELECT 1 FROM planning_planline c WHERE c.parent_id = l.id) "
        f"{grouped(line_cols)}"
    )
    return [(ledger, []), (allocation, []), (contract, []), (lines, [])]


def inner(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    from khuyencong.demo.generate import Context, require_mark
    from khuyencong.demo.generate_ledger import _clear as clear_ledger
    from khuyencong.demo.generate_ledger import generate_ledger
    from khuyencong.demo.generate_projects import generate_projects
    from khuyencong.finance.models import LedgerEntry
    from khuyencong.finance.rollups import rollup
    from khuyencong.kernel.context import acting_as
    from khuyencong.organisation.models import OrgUnit, Role
    from khuyencong.organisation.services import assign_role
    from khuyencong.projects.models import Project

    require_mark()
    ctx = Context(scale="national", seed=1, log=print)
    with acting_as(None):
        started = time.perf_counter()
        with transaction.atomic():
            if Project.objects.filter(code__startswith="GEN-").count() != args.projects:
                clear_ledger()  # the money refers to the projects about to be replaced
            generate_projects(ctx, args.projects)
        with transaction.atomic():
            generate_ledger(ctx, args.entries)
        generation = time.perf_counter() - started
    from khuyencong.demo.generate import REBUILDS

    for table, indexes, checks, seconds in REBUILDS:
        print(f"  {table}: {indexes} secondary indexes rebuilt after the COPY in {seconds:.1f} s (FK {checks:.1f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    entries = LedgerEntry.objects.count()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    officer = User.objects.filter(username="bench-agency").first()
    if officer is None:
        officer = User.objects.create_user(username="bench-agency", password="x-Bench-2026!", full_name="Bench")
        assign_role(user=officer, role=Role.AGENCY_OFFICER, org_unit=OrgUnit.objects.get(code="CUC-DMST"))
    client = Client()
    client.force_login(officer)

    # Today's practice: the ledger as an Excel export, read back and summed per group in Python.
    export = Path(args.out).with_suffix(".xlsx")
    started = time.perf_counter()
    write_export(export)
    export_seconds = time.perf_counter() - started

    cases = []
    for group in GROUPS:
        statements = bare_sql(group)

        def run_rollup(group=group):
            return rollup(officer, group_by=group)

        def run_sql(statements=statements):
            out = []
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    out.append(cursor.fetchall())
            return out

        def run_page(group=group):
            response = client.get("/finance/rollup/", {"year": "all", "group_by": group[-1]})
            assert response.status_code == 200
            return response

        def run_today(group=group):
            return today(export, group)

        check(run_rollup(), run_sql())
        runners = {"rollup": run_rollup, "sql": run_sql}
        if len(group) == 1:
            runners["page"] = run_page
        if group[0] in ("province", "unit", "year", "content", "legacy_province"):
            runners["today"] = run_today
        times = {name: [] for name in runners}
        reps = args.reps
        for rep in range(args.warmup + reps):
            for name, run in runners.items():
                if name == "today" and rep < args.warmup:
                    continue
                if name == "today" and rep >= args.warmup + 3:
                    continue
                started = time.perf_counter()
                run()
                if rep >= args.warmup:
                    times[name].append((time.perf_counter() - started) * 1000)
        medians = {name: statistics.median(values) for name, values in times.items() if values}
        cases.append({"group": "+".join(group), "median_ms": medians})
        print(group, {k: round(v, 1) for k, v in medians.items()}, flush=True)
    result = {
        "backend": connection.vendor,
        "version": version(connection),
        "projects": args.projects,
        "entries": entries,
        "generation_seconds": round(generation, 1),
        "export_seconds": round(export_seconds, 1),
        "cases": cases,
    }  # fmt: skip
    Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    stamp(args.out)


def version(connection) -> str:
    if connection.vendor != "postgresql":
        return "SQLite"
    number = connection.cursor().connection.info.server_version
    return f"PostgreSQL {number // 10000}.{number % 10000}"


def check(result, rows) -> None:
    """The hand-written SQL and the rollup agree on every total."""
    ledger, allocation, contract, lines = rows
    want = {
        "advanced": sum(r[-5] for r in ledger), "paid": sum(r[-4] for r in ledger),
        "recovered": sum(r[-3] for r in ledger), "settled": sum(r[-2] for r in ledger),
        "allocated": sum(r[-1] for r in allocation), "contracted": sum(r[-1] for r in contract),
        "plan": sum(r[-1] for r in lines),
    }  # fmt: skip
    have = {name: getattr(result.total, name) for name in want}
    if {k: int(v) for k, v in want.items()} != have:
        raise AssertionError(f"rollup {have} != sql {want}")


def write_export(path: Path) -> None:
    """The ledger as an officer exports it: one row per entry with its year, places and amount."""
    import xlsxwriter

    from khuyencong.finance.models import LedgerEntry
    from khuyencong.kernel.sheets import xlsx_options

    book = xlsxwriter.Workbook(str(path), xlsx_options(constant_memory=True))
    sheet = book.add_worksheet("Sổ cái")
    header = ["year", "province", "legacy_province", "unit", "content", "kind", "status", "amount"]
    sheet.write_row(0, 0, header)
    columns = ["year", "province__code", "legacy_province__code", "unit__code", "content__code", "kind", "status",
               "amount"]  # fmt: skip
    for number, row in enumerate(LedgerEntry.objects.order_by("pk").values_list(*columns).iterator(5000), 1):
        sheet.write_row(number, 0, ["" if v is None else v for v in row])
    book.close()


def today(path: Path, group: list[str]) -> dict:
    """Read the export back and sum per group in Python (the spreadsheet practice)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = rows[0]
    index = [header.index(g) for g in group]
    kind, status, amount = header.index("kind"), header.index("status"), header.index("amount")
    sums: dict[tuple, list[float]] = {}
    for row in rows[1:]:
        if row[status] != "paid":
            continue
        key = tuple(row[i] for i in index)
        found = sums.setdefault(key, [0.0, 0.0, 0.0])
        if row[kind] in ("advance", "payment"):
            found[0] += row[amount]
        elif row[kind] == "recovery":
            found[1] += row[amount]
        else:
            found[2] += row[amount]
    return sums


def render(result: dict, first: bool = True) -> str:
    lines = [
        *(["# Finance rollup benchmark — latest run", ""] if first else []),
        f"## {result['version']}", "",
        f"{result.get('when', '')} {result['projects']:,} projects, {result['entries']:,} ledger entries "
        f"(generated in {result['generation_seconds']} s; the Excel export of the ledger took "
        f"{result['export_seconds']} s and is not timed below).", "",
        "Medians in ms. **rollup** `finance.rollups.rollup` over 2007–2026, nationwide; **sql** its four "
        "`GROUP BY` statements by hand on a raw cursor; **page** `/finance/rollup/?year=all`; **today** the "
        "ledger's Excel export read back with python-calamine and summed in Python (pandas is not installed). "
        "Aim: rollup ≤ 1.5 × sql.", "",
        "| group by | rollup | sql | rollup/sql | page | today | today/rollup |", "|---|--:|--:|--:|--:|--:|--:|",
    ]  # fmt: skip
    for case in result["cases"]:
        m = case["median_ms"]
        ratio = f"{m['rollup'] / m['sql']:.2f}×" if m.get("sql") else "—"
        page = f"{m['page']:,.0f}" if "page" in m else "—"
        today_ms = f"{m['today']:,.0f}" if "today" in m else "—"
        speedup = f"{m['today'] / m['rollup']:,.0f}×" if "today" in m else "—"
        lines.append(f"| {case['group']} | {m['rollup']:,.1f} | {m['sql']:,.1f} | {ratio} | {page} | {today_ms} "
                     f"| {speedup} |")  # fmt: skip
    return "\n".join([*lines, "", "Analysis: `bench/README.md` (Finance rollup).", ""])


def stamp(out: str) -> None:
    """Record when the run was made (UTC) in its raw results."""
    import datetime as dt

    path = Path(out)
    result = json.loads(path.read_text(encoding="utf-8"))
    result["when"] = f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC;"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--projects", type=int, default=60_000)
    parser.add_argument("--entries", type=int, default=600_000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg-db", default=PG_DB, help="PostgreSQL benchmark database (kc_bench*)")
    parser.add_argument("--render-only", action="store_true", help="rewrite the reports from the last raw results")
    parser.add_argument("--inner", action="store_true")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.warmup = 3, 1
    if not args.pg_db.startswith("kc_bench"):
        parser.error("--pg-db must start with kc_bench")
    if args.inner:
        inner(args)
    else:
        outer(args)


if __name__ == "__main__":
    main()
