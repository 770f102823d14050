#!/usr/bin/env python
"""Fill the disk while an export is written: the job fails with a plain message and no file is kept or offered.

    sudo .venv/bin/python scripts/faults/disk_full_export.py [--size 64k] [--database-url …]

The media directory of a throw-away installation is a tmpfs of ``--size`` (mounting needs root);
the demo establishments are exported to Excel through the job runner, which the file does not fit.
Checks: the job ends "failed" with the Vietnamese disk-full message, no result file is named,
nothing is left in the media directory, the job page offers no download and the download URL
answers 404. Then the tmpfs is made large enough and the same export succeeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PYTHON, ROOT, Report, admin_user, arguments, prepare


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--size", default="64k")
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="kc-fault-media-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={args.size}", "tmpfs", str(media)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        sys.exit(f"cannot mount a tmpfs (run as root): {mounted.stderr.strip()}")
    try:
        env = prepare("disk", args.database_url, KC_MEDIA_ROOT=str(media))
        subprocess.run(
            [PYTHON, "-m", "khuyencong", "demo", "--establishments", "2000"],
            cwd=ROOT, env={**os.environ}, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return run(env, media, args.size)
    finally:
        subprocess.run(["umount", str(media)], check=False)


def run(env: dict, media: Path, size: str) -> int:
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from khuyencong.jobs.models import Job
    from khuyencong.jobs.services import execute

    report = Report(f"disk full while writing an export ({env['DATABASE_URL'].split(':')[0]}, tmpfs {size})")
    user = admin_user()
    client = Client()
    client.force_login(user)
    params = {"view": "khuyencong.registry.views.EstablishmentExportView", "query": {"format": "xlsx"}}
    job = Job.objects.create(kind="web.export", title="Xuất danh sách cơ sở", owner=user, params=params)
    with translation.override("vi"):
        execute(str(job.pk))
    job.refresh_from_db()
    left = [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()]
    report.check(job.status == Job.Status.FAILED, f"the export job {job.status}: {job.error.splitlines()[0]!r}")
    report.check("dung lượng đĩa" in job.message, f"the user reads: {job.message!r}")
    report.check(not job.result_file and not left, f"no file named or left behind (media holds {left})")
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    download = client.get(reverse("jobs:job_download", args=[job.pk])).status_code
    offered = reverse("jobs:job_download", args=[job.pk]) in page
    report.check(not offered and download == 404, f"the job page offers no download; the URL answers {download}")
    subprocess.run(["mount", "-o", "remount,size=64m", str(media)], check=True)
    again = Job.objects.create(kind="web.export", title="Xuất lại", owner=user, params=params)
    execute(str(again.pk))
    again.refresh_from_db()
    size_now = again.result_file.size if again.result_file else 0
    report.check(
        again.status == Job.Status.SUCCEEDED and size_now > 0,
        f"with room again the same export {again.status}: {again.result.get('rows')} rows, {size_now:,} bytes",
    )
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
