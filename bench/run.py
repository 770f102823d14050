#!/usr/bin/env python
"""Run the registry list/search benchmarks end to end (``make bench``).

    .venv/bin/python bench/run.py [--backend all|postgresql|sqlite] [--quick]

For each backend: make sure the benchmark database exists (PostgreSQL ``kc_bench`` on 127.0.0.1:5432,
SQLite ``var/bench/registry.sqlite3``) — never the development one —, migrate it, seed it with
synthetic establishments (1,000,000 / 200,000; skipped when already there), then run
``bench/registry_list.py`` in a fresh process with ``KC_ENV=development DEBUG=false KC_VAR_DIR=var/bench``.
Prints the tables and writes ``bench/results/latest.md``; raw JSON and query plans go to
``var/bench/results/`` (not committed).

Speed is reported as medians and as ratios against baselines measured in the same run (the Django
admin changelist, the bare SQL of the same page); nothing here asserts a wall-clock time.
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

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
VAR = ROOT / "var" / "bench"
RAW = VAR / "results"
LATEST = ROOT / "bench" / "results" / "latest.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "kc_bench"
SQLITE_FILE = VAR / "registry.sqlite3"

# DDL tried in the benchmark database only (reverted afterwards): the hypotheses of bench/README.md.
PHASES = {
    "postgresql": {
        "phases": [
            {
                "label": "+ (name, id) on live rows",
                "apply": [
                    "CREATE INDEX bench_estab_live_name ON registry_establishment (name, id) "
                    "WHERE merged_into_id IS NULL",
                ],
            },
            {
                "label": "+ (name, id) and (province, name, id) INCLUDE (search_text) on live rows",
                "apply": [
                    "CREATE INDEX bench_estab_live_name ON registry_establishment (name, id) "
                    "WHERE merged_into_id IS NULL",
                    "CREATE INDEX bench_estab_live_province_name ON registry_establishment (province_id, name, id) "
                    "INCLUDE (search_text) WHERE merged_into_id IS NULL",
                ],
            },
        ],
        "revert": [
            "DROP INDEX IF EXISTS bench_estab_live_name",
            "DROP INDEX IF EXISTS bench_estab_live_province_name",
        ],
    },
    "sqlite": {
        "phases": [
            {
                "label": "merged_into index made partial (IS NOT NULL)",
                "apply": [
                    "DROP INDEX registry_establishment_merged_into_id_5275a26a",
                    "CREATE INDEX bench_estab_merged_partial ON registry_establishment (merged_into_id) "
                    "WHERE merged_into_id IS NOT NULL",
                ],
            },
            {
                "label": "merged_into index partial + (name, id) on live rows",
                "apply": [
                    "DROP INDEX registry_establishment_merged_into_id_5275a26a",
                    "CREATE INDEX bench_estab_merged_partial ON registry_establishment (merged_into_id) "
                    "WHERE merged_into_id IS NOT NULL",
                    "CREATE INDEX bench_estab_live_name ON registry_establishment (name, id) "
                    "WHERE merged_into_id IS NULL",
                ],
            },
        ],
        "revert": [
            "DROP INDEX IF EXISTS bench_estab_live_name",
            "DROP INDEX IF EXISTS bench_estab_merged_partial",
            "CREATE INDEX IF NOT EXISTS registry_establishment_merged_into_id_5275a26a "
            "ON registry_establishment (merged_into_id)",
        ],
    },
}

AIM_ADMIN = 20.0  # ours at least this many times faster than the admin
AIM_BARE = 2.0  # ours at most this many times the bare SQL


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


def ensure_postgres() -> str:
    subprocess.run([str(ROOT / "scripts" / "ensure-postgres.sh")], check=True)
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
            print(f"created database {PG_DB}")
    return f"{PG_SERVER}/{PG_DB}"


def run_backend(backend: str, rows: int, args) -> dict:
    url = ensure_postgres() if backend == "postgresql" else f"sqlite:///{SQLITE_FILE}"
    env = bench_env(url)
    print(f"\n=== {backend}: {url}", flush=True)
    subprocess.run([PY, "-m", "khuyencong", "migrate"], check=True, env=env, cwd=ROOT)
    subprocess.run([PY, "bench/seed_registry.py", "--count", str(rows)], check=True, env=env, cwd=ROOT)
    out = RAW / f"registry_list-{backend}.json"
    command = [PY, "bench/registry_list.py", "--out", str(out), "--reps", str(args.reps)]
    command += ["--warmup", str(args.warmup), "--explain-dir", str(RAW / "plans")]
    if not args.no_phases:
        command += ["--phases", json.dumps(PHASES[backend])]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["when"] = f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}"
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def faster(admin: float, ours: float) -> str:
    ratio = admin / ours
    return f"{ratio:.1f}× {'✓' if ratio >= AIM_ADMIN else '✗'}"


def over(ours: float, bare: float) -> str:
    ratio = ours / bare
    return f"{ratio:.1f}× {'✓' if ratio <= AIM_BARE else '✗'}"


def render(results: list[dict]) -> str:
    first = results[0]
    lines = [
        "# Registry list/search benchmark — latest run",
        "",
        f"Generated by `bench/run.py` on {first['when']}; {first['machine']}. "
        f"Medians of {first['reps']} timed rounds after {first['warmup']} warm-up round(s), in ms, one process "
        "per backend, "
        "Django test Client in-process with DEBUG off. Synthetic data (see `bench/README.md`).",
        "",
        "Columns: **list** our page `/establishments/?q=`; **api** `/api/v1/establishments?q=&limit=50`; "
        "**admin** the Django admin changelist with the same `q` (superuser; `province__exact` for the "
        "provincial reach); **sql list** / **sql api** the bare SQL of the same first page (+ capped count for "
        "the list); **sql by id** the list's bare SQL ordered by `id DESC` (a proposed change, not run by the app). "
        f"Aims: admin/ours ≥ {AIM_ADMIN:.0f}× faster, ours/bare ≤ {AIM_BARE:.0f}×.",
    ]
    for result in results:
        lines += ["", f"## {result['version']}, {result['rows']:,} establishments"]
        for phase in result["phases"]:
            lines += [
                "",
                f"### {phase['label']}",
                "",
                "| query | reach | list | api | admin | sql list | sql api | sql by id "
                "| admin/list | admin/api | list/sql | api/sql | list: queries, db ms (page + count) | matches |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
            ]
            for case in phase["cases"]:
                m = case["median_ms"]
                prof = case["profile"]["list"]
                matches = case["matches"]
                capped = matches["ours_capped"]
                shown = f">{capped - 1:,}" if capped > 10_000 else f"{capped:,}"
                admin_matches = f"{matches['admin']:,}"
                if matches.get("admin_accented") is not None:
                    admin_matches += f" (accented q: {matches['admin_accented']:,}, {ms(m['admin_accented'])} ms)"
                q = f"`{case['q']}`" if case["q"] else "(empty)"
                lines.append(
                    f"| {q} | {case['scope']} | {ms(m['list'])} | {ms(m['api'])} | {ms(m['admin'])} "
                    f"| {ms(m['sql_list'])} | {ms(m['sql_api'])} | {ms(m['sql_by_id'])} "
                    f"| {faster(m['admin'], m['list'])} | {faster(m['admin'], m['api'])} "
                    f"| {over(m['list'], m['sql_list'])} | {over(m['api'], m['sql_api'])} "
                    f"| {prof['queries']}, {ms(prof['db_ms'])} ({ms(prof['page_query_ms'])} + "
                    f"{ms(prof['count_query_ms'])}) | ours {shown}; admin {admin_matches} |"
                )
            if any(case["plans"] for case in phase["cases"]):
                lines += ["", "<details><summary>List page plans (page query; capped count)</summary>", ""]
                for case in phase["cases"]:
                    if case["plans"]:
                        q = case["q"] or "(empty)"
                        lines.append(
                            f"- `{q}` {case['scope']}: page {case['plans']['page']['summary']}; "
                            f"count {case['plans']['count']['summary']}"
                        )
                lines += ["", "</details>"]
        if len(result["phases"]) > 1:
            lines += ["", "### Our list page before → after", ""]
            header = "| query | reach | " + " | ".join(p["label"] for p in result["phases"]) + " |"
            lines += [header, "|---|---|" + "--:|" * len(result["phases"])]
            for index, case in enumerate(result["phases"][0]["cases"]):
                cells = [ms(p["cases"][index]["median_ms"]["list"]) for p in result["phases"]]
                q = f"`{case['q']}`" if case["q"] else "(empty)"
                lines.append(f"| {q} | {case['scope']} | " + " | ".join(cells) + " |")
    lines += ["", "Analysis and recommendations: `bench/README.md`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["all", "postgresql", "sqlite"], default="all")
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 rounds after 1 warm-up, for trying things out")
    parser.add_argument("--no-phases", action="store_true", help="skip the proposed-index phases")
    parser.add_argument("--render-only", action="store_true", help="rewrite latest.md from the last raw results")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.warmup = 3, 1
    RAW.mkdir(parents=True, exist_ok=True)
    backends = ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]
    rows = {"postgresql": args.pg_rows, "sqlite": args.sqlite_rows}
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
