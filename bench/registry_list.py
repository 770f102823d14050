#!/usr/bin/env python
"""Time the establishment list/search against its peer and against bare SQL, on one database.

    KC_ENV=development DEBUG=false DATABASE_URL=... KC_VAR_DIR=var/bench \\
        .venv/bin/python bench/registry_list.py --out var/bench/registry_list-postgresql.json

For each query (rare term, common term, empty) and each reach (an agency officer, nationwide; a Hà
Tĩnh provincial officer) it times, in-process with Django's test ``Client`` (DEBUG off):

``list``      our page ``/establishments/?q=…`` (whole request: middleware, scoping, both queries, template)
``api``       our API ``/api/v1/establishments?q=…&limit=50`` (keyset page, JSON)
``admin``     the Django admin changelist ``/admin/registry/establishment/?q=…`` as a superuser (the peer);
              for the provincial reach it gets ``province__exact=<id>`` so it returns the same rows' scope
``sql_list``  the bare SQL of our first page: ``… ORDER BY name, id LIMIT 51`` plus the capped count
``sql_api``   the bare SQL of the API's first page: ``… ORDER BY id LIMIT 51``
``sql_by_id`` not something we run today: our page's bare SQL ordered by ``id DESC`` instead of ``name``
              (plus the same capped count), to measure a query change proposed in the report

Variants are run round-robin (``--warmup`` untimed rounds, then ``--reps`` timed ones) and reported as
medians. Then one untimed, instrumented request per variant counts queries and database time, and on
PostgreSQL the list page's two queries are EXPLAIN ANALYZEd. ``--phases`` (JSON) runs the whole matrix
again after DDL applied to this benchmark database only (e.g. a proposed index); the ``revert``
statements run before each phase and at the end, so the database stays as the migrations left it.
"""

# SQL below is assembled from constant identifiers and fixed fragments; values are always parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")

QUERIES = [
    ("rare", "may tre dan thach ha"),
    ("common", "co so"),
    ("empty", ""),
]
# The admin searches name/tax code/owner with icontains, which is accent-sensitive; this is what a user
# would have to type there to find the same rows. Timed as an extra, informative variant.
ACCENTED = {"rare": "mây tre đan thạch hà", "common": "cơ sở"}
SCOPES = [("nationwide", "bench_agency"), ("Hà Tĩnh (42)", "bench_hatinh")]
VARIANTS = ["list", "api", "admin", "sql_list", "sql_api", "sql_by_id", "admin_accented"]
PAGE = 50
CAP = 10_000


def setup_users():
    from khuyencong.accounts.models import User
    from khuyencong.organisation.models import OrgUnit, Role
    from khuyencong.organisation.services import assign_role

    def user(username, **extra):
        obj, created = User.objects.get_or_create(username=username, defaults={"full_name": username, **extra})
        if created:
            obj.set_unusable_password()
            obj.save()
        return obj

    agency = user("bench_agency")
    assign_role(user=agency, role=Role.AGENCY_OFFICER, org_unit=OrgUnit.objects.get(code="CUC-DMST"))
    hatinh = user("bench_hatinh")
    assign_role(user=hatinh, role=Role.PROVINCIAL_OFFICER, org_unit=OrgUnit.objects.get(code="SCT-42"))
    admin = user("bench_admin", is_staff=True, is_superuser=True)
    return {"bench_agency": agency, "bench_hatinh": hatinh, "bench_admin": admin}


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


class Bare:
    """The bare SQL that returns the same first page (and capped count) as our views."""

    def __init__(self, connection):
        self.connection = connection
        self.like = "LIKE %s" if connection.vendor == "postgresql" else "LIKE %s ESCAPE '\\'"

    def where(self, term: str, province_id: int | None):
        clauses, params = ["e.merged_into_id IS NULL"], []
        if term:
            from khuyencong.kernel.text import fold

            clauses.append(f"e.search_text {self.like}")
            params.append("%" + fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if province_id is not None:
            clauses.append("e.province_id = %s")
            params.append(province_id)
        return " AND ".join(clauses), params

    def list_page(self, term, province_id, order="e.name, e.id"):
        where, params = self.where(term, province_id)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id, e.name, e.tax_code, e.legal_form, c.name, p.name, e.workers_total, e.status "
                "FROM registry_establishment e JOIN territory_commune c ON c.id = e.commune_id "
                "JOIN territory_province p ON p.id = e.province_id "
                f"WHERE {where} ORDER BY {order} LIMIT {PAGE + 1}",
                params,
            )
            rows = cursor.fetchall()
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM registry_establishment e WHERE {where} LIMIT {CAP + 1}) s",
                params,
            )
            count = cursor.fetchone()[0]
        return rows, count

    def api_page(self, term, province_id):
        where, params = self.where(term, province_id)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.*, c.code, c.name, p.code FROM registry_establishment e "
                "JOIN territory_commune c ON c.id = e.commune_id JOIN territory_province p ON p.id = e.province_id "
                f"WHERE {where} ORDER BY e.id LIMIT {PAGE + 1}",
                params,
            )
            return cursor.fetchall()


