#!/usr/bin/env python
"""Run the registry benchmarks end to end (``make bench``).

    .venv/bin/python bench/run.py [--backend all|postgresql|sqlite] [--rows N] [--quick]

For each backend: make sure the benchmark database exists (PostgreSQL ``kc_bench`` on 127.0.0.1:5432,
SQLite ``var/bench/registry.sqlite3``) — never the development one —, migrate it, seed it with
synthetic establishments (1,000,000 / 200,000 by default, ``--rows`` for both; skipped when already
there), craft villages and open duplicate pairs, then run ``bench/registry_list.py`` (every list
case against the SQL it runs) and ``bench/export_memory.py`` (export jobs: time and peak memory),
each in a fresh process with ``KC_ENV=development DEBUG=false KC_VAR_DIR=var/bench``. Prints the
tables and writes ``bench/results/registry.md``; raw JSON and query plans go to ``var/bench/results/``;
its summary rows (``bench/common.py``) go to the one table of ``bench/all.py``.

Speed is reported as medians and as ratios against baselines measured in the same run (the SQL
the page ran, replayed; the Django admin changelist); nothing here asserts a wall-clock time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Case, write_cases

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
VAR = ROOT / "var" / "bench"
RAW = VAR / "results"
LATEST = ROOT / "bench" / "results" / "registry.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "kc_bench"
SQLITE_FILE = VAR / "registry.sqlite3"

AIM_FACTOR, AIM_SLACK_MS = 2.0, 15.0  # a case's page at most 2 × its own SQL + 15 ms
# Export jobs measured: a selective filter, a common search and everything (about 5 %, 25 % and
# 100 % of the rows); XLSX only for the first two (it is about twice as slow per row).
EXPORTS = [({"status": "suspended"}, "csv"), ({"q": "co so"}, "csv"), ({}, "csv"),
           ({"status": "suspended"}, "xlsx"), ({"q": "co so"}, "xlsx")]  # fmt: skip


def bench_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "KC_ENV": "development",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "KC_VAR_DIR": str(VAR),
            "KC_TASK_BACKEND": "sqlite",
            "PYTHONUNBUFFERED": "1",
        }
    )
    for name in ("KC_TEST_DB_NAME", "KC_HUEY_DATABASE_URL"):
        env.pop(name, None)
    return env


def ensure_postgres(database: str) -> str:
    subprocess.run([str(ROOT / "scripts" / "ensure-postgres.sh")], check=True)
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
            print(f"created database {database}")
    return f"{PG_SERVER}/{database}"


def run_backend(backend: str, rows: int, args) -> dict:
    url = ensure_postgres(args.pg_db) if backend == "postgresql" else f"sqlite:///{SQLITE_FILE}"
    env = bench_env(url)
    print(f"\n=== {backend}: {url}", flush=True)
    subprocess.run([PY, "-m", "khuyencong", "migrate"], check=True, env=env, cwd=ROOT)
    duplicates = min(args.duplicates, rows // 5)
    seed = [PY, "bench/seed_registry.py", "--count", str(rows), "--duplicates", str(duplicates)]
    subprocess.run(seed, check=True, env=env, cwd=ROOT)
    out = RAW / f"registry_list-{backend}.json"
    command = [PY, "bench/registry_list.py", "--out", str(out), "--reps", str(args.reps)]
    command += ["--warmup", str(args.warmup), "--explain-dir", str(RAW / "plans")]
    if args.only:
        command += ["--only", args.only]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["exports"] = []
    if not args.no_exports:
        for query, fmt in EXPORTS:
            done = subprocess.run(
                [PY, "bench/export_memory.py", "--query", json.dumps(query), "--format", fmt],
                check=True, env=env, cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            line = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  export {fmt} {query}: {line}", flush=True)
            result["exports"].append(line)
    result["when"] = f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}"
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    write_cases("registry", summary_cases(result), backend=result["version"])
    return result


# The registry's lines in the one table of ``make bench``: a few cases a user meets every day (each
# against its own SQL; the first two against the admin too), every case's count, export memory.
SUMMARY = [("browse", "nationwide"), ("browse", "Hà Tĩnh"), ("browse", "nationwide page 150"),
           ("sort", "name nationwide"), ("filter", "province=42"), ("filter", "legal_form=cooperative"),
           ("search", "“co so” nationwide"), ("search", "“co so” Hà Tĩnh"), ("type-ahead", "“co so” nationwide"),
           ("api", "all (nationwide)"), ("record", "detail"), ("queue", "duplicates nationwide")]  # fmt: skip


def summary_cases(result: dict) -> list[Case]:
    backend = " ".join(result["version"].split()[:2]).split(".")[0]
    if backend.startswith("SQLite"):
        backend = "SQLite"
    rows = f"{result['rows']:,} rows"
    found = {(c["group"], c["name"]): c for c in result["cases"]}
    out = []
    for key in SUMMARY:
        c = found.get(key)
        if c is None:
            continue
        m = c["median_ms"]
        name = f"{key[0]} {key[1]}" if key[0] not in key[1] else key[1]
        out.append(Case("registry", name, backend, m["app"], m["sql"], "its SQL", AIM_FACTOR, AIM_SLACK_MS, note=rows))
        if key in (("browse", "nationwide"), ("search", "“co so” nationwide")) and "admin" in m:
            out.append(Case("registry", name, backend, m["app"], m["admin"], "Django admin", 1.0, note=rows))
    cases = result["cases"]
    both = sum(1 for c in cases if c["aim_bare"] and c["aim_admin"] is not False)
    admin = [c for c in cases if c["aim_admin"] is not None]
    peer = sum(1 for c in admin if c["aim_admin"])
    out.append(Case("registry", f"all {len(cases)} cases: {both} meet both aims; {peer} of {len(admin)} ≤ admin",
                    backend, None, None, "—", aim="every case", met=both == len(cases), note=rows))  # fmt: skip
    exports = {(json.dumps(e["query"]), e["format"]): e for e in result.get("exports", [])}
    small, whole = exports.get(('{"status": "suspended"}', "csv")), exports.get(("{}", "csv"))
    if small and whole:
        out.append(Case("registry", f"export CSV: peak memory at {whole['rows']:,} rows", backend,
                        whole["peak_over_base_mb"], small["peak_over_base_mb"], f"at {small['rows']:,} rows",
                        1.5, 5.0, unit="MB", aim="flat (≤ 1.5× + 5 MB)"))  # fmt: skip
    return out


def ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def render(results: list[dict]) -> str:
    first = results[0]
    lines = [
        "# Registry benchmark — latest run (details; the summary is in `latest.md`)",
        "",
        f"Generated by `bench/run.py` on {first['when']}; {first['machine']}. Medians of {first['reps']} timed "
        f"rounds after {first['warmup']} warm-up round(s) (3 rounds, no warm-up, for a case whose first request "
        "took over 1.5 s), in ms; Django test Client in-process, DEBUG off. Synthetic data (`bench/README.md`).",
        "",
        "Columns: **app** the request (`/establishments/…`, the HTMX partial, the API); **sql** the statements "
        "the request ran that read the listed table (page and capped count), replayed on a raw cursor, checked "
        "to return the ids the page shows; **all sql** every statement of the request, replayed; **admin** the "
        "Django admin changelist doing the same (superuser), where it can. "
        f"Aims: app ≤ {AIM_FACTOR:.0f} × sql + {AIM_SLACK_MS:.0f} ms; app ≤ admin.",
    ]
    for result in results:
        cases = result["cases"]
        missed = [c for c in cases if not c["aim_bare"] or c["aim_admin"] is False]
        lines += [
            "",
            f"## {result['version']}, {result['rows']:,} establishments, {result['open_duplicates']:,} open "
            f"duplicate pairs",
            "",
            f"{len(cases) - len(missed)} of {len(cases)} cases meet both aims.",
            "",
            "| group | case | app | sql | all sql | admin | app/sql | admin/app | queries | slowest statement's plan |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
        ]
        for c in cases:
            m = c["median_ms"]
            bare = f"{m['app'] / m['sql']:.1f}× {'✓' if c['aim_bare'] else '✗'}" if m["sql"] else "—"
            peer = f"{m['admin'] / m['app']:.1f}× {'✓' if c['aim_admin'] else '✗'}" if "admin" in m else ""
            plan = (c.get("plan") or "").replace("|", "/")
            lines.append(
                f"| {c['group']} | {c['name']} | {ms(m['app'])} | {ms(m['sql'])} | {ms(m['allsql'])} "
                f"| {ms(m.get('admin'))} | {bare} | {peer} | {c['queries']} | {plan} |"
            )
        if result.get("exports"):
            lines += [
                "",
                "### Export jobs (fresh process each; peak resident memory over the process's own before the job)",
                "",
                "| filters | format | rows | seconds | ms per 1,000 rows | peak memory over base | file |",
                "|---|---|--:|--:|--:|--:|--:|",
            ]
            for e in result["exports"]:
                query = "&".join(f"{k}={v}" for k, v in e["query"].items()) or "all"
                per = 1000 * e["seconds"] * 1000 / max(1, e["rows"])
                lines.append(
                    f"| {query} | {e['format']} | {e['rows']:,} | {e['seconds']:.1f} | {per:,.0f} "
                    f"| {e['peak_over_base_mb']:.0f} MB | {e['file_mb']:.1f} MB |"
                )
        if missed:
            lines += ["", "Cases that miss an aim: " + "; ".join(f"{c['group']} {c['name']}" for c in missed) + "."]
    lines += ["", "Analysis: `bench/README.md`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["all", "postgresql", "sqlite"], default="all")
    parser.add_argument("--rows", type=int, help="establishments on both backends (e.g. 200000 for a quick run)")
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=200_000)
    parser.add_argument("--pg-db", default=PG_DB, help="PostgreSQL benchmark database (kc_bench*)")
    parser.add_argument("--duplicates", type=int, default=50_000, help="open duplicate pairs (at most rows / 5)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 rounds after 1 warm-up, for trying things out")
    parser.add_argument("--only", default="", help="only the cases whose group or name contains this text")
    parser.add_argument("--no-exports", action="store_true", help="skip the export jobs")
    parser.add_argument("--render-only", action="store_true", help="rewrite latest.md from the last raw results")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.warmup = 3, 1
    RAW.mkdir(parents=True, exist_ok=True)
    backends = ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]
    rows = {"postgresql": args.rows or args.pg_rows, "sqlite": args.rows or args.sqlite_rows}
    if not args.pg_db.startswith("kc_bench"):
        parser.error("--pg-db must start with kc_bench")
    if args.render_only:
        results = [json.loads((RAW / f"registry_list-{b}.json").read_text(encoding="utf-8")) for b in backends]
    else:
        results = [run_backend(backend, rows[backend], args) for backend in backends]
    report = render(results)
    print("\n" + report)
    LATEST.parent.mkdir(parents=True, exist_ok=True)
    LATEST.write_text(report, encoding="utf-8")
    print(f"wrote {LATEST.relative_to(ROOT)}; raw results and plans in {RAW.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
