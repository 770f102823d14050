#!/usr/bin/env python
"""Time one establishment export job and measure its peak memory, in a fresh process.

    KC_ENV=development DEBUG=false DATABASE_URL=... KC_VAR_DIR=var/bench \\
        .venv/bin/python bench/export_memory.py --query '{"status": "suspended"}' --format csv

The export runs as it does for a user: a ``web.export`` job owned by the agency officer, executed
in this process by ``jobs.services.execute`` (read through the selector, written to a file,
stored as the job's result). Prints one JSON line: rows, seconds, the peak resident memory over
the process's own before the job (``ru_maxrss``), and the stored file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="{}", help="the list's filters, as JSON")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    args = parser.parse_args()

    import django

    django.setup()
    import xlsxwriter  # noqa: F401 - loaded before the baseline, as a worker has it loaded

    from khuyencong.accounts.models import User
    from khuyencong.jobs.models import Job
    from khuyencong.jobs.services import execute
    from khuyencong.registry.models import Establishment

    owner = User.objects.get(username="bench_agency")
    Establishment.objects.live().first()  # connection, model and translation machinery warm
    params = {
        "view": "khuyencong.registry.views.EstablishmentExportView",
        "query": {**json.loads(args.query), "format": args.format},
        "_permission": ["registry.establishment", "export"],
    }
    job = Job.objects.create(kind="web.export", title="bench export", owner=owner, params=params)
    before = peak_mb()
    started = time.perf_counter()
    execute(str(job.pk))
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    size = job.result_file.size
    job.result_file.delete(save=False)
    job.delete()
    print(
        json.dumps(
            {
                "query": json.loads(args.query),
                "format": args.format,
                "rows": job.result.get("rows"),
                "seconds": round(seconds, 2),
                "peak_over_base_mb": round(peak_mb() - before, 1),
                "file_mb": round(size / 1e6, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
