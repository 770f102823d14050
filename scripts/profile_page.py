#!/usr/bin/env python
"""Measure the fixed cost of a page in-process: CPU time per request, queries, and where it goes.

    KC_VAR_DIR=var-demo DATABASE_URL=sqlite:///var-demo/db.sqlite3 \\
        .venv/bin/python scripts/profile_page.py --user cuc.chuyenvien -n 200

Each page is requested through Django's test ``Client`` (force-logged-in, DEBUG off, the full
middleware stack) after a few warm-up requests, then ``-n`` times round-robin with the other
pages; the table gives the median CPU time of the process per request (``time.process_time``),
the median wall time, the time spent inside SQL statements and the number of statements.
``--profile PATH`` runs cProfile over ``-n`` requests of one page and prints the functions with
the largest cumulative and own times. Read-only apart from the session row the login writes; run
it on a demo or benchmark database, never on production data.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
os.environ.setdefault("KC_ENV", "development")
os.environ.setdefault("DEBUG", "false")

DEFAULT_PAGES = [
    "/healthz",
    "/establishments/",
    "/establishments/?q=may+tre",
    "htmx:/establishments/?q=may+tre",
    "/establishments/?eligible=0",
    "/establishments/{establishment}/",
    "/projects/",
    "/",
]


class SqlTimer:
    """An execute wrapper: how many statements a request ran and how long they took."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="cuc.chuyenvien", help="user name to sign in as")
    parser.add_argument("-n", type=int, default=100, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--page", action="append", help="a path (repeatable); {establishment} is a live id")
    parser.add_argument("--profile", help="cProfile this path instead of timing the table")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key for --profile")
    parser.add_argument("--language", default="vi")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from khuyencong.accounts.models import User
    from khuyencong.registry.models import Establishment

    user = User.objects.get(username=args.user)
    establishment = Establishment.objects.live().order_by("pk").values_list("pk", flat=True).first()
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = args.language
    pages = [page.format(establishment=establishment) for page in (args.page or DEFAULT_PAGES)]

    def request(path: str):
        # "htmx:/path" asks for the search-as-you-type partial, as the page's HTMX requests do.
        headers = {"HX-Request": "true"} if path.startswith("htmx:") else {}
        response = client.get(path.removeprefix("htmx:"), headers=headers)
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    if args.profile:
        path = args.profile.format(establishment=establishment)
        for _ in range(args.warmup):
            request(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            request(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        return

    for path in pages:
        for _ in range(args.warmup):
            request(path)
    samples: dict[str, dict[str, list[float]]] = {
        path: {"cpu": [], "wall": [], "sql": [], "queries": [], "bytes": []} for path in pages
    }
    for _ in range(args.n):
        for path in pages:
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                cpu, wall = time.process_time(), time.perf_counter()
                response = request(path)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sample = samples[path]
            sample["cpu"].append(cpu * 1000)
            sample["wall"].append(wall * 1000)
            sample["sql"].append(timer.seconds * 1000)
            sample["queries"].append(timer.count)
            sample["bytes"].append(len(getattr(response, "content", b"")))

    print(f"{connection.vendor}, user {args.user}, {args.n} requests per page, medians (ms)")
    print("| page | CPU | wall | in SQL | wall − SQL | queries | KB |\n|---|--:|--:|--:|--:|--:|--:|")
    for path in pages:
        sample = samples[path]
        cpu, wall, sql = (statistics.median(sample[key]) for key in ("cpu", "wall", "sql"))
        queries = statistics.median(sample["queries"])
        size = statistics.median(sample["bytes"]) / 1024
        print(f"| `{path}` | {cpu:.1f} | {wall:.1f} | {sql:.1f} | {wall - sql:.1f} | {queries:g} | {size:.0f} |")


if __name__ == "__main__":
    main()