class QueryLog:
    """An execute wrapper that records each query's SQL, parameters and duration."""

    def __init__(self):
        self.entries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.entries.append((sql, params, (time.perf_counter() - started) * 1000))


def explain(connection, sql, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())  # SQLite: the "detail" column


def plan_summary(plan: str) -> str:
    """PostgreSQL: the plan nodes that matter (sorts, limits, scans of the establishment table and its
    indexes), outermost first, and the execution time. SQLite: its steps."""
    keep = {"Limit", "Sort", "Incremental Sort", "Gather Merge", "Aggregate", "BitmapAnd", "BitmapOr"}
    nodes = []
    for line in plan.splitlines():
        match = re.match(r"\s*(?:->\s*)?([A-Z][A-Za-z -]+?)(?: using (\w+))?(?: on (\w+)(?: \w+)?)?\s+\(cost", line)
        if not match:
            continue
        node, index, target = match.groups()
        target = index or target or ""
        if node in keep or target.startswith(("registry_establishment", "estab_", "bench_")):
            nodes.append(node + (f" [{target}]" if target and target != "registry_establishment" else ""))
    if not nodes:  # SQLite's EXPLAIN QUERY PLAN: the steps on the establishment table, and sorts
        steps = [line.strip() for line in plan.splitlines() if "registry_establishment" in line or "TEMP" in line]
        return " | ".join(re.sub(r"registry_establishment(?=\s)", "e", step) for step in steps)
    total = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return " > ".join(nodes) + (f" ({float(total.group(1)):.1f} ms)" if total else "")


