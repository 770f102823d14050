#!/usr/bin/env python
"""Every benchmark, one table (``make bench``).

    .venv/bin/python bench/all.py [--backend all|postgresql|sqlite] [--quick] [--only import,finance]
        [--registry-rows 200000] [--render-only]

Runs each capability's runner in its own process, in this order, on its own benchmark database:

==========  ===================================  ==============================================
capability  runner                               baseline (same run)
==========  ===================================  ==============================================
registry    ``bench/run.py``                     the request's own SQL replayed; the Django admin
projects    ``bench/run_projects.py``            the request's own SQL replayed
finance     ``bench/finance_rollup.py``          the bare SQL ``GROUP BY``; an Excel export summed
dashboard   ``bench/dashboard.py``               bare SQL for the same figures (PostgreSQL only;
                                                 on the finance benchmark database)
import      ``bench/import_establishments.py``   python-calamine reading every cell of the file
documents   ``bench/documents.py`` (when there)  its own baseline (see that script)
==========  ===================================  ==============================================

Each runner keeps its detailed report (``bench/results/<capability>.md``) and writes its summary rows
(``bench/common.py``: a ``Case`` per line) to ``var/bench/results/cases/``. This script prints the
one markdown table of every case file — those written now and, for capabilities not run this time
(``--only``), the last ones, with their date — and writes it to ``bench/results/latest.md``.
A runner that fails gets a line saying so; the others still run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CASES, ROOT, Case, machine, read_cases, render_table, write_cases

PY = sys.executable
LATEST = ROOT / "bench" / "results" / "latest.md"
CAPABILITIES = ["registry", "projects", "finance", "dashboard", "import", "documents"]
DOCUMENTS = ROOT / "bench" / "documents.py"


def steps(args) -> list[tuple[str, list[str], dict | None]]:
    """(capability, command, environment or None) for what this run does."""
    from run import VAR, bench_env, ensure_postgres

    quick = ["--quick"] if args.quick else []
    out: list[tuple[str, list[str], dict | None]] = []
    backend = ["--backend", args.backend]
    registry = ["--rows", str(args.registry_rows), "--pg-db", f"kc_bench{args.db_suffix}"]
    out.append(("registry", [PY, "bench/run.py", *backend, *registry, *quick], None))
    projects = ["--pg-db", f"kc_bench_projects{args.db_suffix}"]
    out.append(("projects", [PY, "bench/run_projects.py", *backend, *projects, *quick], None))
    for name in ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]:
        finance = [PY, "bench/finance_rollup.py", "--backend", name, *quick]
        if name == "postgresql":
            finance += ["--pg-db", f"kc_bench_finance{args.db_suffix}"]
        out.append(("finance", finance, None))
    if args.backend in ("all", "postgresql") and "dashboard" in args.only:
        # The dashboard reads the finance benchmark's projects and money (created by its runner above).
        url = ensure_postgres(f"kc_bench_finance{args.db_suffix}")
        reps = ["--reps", "7" if args.quick else "21"]
        out.append(("dashboard", [PY, "bench/dashboard.py", *reps], bench_env(url)))
    for name in ["postgresql", "sqlite"] if args.backend == "all" else [args.backend]:
        work = ["--work", str(VAR / "import")]
        work += ["--pg-db", f"kc_bench_import{args.db_suffix}"]
        out.append(("import", [PY, "bench/import_establishments.py", "--backend", name, *work, *quick], None))
    # Hook: the documents benchmark (DOCX/PDF of the 34-province summary) joins the table once the
    # file exists; it is expected to write its rows with ``common.write_cases("documents", …)``.
    if DOCUMENTS.exists():
        out.append(("documents", [PY, str(DOCUMENTS.relative_to(ROOT)), *quick], None))  # no database
    return [step for step in out if step[0] in args.only]


def documents_from_report() -> list[Case]:
    """``bench/documents.py`` prints its own table (``bench/results/documents.md``: format, renderer,
    ms, baseline, baseline ms, ratio, file size); its lines become rows here until it writes them
    itself with ``common.write_cases``."""
    report = ROOT / "bench" / "results" / "documents.md"
    cases = []
    for line in report.read_text(encoding="utf-8").splitlines() if report.exists() else []:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 7 or cells[0] not in ("docx", "pdf", "xlsx"):
            continue
        ours, base = (float(cells[i].replace(",", "")) for i in (2, 4))
        cases.append(Case("documents", f"34-province programme summary: {cells[1]}", "—", ours, base, cells[3],
                          aim="—", note=cells[6]))  # fmt: skip
    if cases:
        write_cases("documents", cases)
    return cases


ADAPTERS = {"documents": documents_from_report}


def run(args) -> None:
    started = time.time()
    for capability, command, env in steps(args):
        print(f"\n##### {capability}: {' '.join(command[1:])}", flush=True)
        begun = time.time()
        for stale in (f"{capability}-failed", f"{capability}-norows"):
            (CASES / f"{stale}.json").unlink(missing_ok=True)
        done = subprocess.run(command, cwd=ROOT, env=env)
        print(f"##### {capability}: exit {done.returncode} after {time.time() - begun:,.0f} s", flush=True)
        if done.returncode:
            failed = Case(capability, f"runner failed: `{' '.join(command[1:])}` exited {done.returncode}", "—",
                          None, None, "—", aim="runs", met=False)  # fmt: skip
            write_cases(f"{capability}-failed", [failed])
        written = [p for p in read_cases(since=begun) if p["runner"] == capability]
        if not done.returncode and not written and capability in ADAPTERS:
            written = ADAPTERS[capability]()
        if not done.returncode and not written:
            missing = Case(capability, f"`{' '.join(command[1:])}` wrote no summary rows (bench/common.py)", "—",
                           None, None, "—", aim="—")  # fmt: skip
            write_cases(f"{capability}-norows", [missing])
    print(f"\nall runners done in {time.time() - started:,.0f} s")


def render(started: float) -> str:
    files = read_cases()
    order = {name: i for i, name in enumerate(CAPABILITIES)}
    files.sort(key=lambda f: (order.get(f["runner"].split("-")[0], 99), f["runner"]))
    cases = [c for f in files for c in f["cases"]]
    met = sum(1 for c in cases if c.get("met") is True)
    aimed = sum(1 for c in cases if c.get("met") is not None)
    lines = [
        "# `make bench` — every capability, one table",
        "",
        f"Written by `bench/all.py` on {time.strftime('%Y-%m-%d %H:%M %z')}; {machine()}. "
        "**ours** and **baseline** are medians measured in the same run (round-robin where the runner times "
        "several things); **ratio** = ours ÷ baseline; an aim `≤ k× + s` means ours ≤ k × baseline + s. The "
        "machine is shared: compare ratios, not absolute times across runs. What each case and baseline is, "
        "and how to rerun one: `bench/README.md`; details per capability: `bench/results/<capability>.md`.",
        "",
        f"**{met} of {aimed} aimed lines met.**",
        "",
        *render_table(files),
        "",
        "Runs behind these lines (a capability left out by `--only` keeps its last run):",
        "",
    ]
    for f in files:
        earlier = " (an earlier run)" if f["mtime"] < started else ""
        lines.append(f"- `{f['file']}`: {f['when']}{earlier}; {f['machine']}")
    return "\n".join([*lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["all", "postgresql", "sqlite"], default="all")
    parser.add_argument("--quick", action="store_true", help="fewer rounds in every runner, for trying things out")
    parser.add_argument("--only", default=",".join(CAPABILITIES),
                        help=f"comma-separated capabilities among {', '.join(CAPABILITIES)}")  # fmt: skip
    parser.add_argument("--registry-rows", type=int, default=200_000,
                        help="establishments the registry runner seeds on each backend (1,000,000 is its own "
                             "default for PostgreSQL; too heavy for a shared machine)")  # fmt: skip
    databases = "kc_bench, kc_bench_projects, kc_bench_finance, kc_bench_import"
    parser.add_argument("--db-suffix", default="",
                        help=f"appended to the PostgreSQL benchmark databases' names ({databases}), to keep apart "
                             "from another run on a shared server")  # fmt: skip
    parser.add_argument("--render-only", action="store_true", help="rebuild the table from the last case files")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(CAPABILITIES)
    if unknown:
        parser.error(f"unknown capabilities: {', '.join(sorted(unknown))}")
    if not args.db_suffix.replace("_", "").isalnum() and args.db_suffix:
        parser.error("--db-suffix: letters, digits and _ only")
    os.chdir(ROOT)
    started = time.time()
    if not args.render_only:
        run(args)
    report = render(0.0 if args.render_only else started)
    print("\n" + report)
    LATEST.parent.mkdir(parents=True, exist_ok=True)
    LATEST.write_text(report, encoding="utf-8")
    print(f"wrote {LATEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
