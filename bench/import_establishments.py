#!/usr/bin/env python
"""Measure the establishment import against plain reading of the same workbook.

    .venv/bin/python bench/import_establishments.py [--rows 100000] [--db sqlite|URL] [--reader auto|calamine|stream]

Generates the workbook (bench/gen_establishments.py), sets up a scratch database (a temporary
SQLite file unless --db gives a DATABASE_URL), then runs each phase in its own process so the peak
RSS of each is its own: plain reading with python-calamine, the dry run, the first commit (every row
new), the second commit (every row unchanged). Prints rows/s and peak RSS per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PHASES = ["read", "read_stream", "dry_run", "commit", "commit_again"]


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _limits(reader: str):
    from khuyencong import tabular

    if reader == "calamine":
        limit = tabular.LIMITS.max_uncompressed_bytes
        return tabular.Limits(calamine_max_sheet_bytes=limit, calamine_max_cells=10**12)
    if reader == "stream":
        return tabular.Limits(calamine_max_sheet_bytes=0)
    return tabular.LIMITS


def phase(name: str, path: str, reader: str = "auto") -> dict:
    """Run one phase in this process; returns timings and peak memory."""
    if name == "read":  # the baseline: python-calamine, nothing else
        from python_calamine import CalamineWorkbook

        started, cpu = time.perf_counter(), time.process_time()
        rows = 0
        with CalamineWorkbook.from_path(path) as workbook:
            for _cells in workbook.get_sheet_by_index(0).iter_rows():
                rows += 1
        return _result(name, rows - 1, started, cpu)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from khuyencong import tabular
    from khuyencong.registry import imports

    if name == "read_stream":  # the import's own reader for big sheets (checks + expat), nothing else
        started, cpu = time.perf_counter(), time.process_time()
        with tabular.open_sheet(path, _limits("stream")) as sheet:
            rows = sum(1 for _row in sheet.rows)
        return _result(name, rows - 1, started, cpu)

    user = get_user_model().objects.get(username="bench")
    started, cpu = time.perf_counter(), time.process_time()
    if name == "dry_run":
        report = imports.dry_run(path, user, limits=_limits(reader))
    else:
        report = imports.commit(path, user, limits=_limits(reader))
    assert report.ok, report.file_errors
    return {**_result(name, report.rows, started, cpu), "counts": report.counts}


def _result(name: str, rows: int, started: float, cpu: float) -> dict:
    return {
        "phase": name,
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
    }


def setup_database(env: dict) -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'khuyencong.settings'); django.setup();"
        "from django.core.management import call_command; call_command('kc_setup', verbosity=0);"
        "from django.contrib.auth import get_user_model;"
        "U = get_user_model(); U.objects.filter(username='bench').exists() or "
        "U.objects.create_superuser(username='bench', password='x-Bench-2026!', full_name='Bench')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def scratch_database(backend: str, db: str, work: Path, rows: int) -> str:
    """A new, empty database for one size: a SQLite file in ``work``, or a dropped and re-created
    PostgreSQL ``kc_bench_import*`` database."""
    if backend == "sqlite":
        return f"sqlite:///{work / f'bench-{rows}.sqlite3'}"
    import psycopg
    from run import PG_SERVER

    if not db.startswith("kc_bench_import"):
        raise SystemExit("--pg-db must start with kc_bench_import (it is dropped and re-created)")
    subprocess.run([str(ROOT / "scripts" / "ensure-postgres.sh")], check=True)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    return f"{PG_SERVER}/{db}"


def run_size(rows: int, args, work: Path, phases: list[str]) -> dict[str, list[dict]]:
    """Every phase at one size, each run in a fresh process, ``--reps`` times for the read-only ones."""
    workbook = work / f"establishments-{rows}.xlsx"
    generate = [sys.executable, str(ROOT / "bench" / "gen_establishments.py"), str(workbook), "--rows", str(rows)]
    if not workbook.exists():
        subprocess.run(generate + (["--inline-strings"] if args.inline_strings else []), check=True, cwd=ROOT)
    env = dict(os.environ)
    env["DATABASE_URL"] = scratch_database(args.backend, args.pg_db, work, rows) if args.db == "sqlite" else args.db
    env.setdefault("KC_MEDIA_ROOT", str(work / "media"))
    env["DEBUG"] = "false"  # DEBUG keeps the SQL of the last 9,000 queries: neither fast nor flat
    env.pop("KC_TEST_DB_NAME", None)
    setup_database(env)
    results: dict[str, list[dict]] = {}
    for name in phases:
        for _ in range(args.reps if name in REPEATED else 1):
            out = subprocess.run(
                [sys.executable, __file__, "--phase", name, "--file", str(workbook), "--reader", args.reader],
                check=True, env=env, cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.setdefault(name, []).append(result)
            rate = result["rows"] / result["seconds"]
            print(f"{rows:>7} {name:<13} {result['rows']:>8} rows {result['seconds']:8.2f} s "
                  f"(cpu {result['cpu_seconds']:6.2f} s) {rate:8.0f} rows/s  peak RSS {result['peak_mb']:6.1f} MB "
                  f"{result.get('counts', '')}", flush=True)  # fmt: skip
    return results


REPEATED = {"read", "dry_run"}  # read-only phases: the median of --reps runs


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summary_cases(big: dict, small: dict, rows: int, small_rows: int, backend: str) -> list:
    from common import Case

    read_s = median(big["read"], "seconds")
    read_rate = rows / read_s

    read_cpu = median(big["read"], "cpu_seconds")

    def rate(runs):
        cpu = median(runs, "cpu_seconds") / read_cpu
        return f"{rows / median(runs, 'seconds'):,.0f} rows/s, plain read {read_rate:,.0f} rows/s; CPU time {cpu:.1f}×"

    out = [
        Case("import", f"dry run, {rows:,} rows", backend, 1000 * median(big["dry_run"], "seconds"), 1000 * read_s,
             "calamine read of every cell", 2.0, aim="≤ 2× (≥ 50% of the read's speed)", note=rate(big["dry_run"]),
             extra={"cpu_ratio": median(big["dry_run"], "cpu_seconds") / median(big["read"], "cpu_seconds")}),
        Case("import", f"commit, {rows:,} new rows", backend, 1000 * big["commit"][0]["seconds"], 1000 * read_s,
             "calamine read of every cell", aim="—", note=rate(big["commit"])),
        Case("import", f"commit again, {rows:,} unchanged rows", backend, 1000 * big["commit_again"][0]["seconds"],
             1000 * read_s, "calamine read of every cell", aim="—", note=rate(big["commit_again"])),
    ]  # fmt: skip
    if small:
        for phase, label in (("dry_run", "dry run"), ("commit", "commit")):
            peak, base = max(r["peak_mb"] for r in big[phase]), max(r["peak_mb"] for r in small[phase])
            out.append(Case("import", f"{label}: peak RSS at {rows:,} rows", backend, peak, base,
                            f"at {small_rows:,} rows", 1.25, unit="MB", aim="flat (≤ 1.25×)"))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=20_000,
                        help="the smaller size whose peak memory is compared (0: skip)")  # fmt: skip
    parser.add_argument("--reps", type=int, default=3, help="runs of the read and the dry run (median)")
    parser.add_argument("--quick", action="store_true", help="one run of each phase")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-db", default="kc_bench_import", help="PostgreSQL scratch database (kc_bench_import*)")
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a scratch database of --backend) or a DATABASE_URL")
    parser.add_argument("--reader", choices=["auto", "calamine", "stream"], default="auto",
                        help="xlsx reader of the import (auto: calamine up to 40 MB of sheet XML)")  # fmt: skip
    parser.add_argument("--inline-strings", action="store_true", help="generate texts in cells, not shared")
    parser.add_argument("--work", type=Path, help="keep the workbooks here (default: a new temporary directory)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.file, args.reader)))
        return
    if args.quick:
        args.reps = 1
    work = args.work or Path(tempfile.mkdtemp(prefix="kc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    small = {}
    if args.memory_rows:
        small = run_size(args.memory_rows, args, work, ["dry_run", "commit"])
    big = run_size(args.rows, args, work, PHASES)
    read_rate = args.rows / median(big["read"], "seconds")
    for name in PHASES[1:]:
        print(f"{name}: {100 * args.rows / median(big[name], 'seconds') / read_rate:.0f}% of plain calamine reading")
    from common import write_cases

    backend = "SQLite" if args.backend == "sqlite" else "PostgreSQL 15"
    write_cases("import", summary_cases(big, small, args.rows, args.memory_rows, backend), backend=backend)
    print(f"files in {work}")


if __name__ == "__main__":
    main()