def run_phase(label, users, province_id, reps, warmup, explain_dir: Path | None):
    from django.db import connection

    from khuyencong.kernel.scoping import restrict
    from khuyencong.kernel.text import fold
    from khuyencong.registry.admin import EstablishmentAdmin
    from khuyencong.registry.models import Establishment

    clients = {name: client_for(user) for name, user in users.items()}
    admin_client = clients["bench_admin"]
    bare = Bare(connection)
    cases = []
    for query_key, term in QUERIES:
        for scope_label, username in SCOPES:
            provincial = username == "bench_hatinh"
            pid = province_id if provincial else None
            client = clients[username]
            admin_params = {"q": term, **({"province__exact": pid} if provincial else {})}

            def get(c, path, params):
                response = c.get(path, params)
                assert response.status_code == 200, (path, params, response.status_code)
                return response

            runs = {
                "list": lambda c=client, t=term: get(c, "/establishments/", {"q": t}),
                "api": lambda c=client, t=term: get(c, "/api/v1/establishments", {"q": t, "limit": PAGE}),
                "admin": lambda p=admin_params: get(admin_client, "/admin/registry/establishment/", p),
                "sql_list": lambda t=term, p=pid: bare.list_page(t, p),
                "sql_api": lambda t=term, p=pid: bare.api_page(t, p),
                "sql_by_id": lambda t=term, p=pid: bare.list_page(t, p, order="e.id DESC"),
            }
            if query_key in ACCENTED:
                accented = {**admin_params, "q": ACCENTED[query_key]}
                runs["admin_accented"] = lambda p=accented: get(admin_client, "/admin/registry/establishment/", p)
            timings = {name: [] for name in runs}
            for round_no in range(warmup + reps):
                for name, fn in runs.items():
                    started = time.perf_counter()
                    fn()
                    elapsed = (time.perf_counter() - started) * 1000
                    if round_no >= warmup:
                        timings[name].append(elapsed)
            medians = {name: statistics.median(values) for name, values in timings.items()}

            # Correctness of the baseline: the bare SQL returns our first page, in the same order.
            user = users[username]
            ours = restrict(Establishment.objects.live(), user)
            if term:
                ours = ours.filter(search_text__contains=fold(term))
            ours_ids = list(ours.order_by("name", "pk").values_list("pk", flat=True)[: PAGE + 1])
            bare_rows, bare_count = bare.list_page(term, pid)
            assert ours_ids == [r[0] for r in bare_rows], f"bare SQL page differs for {term!r} {scope_label}"
            api_ids = [r[0] for r in bare.api_page(term, pid)]
            api_json = get(client, "/api/v1/establishments", {"q": term, "limit": PAGE}).json()
            assert [i["id"] for i in api_json["items"]] == api_ids[:PAGE], "bare SQL API page differs"

            # What the admin matches (its search differs: accent-sensitive, name/tax code/owner only).
            from django.contrib import admin as django_admin
            from django.test import RequestFactory

            model_admin = EstablishmentAdmin(Establishment, django_admin.site)
            request = RequestFactory().get("/admin/registry/establishment/", admin_params)
            request.user = users["bench_admin"]
            base = Establishment.objects.filter(province_id=pid) if provincial else Establishment.objects.all()
            admin_matches = model_admin.get_search_results(request, base, term)[0].count() if term else base.count()
            if query_key in ACCENTED:
                accented_matches = model_admin.get_search_results(request, base, ACCENTED[query_key])[0].count()
            else:
                accented_matches = None

            # Profile: queries and database time of one request of each of our variants.
            profile = {}
            for name in ("list", "api", "admin"):
                log = QueryLog()
                with connection.execute_wrapper(log):
                    started = time.perf_counter()
                    runs[name]()
                    total = (time.perf_counter() - started) * 1000
                slowest = max(log.entries, key=lambda e: e[2])
                profile[name] = {
                    "queries": len(log.entries),
                    "db_ms": sum(e[2] for e in log.entries),
                    "request_ms": total,
                    "slowest_ms": slowest[2],
                    "slowest_sql": slowest[0][:400],
                }
                if name == "list":
                    page_entry = next(e for e in log.entries if "ORDER BY" in e[0] and f"LIMIT {PAGE + 1}" in e[0])
                    # No count query when the first page already holds every match.
                    count_entry = next((e for e in log.entries if e[0].startswith("SELECT COUNT(*)")), None)
                    profile[name]["page_query_ms"] = page_entry[2]
                    profile[name]["count_query_ms"] = count_entry[2] if count_entry else 0.0
            plans = {}
            if explain_dir is not None:
                for kind, entry in (("page", page_entry), ("count", count_entry)):
                    if entry is None:
                        continue
                    sql, params, _ms = entry
                    plan = explain(connection, sql, params)
                    plans[kind] = {"summary": plan_summary(plan), "sql": sql, "params": list(map(str, params))}
                    slug = f"{label}-{query_key}-{'province' if provincial else 'nationwide'}-{kind}"
                    (explain_dir / f"{connection.vendor}-{slug}.txt").write_text(
                        f"-- {sql}\n-- params: {params}\n{plan}\n", encoding="utf-8"
                    )
            case = {
                "query": query_key,
                "q": term,
                "scope": scope_label,
                "median_ms": medians,
                "timings_ms": timings,
                "matches": {
                    "ours_capped": bare_count,
                    "admin": admin_matches,
                    "admin_accented": accented_matches,
                },
                "profile": profile,
                "plans": plans,
            }
            cases.append(case)
            print(
                f"  [{label}] {query_key:<6} {scope_label:<14} "
                + "  ".join(f"{k}={v:.1f}" for k, v in medians.items())
                + f"  (list: {profile['list']['queries']} queries, db {profile['list']['db_ms']:.1f} ms)",
                flush=True,
            )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--phases",
        default="{}",
        help='JSON: {"phases": [{"label": "...", "apply": [SQL, ...]}, ...], "revert": [SQL, ...]}',
    )
    parser.add_argument("--explain-dir", type=Path)
    args = parser.parse_args()
    spec = json.loads(args.phases)
    extra_phases, revert = spec.get("phases", []), spec.get("revert", [])

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from khuyencong.registry.models import Establishment
    from khuyencong.territory.models import Province

    assert not settings.DEBUG, "run with DEBUG=false"
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("kc_bench") or "bench" in Path(name).parts, f"not a benchmark database: {name}"
    if args.explain_dir:
        args.explain_dir.mkdir(parents=True, exist_ok=True)

    def ddl(statements):
        with connection.cursor() as cursor:
            for sql in statements:
                started = time.monotonic()
                cursor.execute(sql)
                if sql.lstrip().upper().startswith("CREATE"):
                    print(f"  {time.monotonic() - started:.1f} s: {sql}", flush=True)
            if statements:
                cursor.execute("ANALYZE registry_establishment")

    users = setup_users()
    province_id = Province.objects.current().get(code="42").pk
    rows = Establishment.objects.count()
    print(f"{connection.vendor}: {rows:,} establishments; reps={args.reps} warmup={args.warmup}", flush=True)
    phases = []
    try:
        for number, phase in enumerate([{"label": "as migrated", "apply": []}, *extra_phases]):
            ddl(revert)  # every phase starts from the database as migrated
            ddl(phase["apply"])
            cases = run_phase(f"p{number}", users, province_id, args.reps, args.warmup, args.explain_dir)
            phases.append({"label": phase["label"], "apply": phase["apply"], "cases": cases})
    finally:
        ddl(revert)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0]
    else:
        import sqlite3

        version = "SQLite " + sqlite3.sqlite_version
    result = {
        "backend": connection.vendor,
        "version": version,
        "rows": rows,
        "reps": args.reps,
        "warmup": args.warmup,
        "phases": phases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
