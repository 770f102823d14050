#!/usr/bin/env python
"""Time the national dashboard (page and API) against the bare SQL behind its figures.

    KC_ENV=development DEBUG=false KC_VAR_DIR=var/bench \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/kc_bench_dashboard \\
        .venv/bin/python bench/dashboard.py [--year 2022] [--reps 15]

The database holds generated projects (``khuyencong gen-data --scale national --only projects``:
60,000 over 2007–2026; see bench/README.md, "Dashboards"). For each case it reports:

* ``app``: the whole request through Django's test client (median of ``--reps``);
* ``orm sql``: the statements the request ran, captured once and replayed on a raw cursor;
* ``bare sql``: hand-written SQL giving the same figures (projects by state, by province, the
  programme's counts per content, the overdue count reusing the page's own ``WHERE``), checked to
  return the same numbers as the page.

Aim: ``orm sql ≤ 1.5 × bare sql`` (the ORM's queries are as good as hand-written ones) and the
request within a few milliseconds of its SQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))

from common import Case, backend_label, write_cases  # noqa: E402

from khuyencong.accounts.models import User  # noqa: E402
from khuyencong.dashboards.selectors import DONE_STATES, UNDER_WAY_STATES, programme_for  # noqa: E402
from khuyencong.organisation.models import OrgUnit, Role  # noqa: E402
from khuyencong.organisation.services import assign_role  # noqa: E402
from khuyencong.projects.deadlines import overdue_q  # noqa: E402
from khuyencong.projects.models import Project  # noqa: E402

BENCH_USER = "bench.dashboard"


def bench_user() -> User:
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User.objects.create_user(username=BENCH_USER, password="x-bench-2026", full_name="Bench Dashboard")
        assign_role(user=user, role=Role.AGENCY_OFFICER, org_unit=OrgUnit.objects.get(code="CUC-DMST"))
    return user


def medians_ms(fns: list, reps: int) -> list[float]:
    """Round-robin timing (one run of each per round), so a busy machine slows every case alike."""
    for fn in fns:
        fn()  # warm
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(reps):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


# The request's own bookkeeping (session, user, role assignments, the navbar's unread count): the
# same on every page, not part of the figures.
OVERHEAD_TABLES = ('"django_session"', '"accounts_user"', '"organisation_roleassignment"', '"notifications_')


def replay(statements: list[tuple[str, tuple]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()


def bare_statements(year: int) -> list[tuple[str, tuple]]:
    """The figures written by hand: what a DBA would run for the national dashboard."""
    programme = programme_for(year)
    overdue_sql, overdue_params = (
        Project.objects.filter(year=year).filter(overdue_q()).values("pk").query.sql_with_params()
    )
    statements = [
        ("SELECT state, COUNT(*) FROM projects_project WHERE year = %s GROUP BY state", (year,)),
        (
            "SELECT province_id, COUNT(*) FROM projects_project WHERE year = %s GROUP BY province_id",
            (year,),
        ),
        (f"SELECT COUNT(*) FROM ({overdue_sql}) AS late", tuple(overdue_params)),  # noqa: S608 (our own SQL)
        ("SELECT id, code, short_name, successor_id FROM territory_province WHERE valid_to IS NULL", ()),
    ]
    # The money, as the rollups add it up: plan lines of each plan's latest approved version, the
    # allocations, the main contracts in force, the ledger's paid entries, per province.
    statements += [
        (
            "SELECT COALESCE(l.province_id, a.province_id), SUM(l.amount) FROM planning_planline l "
            "JOIN planning_planversion v ON v.id = l.plan_version_id JOIN planning_annualplan a ON a.id = v.plan_id "
            "WHERE a.year = %s AND v.id = (SELECT v2.id FROM planning_planversion v2 WHERE v2.plan_id = v.plan_id "
            "AND v2.status = 'approved' ORDER BY v2.sequence DESC LIMIT 1) "
            "AND NOT EXISTS (SELECT 1 FROM planning_planline c WHERE c.parent_id = l.id) GROUP BY 1",
            (year,),
        ),
        ("SELECT province_id, SUM(amount) FROM finance_allocation WHERE year = %s GROUP BY province_id", (year,)),
        (
            "SELECT p.province_id, SUM(c.value) FROM contracts_contract c "
            "JOIN projects_project p ON p.id = c.project_id WHERE c.kind = 'main' "
            "AND c.state IN ('signed', 'amended', 'liquidated') AND p.year = %s GROUP BY 1",
            (year,),
        ),
        (
            "SELECT province_id, SUM(amount) FILTER (WHERE kind = 'advance' AND status = 'paid'), "
            "SUM(amount) FILTER (WHERE kind = 'payment' AND status = 'paid'), "
            "SUM(amount) FILTER (WHERE kind = 'recovery' AND status = 'paid'), "
            "SUM(amount) FILTER (WHERE kind = 'settlement' AND status = 'paid') "
            "FROM finance_ledgerentry WHERE year = %s GROUP BY province_id",
            (year,),
        ),
        (
            "SELECT date_trunc('month', entry_date), SUM(CASE WHEN kind = 'recovery' THEN -amount ELSE amount END) "
            "FROM finance_ledgerentry WHERE year = %s AND status = 'paid' "
            "AND kind IN ('advance', 'payment', 'recovery') GROUP BY 1 ORDER BY 1",
            (year,),
        ),
    ]
    if programme is not None:
        done = tuple(str(s) for s in DONE_STATES)
        under = tuple(str(s) for s in UNDER_WAY_STATES)
        marks_done = ", ".join(["%s"] * len(done))
        marks_under = ", ".join(["%s"] * len(under))
        statements += [
            (
                "SELECT t.id, t.name, t.unit, t.target_value, t.content_id FROM planning_programmetarget t "
                "WHERE t.programme_id = %s ORDER BY t.position, t.id",
                (programme.pk,),
            ),
            (
                f"SELECT content_id, COUNT(*) FILTER (WHERE state IN ({marks_done})), "  # noqa: S608 (placeholders)
                f"COUNT(*) FILTER (WHERE state IN ({marks_under})) FROM projects_project "
                "WHERE year BETWEEN %s AND %s AND content_id IN "
                "(SELECT content_id FROM planning_programmetarget WHERE programme_id = %s) GROUP BY content_id",
                (*done, *under, programme.start_year, programme.end_year, programme.pk),
            ),
            (
                "SELECT p.content_id, COUNT(DISTINCT b.establishment_id) FROM projects_beneficiaryline b "  # noqa: S608
                f"JOIN projects_project p ON p.id = b.project_id WHERE p.state IN ({marks_done}) "
                "AND p.year BETWEEN %s AND %s AND p.content_id IN "
                "(SELECT content_id FROM planning_programmetarget WHERE programme_id = %s) GROUP BY p.content_id",
                (*done, programme.start_year, programme.end_year, programme.pk),
            ),
        ]
    return statements


def check_same_figures(client: Client, year: int) -> None:
    body = client.get("/api/v1/dashboard", {"year": year, "provinces": "current"}).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, COUNT(*) FROM projects_project WHERE year = %s GROUP BY state", (year,))
        by_state = dict(cursor.fetchall())
    assert {s["state"]: s["count"] for s in body["projects_by_state"]} == by_state, "figures differ from the SQL"
    late = Project.objects.filter(year=year).filter(overdue_q()).count()
    assert body["overdue"] == late


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    user = bench_user()
    client = Client()
    client.force_login(user)
    check_same_figures(client, args.year)
    print(f"{Project.objects.count():,} projects; national dashboard of {args.year} ({connection.vendor})")
    print(f"{'case':<34}{'queries/data':>12}{'app ms':>9}{'orm sql ms':>12}{'bare sql ms':>13}{'orm/bare':>10}")
    bare = bare_statements(args.year)
    cases = []
    size = f"{Project.objects.count():,} projects, {args.year}"
    for name, path, params in (
        ("page /dashboards/", "/dashboards/", {"year": args.year, "provinces": "current"}),
        ("api /api/v1/dashboard", "/api/v1/dashboard", {"year": args.year, "provinces": "current"}),
        ("page, legacy provinces", "/dashboards/", {"year": args.year, "provinces": "legacy"}),
    ):
        client.get(path, params)  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, params)
        assert response.status_code == 200, response.content[:300]
        statements = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "SET ", "BEGIN", "COMMIT")):
                continue
            statements.append(sql)
        data = [sql for sql in statements if not any(f"FROM {t}" in sql for t in OVERHEAD_TABLES)]
        # The captured SQL is already interpolated: replay it as it ran.
        raw = [(sql.replace("%", "%%"), ()) for sql in data]
        app_ms, orm_ms, bare_ms = medians_ms(
            [
                lambda path=path, params=params: client.get(path, params),
                lambda raw=raw: replay(raw),
                lambda: replay(bare),
            ],
            args.reps,
        )
        print(
            f"{name:<34}{len(statements):>5}/{len(data):<3}{app_ms:>9.1f}{orm_ms:>12.1f}{bare_ms:>13.1f}"
            f"{orm_ms / bare_ms:>9.2f}×"
        )
        backend = backend_label(connection)
        cases.append(Case("dashboard", f"{name}: its data SQL", backend, orm_ms, bare_ms, "bare SQL", 1.5, note=size))
        cases.append(Case("dashboard", f"{name}: whole request", backend, app_ms, bare_ms, "bare SQL", note=size,
                          aim="— (fixed cost of a page)"))  # fmt: skip
    write_cases("dashboard", cases, backend=backend_label(connection))


if __name__ == "__main__":
    main()
