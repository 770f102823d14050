#!/usr/bin/env python
"""The project benchmark end to end (``make bench`` runs it after the registry's).

    .venv/bin/python bench/run_projects.py [--backend all|postgresql|sqlite] [--quick]

For each backend: its own benchmark database (PostgreSQL ``kc_bench_projects``, SQLite
``var/bench/projects.sqlite3``), migrated and marked as a benchmark database; ``khuyencong gen-data``
writes 50,000 establishments (the "province" scale) and then 60,000 projects (the "national"
scale of the projects generator: 2007–2026, every province, beneficiary lines, transitions);
``bench/projects_list.py`` times every case against its own SQL. Writes
``bench/results/projects.md``; raw JSON and plans go to ``var/bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Case, write_cases
from run import AIM_FACTOR, AIM_SLACK_MS, PY, RAW, ROOT, VAR, bench_env, ensure_postgres, ms

PG_DB = "kc_bench_projects"
SQLITE_FILE = VAR / "projects.sqlite3"
REPORT = ROOT / "bench" / "results" / "projects.md"


def run_backend(backend: str, args) -> dict:
    url = ensure_postgres(args.pg_db) if backend == "postgresql" else f"sqlite:///{SQLITE_FILE}"
    env = bench_env(url)
    print(f"\n=== {backend}: {url}", flush=True)
    kc = [PY, "-m", "khuyencong"]
    subprocess.run([*kc, "migrate"], check=True, env=env, cwd=ROOT)
    subprocess.run([*kc, "gen-data", "--mark-database", "benchmark", "--scale", "province", "--only",
                    "establishments"], check=True, env=env, cwd=ROOT)  # fmt: skip
    subprocess.run([*kc, "gen-data", "--scale", "national", "--only", "projects"], check=True, env=env, cwd=ROOT)
    out = RAW / f"projects_list-{backend}.json"
    command = [PY, "bench/projects_list.py", "--out", str(out), "--reps", str(args.reps), "--warmup", str(args.warmup)]
    command += ["--explain-dir", str(RAW / "plans")]
    if args.only:
        command += ["--only", args.only]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    result = json.loads(out.read_text(encoding="utf-8"))
    write_cases("projects", summary_cases(result), backend=result["version"])
    return result


# The projects' lines in the one table of ``make bench``: each against its own SQL.
SUMMARY = [("browse", "nationwide"), ("browse", "Hà Tĩnh"), ("sort", "name nationwide"),
           ("filter", "province=42&year=2020"), ("filter", "state=in_progress"), ("search", "“may moc” nationwide"),
           ("api", "all (nationwide)"), ("record", "project page"),
           ("record", "project API (with beneficiaries, transitions, actions)")]  # fmt: skip


def summary_cases(result: dict) -> list[Case]:
    backend = "SQLite" if result["version"].startswith("SQLite") else result["version"].split(".")[0]
    rows = f"{result['rows']:,} projects"
    found = {(c["group"], c["name"]): c for c in result["cases"]}
    out = []
    for key in SUMMARY:
        if key in found:
            m = found[key]["median_ms"]
            name = f"{key[0]} {key[1]}" if key[0] not in key[1] else key[1]
            out.append(Case("projects", name, backend, m["app"], m["sql"], "its SQL", AIM_FACTOR, AIM_SLACK_MS,
                            note=rows))  # fmt: skip
    met = sum(1 for c in result["cases"] if c["aim_bare"])
    out.append(Case("projects", f"all {len(result['cases'])} cases: {met} meet the aim", backend, None, None, "—",
                    aim="every case", met=met == len(result["cases"]), note=rows))  # fmt: skip
    return out


def render(results: list[dict]) -> str:
    lines = ["# Project benchmark — latest run", "",
             "Medians in ms (`bench/projects_list.py`): **app** the request, **sql** the statements it ran that "
             "read `projects_project` replayed on a raw cursor (checked to return the ids the page shows), "
             "**all sql** every statement of the request. Aim: app ≤ 2 × sql + 15 ms."]  # fmt: skip
    for result in results:
        cases = result["cases"]
        lines += ["", f"## {result['version']}, {result['rows']:,} projects", "",
                  f"{sum(1 for c in cases if c['aim_bare'])} of {len(cases)} cases meet the aim.", "",
                  "| group | case | app | sql | all sql | app/sql | queries | slowest statement's plan |",
                  "|---|---|--:|--:|--:|--:|--:|---|"]  # fmt: skip
        for c in cases:
            m = c["median_ms"]
            ratio = f"{m['app'] / m['sql']:.1f}×" if m["sql"] else "—"
            plan = (c.get("plan") or "").replace("|", "/")
            lines.append(f"| {c['group']} | {c['name']} | {ms(m['app'])} | {ms(m['sql'])} | {ms(m['allsql'])} "
                         f"| {ratio} | {c['queries']} | {plan} |")  # fmt: skip
    return "\n".join([*lines, "", "Analysis: `bench/README.md` (Projects).", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["all", "postgresql", "sqlite"], default="all")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--pg-db", default=PG_DB, help="PostgreSQL benchmark database (kc_bench*)")
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args()
    if not args.pg_db.startswith("kc_bench"):
        parser.error("--pg-db must start with kc_bench")
    if args.quick:
        args.reps, args.warmup = 3, 1
    RAW.mkdir(parents=True, exist_ok=True)
    backends = ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]
    if args.render_only:
        results = [json.loads((RAW / f"projects_list-{b}.json").read_text(encoding="utf-8")) for b in backends]
    else:
        results = [run_backend(backend, args) for backend in backends]
    report = render(results)
    print("\n" + report)
    REPORT.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
