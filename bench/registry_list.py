#!/usr/bin/env python
"""Time every registry list case a user can pick against the SQL it runs and against the admin.

    KC_ENV=development DEBUG=false DATABASE_URL=... KC_VAR_DIR=var/bench \\
        .venv/bin/python bench/registry_list.py --out var/bench/results/registry_list-postgresql.json

Each case is one request a user can make (a sort, a filter alone or with another, a search of 1, 2
or 3+ characters, nationwide or in one province, a deep page, the type-ahead partial, the API, the
detail page, the edit form, the duplicate queue). For each case:

1. one instrumented request records every SQL statement the page runs, with its parameters;
2. the baselines are exactly those statements, replayed on a raw cursor:
   ``sql``    the statements that read the listed table (the page and its capped count): the
              work the database must do whatever the framework around it;
   ``allsql`` every statement of the request (session, user, roles, choice lists included);
3. the replayed page statement must return the ids the page shows, in order (parsed from the
   HTML links or the API's JSON): a baseline that is a different query fails the run;
4. ``app`` (the request through Django's test Client, DEBUG off), the baselines and, where the
   admin can do the same, ``admin`` (the changelist as a superuser) run round-robin, and the
   medians are compared within the same run. On PostgreSQL the slowest data statement is
   EXPLAIN ANALYZEd.

Aims per case: ``app ≤ 2 × sql + 15 ms`` and, where there is an admin peer, ``admin ≥ app``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")

PAGE = 50
AIM_FACTOR, AIM_SLACK_MS = 2.0, 15.0
SLOW_MS = 1500  # a case whose first request takes longer gets fewer rounds


@dataclass
class Case:
    group: str
    name: str
    who: str  # agency (nationwide) or hatinh (one province)
    path: str
    params: dict = field(default_factory=dict)
    admin: dict | None = None  # admin changelist parameters doing the same, when it can
    table: str = "registry_establishment"  # the data statements read this table
    htmx: bool = False
    check: str = "html"  # html: ids from row links; api: ids from JSON; none


def references():
    """Codes and ids the cases need, looked up in the benchmark database."""
    from django.db.models import Count

    from khuyencong.registry.models import CraftVillage, Establishment, IndustryLine
    from khuyencong.territory.models import Commune, Province

    hatinh = Province.objects.current().get(code="42")
    commune = (
        Commune.objects.current()
        .filter(province=hatinh)
        .annotate(n=Count("establishments"))
        .order_by("-n", "code")
        .first()
    )
    legacy_commune = Commune.objects.legacy().order_by("code").first()
    legacy_province = Province.objects.legacy().filter(successor=hatinh).order_by("code").first()
    line = IndustryLine.objects.filter(valid_to__isnull=True).order_by("code").first()
    village = (
        CraftVillage.objects.filter(province=hatinh).annotate(n=Count("establishments")).order_by("-n", "pk").first()
    )
    live = Establishment.objects.live().filter(province=hatinh)
    detail = live.filter(industry_lines__isnull=False, craft_village__isnull=False).order_by("pk").first()
    merged = Establishment.objects.filter(merged_records__isnull=False, province=hatinh).order_by("pk").first()
    return {
        "province_id": hatinh.pk,
        "commune": commune.code,
        "legacy_commune": legacy_commune.code if legacy_commune else "99999",
        "legacy_province": legacy_province.code if legacy_province else "42",
        "line": line.code if line else "",
        "village": village.pk if village else 0,
        "detail": (detail or live.order_by("pk").first()).pk,
        "merged": merged.pk if merged else None,
    }


def cases(ref) -> list[Case]:
    pid = ref["province_id"]
    admin_ht = {"province__exact": pid}
    out: list[Case] = []
    add = out.append
    # Browsing and deep pages.
    add(Case("browse", "nationwide", "agency", "/establishments/", {}, admin={}))
    add(Case("browse", "Hà Tĩnh", "hatinh", "/establishments/", {}, admin=admin_ht))
    add(Case("browse", "nationwide page 150", "agency", "/establishments/", {"page": 150}, admin={"p": 149}))
    add(Case("browse", "nationwide page 201 (the cap)", "agency", "/establishments/", {"page": 201}))
    add(Case("browse", "Hà Tĩnh page 100", "hatinh", "/establishments/", {"page": 100}, admin={**admin_ht, "p": 99}))
    # Every sortable column, both reaches; the admin's o= is its list_display position.
    admin_order = {"name": "1", "tax_code": "2", "legal_form": "3", "province": "5", "status": "6"}
    for sort in (
        "name",
        "-name",
        "tax_code",
        "legal_form",
        "province",
        "workers_total",
        "-workers_total",
        "status",
    ):
        key = sort.lstrip("-")
        peer = None
        if key in admin_order:
            peer = {"o": ("-" if sort.startswith("-") else "") + admin_order[key]}
        add(Case("sort", f"{sort} nationwide", "agency", "/establishments/", {"sort": sort}, admin=peer))
        add(
            Case(
                "sort",
                f"{sort} Hà Tĩnh",
                "hatinh",
                "/establishments/",
                {"sort": sort},
                admin={**peer, **admin_ht} if peer else None,
            )
        )
    add(
        Case(
            "sort",
            "province nationwide page 150",
            "agency",
            "/establishments/",
            {"sort": "province", "page": 150},
        )
    )
    # Each filter alone, nationwide.
    filters = [
        ("province", "42", None),
        ("legacy_province", ref["legacy_province"], None),
        ("commune", ref["commune"], None),
        ("commune", "99999", None),  # no such commune
        ("commune", ref["legacy_commune"], None),  # a commune before 1/7/2025
        ("legal_form", "cooperative", {"legal_form__exact": "cooperative"}),
        ("industry_line", ref["line"], None),
        ("craft_village", ref["village"], None),
        ("status", "suspended", {"status__exact": "suspended"}),
        ("women_owned", "1", {"women_owned__exact": "1"}),
        ("ethnic_minority_workers", "1", None),
        ("disadvantaged_area", "1", None),
        ("eligible", "1", None),
        ("eligible", "0", None),
    ]
    for name, value, peer in filters:
        add(Case("filter", f"{name}={value}", "agency", "/establishments/", {name: value}, admin=peer))
    # Common pairs.
    pairs = [
        (
            {"legal_form": "cooperative", "status": "suspended"},
            {"legal_form__exact": "cooperative", "status__exact": "suspended"},
        ),
        ({"legal_form": "sme", "status": "closed"}, {"legal_form__exact": "sme", "status__exact": "closed"}),
        ({"province": "42", "status": "active"}, {**admin_ht, "status__exact": "active"}),
        ({"province": "42", "industry_line": ref["line"]}, None),
        ({"province": "42", "legal_form": "cooperative"}, {**admin_ht, "legal_form__exact": "cooperative"}),
        ({"commune": ref["commune"], "q": "co so"}, None),
        ({"status": "active", "sort": "-workers_total"}, None),
        ({"legal_form": "household", "sort": "name"}, None),
    ]
    for params, peer in pairs:
        label = "&".join(f"{k}={v}" for k, v in params.items())
        add(Case("pair", label, "agency", "/establishments/", params, admin=peer))
    # Searches: 1, 2, 3+ characters, common and rare, both reaches.
    accented = {"co so": "cơ sở", "nguyen van": "nguyễn văn", "may tre dan thach ha": "mây tre đan thạch hà"}
    for term in (
        "a",
        "n",
        "z",
        "f",
        "j",
        "ng",
        "fo",
        "qz",
        "ngh",
        "foo",
        "co so",
        "nguyen van",
        "may tre dan thach ha",
    ):
        for who, label, extra in (("agency", "nationwide", {}), ("hatinh", "Hà Tĩnh", admin_ht)):
            peer = {"q": accented.get(term, term), **extra}
            add(Case("search", f"“{term}” {label}", who, "/establishments/", {"q": term}, admin=peer))
    add(
        Case(
            "search",
            "“ha tinh” Hà Tĩnh",
            "hatinh",
            "/establishments/",
            {"q": "ha tinh"},
            admin={"q": "hà tĩnh", **admin_ht},
        )
    )
    add(Case("search", "“co so” nationwide page 150", "agency", "/establishments/", {"q": "co so", "page": 150}))
    add(Case("search", "“co so” sorted by name", "agency", "/establishments/", {"q": "co so", "sort": "name"}))
    # The type-ahead: the HTMX partial fired as the user pauses.
    for term in ("f", "fo", "co so"):
        add(Case("type-ahead", f"“{term}” nationwide", "agency", "/establishments/", {"q": term}, htmx=True))
    add(Case("type-ahead", "“co so” Hà Tĩnh", "hatinh", "/establishments/", {"q": "co so"}, htmx=True))
    # The API: the same filters, keyset pages.
    api = "/api/v1/establishments"
    for params, who in (
        ({}, "agency"),
        ({}, "hatinh"),
        ({"q": "co so"}, "agency"),
        ({"q": "f"}, "agency"),
        ({"legal_form": "cooperative", "status": "suspended"}, "agency"),
        ({"commune": ref["commune"]}, "agency"),
        ({"eligible": "0"}, "agency"),
    ):
        label = "&".join(f"{k}={v}" for k, v in params.items()) or "all"
        add(
            Case(
                "api",
                f"{label} ({'nationwide' if who == 'agency' else 'Hà Tĩnh'})",
                who,
                api,
                {**params, "limit": PAGE},
                check="api",
            )
        )
    # One record, the edit form, the duplicate queue.
    add(Case("record", "detail", "hatinh", f"/establishments/{ref['detail']}/", check="none"))
    if ref["merged"]:
        add(Case("record", "detail with merged records", "hatinh", f"/establishments/{ref['merged']}/", check="none"))
    add(Case("record", "edit form", "hatinh", f"/establishments/{ref['detail']}/edit/", check="none"))
    add(Case("record", "add form", "hatinh", "/establishments/new/", check="none"))
    add(
        Case(
            "queue",
            "duplicates nationwide",
            "agency",
            "/establishments/duplicates/",
            table="registry_duplicatecandidate",
            check="none",
        )
    )
    add(
        Case(
            "queue",
            "duplicates Hà Tĩnh",
            "hatinh",
            "/establishments/duplicates/",
            table="registry_duplicatecandidate",
            check="none",
        )
    )
    add(
        Case(
            "queue",
            "duplicates nationwide page 40",
            "agency",
            "/establishments/duplicates/",
            {"page": 40},
            table="registry_duplicatecandidate",
            check="none",
        )
    )
    return out


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
    return {"agency": agency, "hatinh": hatinh, "admin": admin}


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


class QueryLog:
    """An execute wrapper that records each statement's SQL, parameters and duration."""

    def __init__(self):
        self.entries: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.entries.append((sql, params, (time.perf_counter() - started) * 1000))


