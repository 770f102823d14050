#!/usr/bin/env python
"""kill -9 the job worker in the middle of an import commit, restart it, resume: nothing lost or doubled.

    .venv/bin/python scripts/faults/kill_worker_import.py [--rows 20000] [--database-url postgres://…/kc_fault_import]

A throw-away installation imports a generated file of ``--rows`` establishments of Hà Tĩnh (every
fifth row without tax code or external id, so a row written twice would show as a double). The
worker is killed with SIGKILL once the commit has checkpointed about 40% of the file. Then:
the job is still "running" (nobody recorded the death); a restarted worker marks it interrupted at
once (its predecessor's pid is dead); the rows written are exactly those up to the resume point;
resuming writes the rest; the final count equals what the dry run announced, with no tax code and
no keyless name twice. Results go to stdout as markdown (copied into docs/quality.md).
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import PYTHON, ROOT, Report, admin_user, arguments, prepare, wait_for


def generate(path: Path, rows: int) -> None:
    subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "gen_establishments.py"),
            str(path),
            "--rows",
            str(rows),
            "--province",
            "42",
            "--seed",
            "13",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    header = table[0]
    tax, external = header.index("Mã số thuế"), header.index("Mã ngoài")
    for number, row in enumerate(table[1:]):
        if number % 5 == 4:
            row[tax] = row[external] = ""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "khuyencong", "worker"],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of the file committed before the kill")
    args = parser.parse_args()
    env = prepare("import", args.database_url)
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.db.models import Count

    from khuyencong.jobs.models import Job
    from khuyencong.jobs.services import execute, resume_point, start_job, start_resume
    from khuyencong.registry.imports import NAME
    from khuyencong.registry.models import Establishment
    from khuyencong.web.imports import COMMIT, DRY_RUN

    report = Report(f"kill -9 the worker during an import commit ({env['DATABASE_URL'].split(':')[0]})")
    user = admin_user()
    source = Path(env["KC_VAR_DIR"]) / "co-so.csv"
    generate(source, args.rows)
    with source.open("rb") as fh:
        stored = default_storage.save("imports/fault/co-so.csv", File(fh))
    params = {"importer": NAME, "path": stored, "filename": "co-so.csv", "language": "vi", "error_stem": "co-so"}
    permission = ("registry.establishment", "add")
    dry = start_job(kind=DRY_RUN, title="Kiểm tra", owner=user, params=params, permission=permission)
    execute(str(dry.pk))  # here, not in the worker: only the commit is under test
    dry.refresh_from_db()
    expected = dry.result["counts"]["new"]
    report.fact(f"file: {args.rows:,} rows; the dry run announces {expected:,} new establishments")

    worker = start_worker()
    started = time.monotonic()
    commit = start_job(
        kind=COMMIT, title="Nhập", owner=user, params={**params, "dry_run_job": str(dry.pk)}, permission=permission
    )
    kill_row = int(args.rows * args.kill_at)

    def checkpointed():
        job = Job.objects.get(pk=commit.pk)
        return job if resume_point(job) >= kill_row or job.is_finished else None

    job = wait_for(checkpointed, timeout=300, interval=0.02, what="the commit to pass the kill point")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    killed_at = time.monotonic() - started
    job = Job.objects.get(pk=commit.pk)
    written = Establishment.objects.count()
    report.check(
        job.status == Job.Status.RUNNING,
        f"worker killed (SIGKILL) {killed_at:.1f} s into the commit; the job still says {job.status}",
    )
    point = resume_point(job)
    report.fact(f"at the kill: resume point row {point:,}, {written:,} establishments in the database")
    # Rows 2..point are data rows; a batch committed after its checkpoint was read would show as more.
    time.sleep(1)
    later = Establishment.objects.count()
    report.check(later == written, f"nothing more is written after the kill ({later:,})")

    restarted = time.monotonic()
    worker = start_worker()
    try:
        job = wait_for(
            lambda: (j := Job.objects.get(pk=commit.pk)).status != Job.Status.RUNNING and j,
            timeout=60,
            what="the restarted worker to interrupt the job",
        )
        report.check(
            job.status == Job.Status.INTERRUPTED,
            f"restarted worker marked the job {job.status} after {time.monotonic() - restarted:.1f} s "
            f"(progress {job.progress}%, message kept: {job.message!r})",
        )
        point = resume_point(job)
        written = Establishment.objects.count()
        report.check(
            written == point - 1,
            f"rows written = data rows up to the resume point: {written:,} = {point:,} - 1 (header)",
        )
        resumed = start_resume(job, title="Tiếp tục nhập", owner=user)
        report.check(
            resumed is not None and start_resume(job, title="x", owner=user) is None, "the commit can be resumed, once"
        )
        resumed = wait_for(
            lambda: (j := Job.objects.get(pk=resumed.pk)).is_finished and j, timeout=300, what="the resumed commit"
        )
        report.check(
            resumed.status == Job.Status.SUCCEEDED, f"the resumed job {resumed.status}: {resumed.result.get('counts')}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    final = Establishment.objects.count()
    report.check(final == expected, f"final count {final:,} = {expected:,} announced by the dry run (nothing lost)")
    doubled_tax = (
        Establishment.objects.exclude(tax_code=None).values("tax_code").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    keyless = Establishment.objects.filter(tax_code=None, external_id=None)
    doubled_names = keyless.values("name", "commune_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    report.check(
        doubled_tax == 0 and doubled_names == 0,
        f"no doubles: {doubled_tax} tax codes and {doubled_names} keyless name+commune twice "
        f"({keyless.count():,} keyless rows)",
    )
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
