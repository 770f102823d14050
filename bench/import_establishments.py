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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a scratch file) or a DATABASE_URL")
    parser.add_argument("--reader", choices=["auto", "calamine", "stream"], default="auto",
                        help="xlsx reader of the import (auto: calamine up to 40 MB of sheet XML)")  # fmt: skip
    parser.add_argument("--inline-strings", action="store_true", help="generate texts in cells, not shared")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.file, args.reader)))
        return

    work = Path(tempfile.mkdtemp(prefix="kc-bench-"))
    workbook = work / f"establishments-{args.rows}.xlsx"
    generate = [sys.executable, str(ROOT / "bench" / "gen_establishments.py"), str(workbook), "--rows", str(args.rows)]
    subprocess.run(generate + (["--inline-strings"] if args.inline_strings else []), check=True, cwd=ROOT)
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}" if args.db == "sqlite" else args.db
    env.setdefault("KC_MEDIA_ROOT", str(work / "media"))
    env["DEBUG"] = "false"  # DEBUG keeps the SQL of the last 9,000 queries: neither fast nor flat
    setup_database(env)
    results = []
    for name in PHASES:
        out = subprocess.run(
            [sys.executable, __file__, "--phase", name, "--file", str(workbook), "--reader", args.reader],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        rate = result["rows"] / result["seconds"]
        print(f"{name:<13} {result['rows']:>8} rows {result['seconds']:8.2f} s (cpu {result['cpu_seconds']:6.2f} s) "
              f"{rate:8.0f} rows/s  peak RSS {result['peak_mb']:6.1f} MB {result.get('counts', '')}")  # fmt: skip
    read_rate = results[0]["rows"] / results[0]["seconds"]
    for result in results[1:]:
        print(
            f"{result['phase']}: {100 * result['rows'] / result['seconds'] / read_rate:.0f}% of plain calamine reading"
        )
    print(f"files in {work}")


if __name__ == "__main__":
    main()