def reads(sql: str, table: str) -> bool:
    """A SELECT whose main FROM is ``table`` (the page, its count, the rows' related lookups)."""
    return sql.lstrip().upper().startswith("SELECT") and re.search(rf'\bFROM "?{table}"?(?:\s|$)', sql) is not None


def replay(connection, statements) -> list:
    """Run the statements on a raw cursor; return the first one's rows."""
    first = None
    with connection.cursor() as cursor:
        for sql, params, _ms in statements:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if first is None:
                first = rows
    return first or []


def page_ids(case: Case, response) -> list[int]:
    if case.check == "api":
        return [item["id"] for item in response.json()["items"]]
    ids: list[int] = []
    for match in re.finditer(rb'href="/establishments/(\d+)/"', response.content):
        value = int(match.group(1))
        if value not in ids:
            ids.append(value)
    return ids


def explain(connection, sql, params) -> tuple[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(row[-1] for row in cursor.fetchall())
    return plan, summarise(plan)


def summarise(plan: str) -> str:
    """PostgreSQL: the nodes that matter, outermost first, and the execution time. SQLite: its steps."""
    keep = {"Limit", "Sort", "Incremental Sort", "Gather Merge", "Aggregate", "BitmapAnd", "BitmapOr", "Hash Join",
            "Nested Loop", "Merge Join", "Seq Scan", "Parallel Seq Scan"}  # fmt: skip
    nodes = []
    for line in plan.splitlines():
        match = re.match(r"\s*(?:->\s*)?([A-Z][A-Za-z -]+?)(?: using (\w+))?(?: on (\w+)(?: \w+)?)?\s+\(cost", line)
        if not match:
            continue
        node, index, target = match.groups()
        target = index or target or ""
        if node in keep or target.startswith(("registry_", "estab_", "dup_")):
            text = node + (f" [{target}]" if target else "")
            if not nodes or nodes[-1] != text:
                nodes.append(text)
    if not nodes:
        return " | ".join(line.strip() for line in plan.splitlines() if line.strip())[:300]
    total = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return " > ".join(nodes[:9]) + (f" ({float(total.group(1)):.1f} ms)" if total else "")


def run_case(case: Case, clients, connection, reps: int, warmup: int, plans_dir: Path | None) -> dict:
    client = clients[case.who]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}

    def app():
        response = client.get(case.path, case.params, **headers)
        assert response.status_code == 200, (case.name, response.status_code)
        return response

    log = QueryLog()
    with connection.execute_wrapper(log):
        started = time.perf_counter()
        response = app()
        first_ms = (time.perf_counter() - started) * 1000
    data = [entry for entry in log.entries if reads(entry[0], case.table)]
    every = [entry for entry in log.entries if entry[0].lstrip().upper().startswith("SELECT")]
    data = data or every  # a form that reads no listed row: its baseline is every statement
    result = {**asdict(case), "queries": len(log.entries), "data_queries": len(data)}
    if case.check != "none":
        shown = page_ids(case, response)
        # The page statement: the last one that is not the count (a page past the end is asked
        # again as page 1, the view's second page statement).
        page = [entry for entry in data if not entry[0].lstrip().upper().startswith("SELECT COUNT")][-1:]
        replayed = [row[0] for row in replay(connection, page)][: len(shown) or PAGE]
        assert shown == replayed, f"{case.name}: the replayed SQL returns {replayed[:5]}…, the page shows {shown[:5]}…"
        result["rows_shown"] = len(shown)
    runs = {"app": app, "sql": lambda: replay(connection, data), "allsql": lambda: replay(connection, every)}
    if case.admin is not None:
        admin_client = clients["admin"]
        runs["admin"] = lambda: admin_client.get("/admin/registry/establishment/", case.admin)
    if first_ms > SLOW_MS:
        reps, warmup = min(reps, 3), 0
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for round_no in range(warmup + reps):
        for name, fn in runs.items():
            started = time.perf_counter()
            fn()
            if round_no >= warmup:
                timings[name].append((time.perf_counter() - started) * 1000)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    result["median_ms"] = medians
    slowest = max(data, key=lambda entry: entry[2])
    result["slowest_sql"] = slowest[0][:600]
    if plans_dir is not None:
        plan, summary = explain(connection, slowest[0], slowest[1])
        result["plan"] = summary
        slug = re.sub(r"[^a-z0-9]+", "-", f"{case.group} {case.name}".lower()).strip("-")
        (plans_dir / f"{connection.vendor}-{slug}.txt").write_text(
            f"-- {slowest[0]}\n-- params: {slowest[1]}\n{plan}\n", encoding="utf-8"
        )
    result["aim_bare"] = medians["app"] <= AIM_FACTOR * medians["sql"] + AIM_SLACK_MS
    result["aim_admin"] = None if "admin" not in medians else medians["admin"] >= medians["app"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", default="", help="run the cases whose group or name contains this text")
    parser.add_argument("--explain-dir", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from khuyencong.registry.models import DuplicateCandidate, Establishment

    assert not settings.DEBUG, "run with DEBUG=false"
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("kc_bench") or "bench" in Path(name).parts, f"not a benchmark database: {name}"
    if args.explain_dir:
        args.explain_dir.mkdir(parents=True, exist_ok=True)
    users = setup_users()
    clients = {who: client_for(user) for who, user in users.items()}
    ref = references()
    rows = Establishment.objects.count()
    print(f"{connection.vendor}: {rows:,} establishments; reps={args.reps} warmup={args.warmup}", flush=True)
    results = []
    for case in cases(ref):
        if args.only and args.only not in f"{case.group} {case.name}":
            continue
        result = run_case(case, clients, connection, args.reps, args.warmup, args.explain_dir)
        m = result["median_ms"]
        print(
            f"  {case.group:<10} {case.name:<45} app={m['app']:8.1f} sql={m['sql']:8.1f} "
            f"all={m['allsql']:7.1f} admin={m.get('admin', float('nan')):8.1f} q={result['queries']}"
            f"{'' if result['aim_bare'] else '  ✗bare'}{'  ✗admin' if result['aim_admin'] is False else ''}",
            flush=True,
        )
        results.append(result)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0].split()[0]
    else:
        import sqlite3

        version = "SQLite " + sqlite3.sqlite_version
    out = {
        "backend": connection.vendor,
        "version": version,
        "rows": rows,
        "open_duplicates": DuplicateCandidate.objects.filter(status="open").count(),
        "reps": args.reps,
        "warmup": args.warmup,
        "cases": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
