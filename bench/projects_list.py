#!/usr/bin/env python
"""Time the project list, its filters, searches and sorts, the API and the project page against the
SQL each request runs (the method of ``registry_list.py``: one instrumented request, its statements
replayed on a raw cursor and checked to return the ids the page shows, round-robin medians).

    KC_ENV=development DEBUG=false DATABASE_URL=... KC_VAR_DIR=var/bench \\
        .venv/bin/python bench/projects_list.py --out var/bench/results/projects_list-postgresql.json

The database holds ``khuyencong gen-data`` projects (60,000 over 2007–2026 at the national scale,
``bench/run_projects.py`` makes one). Aim per case: ``app ≤ 2 × sql + 15 ms``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registry_list as base
from registry_list import Case

TABLE = "projects_project"


def page_ids(case: Case, response) -> list[int]:
    if case.check == "api":
        return [item["id"] for item in response.json()["items"]]
    ids: list[int] = []
    for match in re.finditer(rb'href="/projects/(\d+)/"', response.content):
        value = int(match.group(1))
        if value not in ids:
            ids.append(value)
    return ids


def references() -> dict:
    from khuyencong.projects.models import Project
    from khuyencong.territory.models import Province

    legacy = Province.objects.legacy().filter(successor__code="42").order_by("code").first()
    project = Project.objects.filter(province__code="42", beneficiaries__isnull=False).order_by("-year", "pk").first()
    return {"legacy_province": legacy.code if legacy else "42", "detail": project.pk}


def cases(ref) -> list[Case]:
    out: list[Case] = []

    def add(group, name, who, path, params=None, **kw):
        out.append(Case(group, name, who, path, params or {}, table=TABLE, **kw))

    add("browse", "nationwide", "agency", "/projects/")
    add("browse", "Hà Tĩnh", "hatinh", "/projects/")
    add("browse", "nationwide page 100", "agency", "/projects/", {"page": 100})
    for sort in ("name", "-name", "code", "year", "state", "-support_amount", "province"):
        add("sort", f"{sort} nationwide", "agency", "/projects/", {"sort": sort})
    add("sort", "name Hà Tĩnh", "hatinh", "/projects/", {"sort": "name"})
    filters = [
        {"province": "42"},
        {"legacy_province": ref["legacy_province"]},
        {"year": "2020"},
        {"state": "in_progress"},
        {"state": "closed"},
        {"level": "national"},
        {"disruption": "any"},
        {"province": "42", "year": "2020"},
        {"year": "2026", "state": "submitted"},
        {"province": "42", "state": "closed", "sort": "-support_amount"},
    ]
    for params in filters:
        add("filter", "&".join(f"{k}={v}" for k, v in params.items()), "agency", "/projects/", params)
    for term, who in (("may moc", "agency"), ("dao tao nghe", "agency"), ("gen-2020", "agency"),
                      ("thuong hieu", "hatinh"), ("xyzq", "agency")):  # fmt: skip
        add("search", f"“{term}” {'nationwide' if who == 'agency' else 'Hà Tĩnh'}", who, "/projects/", {"q": term})
    add("search", "“may moc” sorted by name", "agency", "/projects/", {"q": "may moc", "sort": "name"})
    api = "/api/v1/projects"
    for params, who in (({}, "agency"), ({}, "hatinh"), ({"province": "42", "year": "2020"}, "agency"),
                        ({"q": "may moc"}, "agency"), ({"state": "in_progress"}, "agency")):  # fmt: skip
        label = "&".join(f"{k}={v}" for k, v in params.items()) or "all"
        add("api", f"{label} ({'nationwide' if who == 'agency' else 'Hà Tĩnh'})", who, api,
            {**params, "limit": base.PAGE}, check="api")  # fmt: skip
    add("record", "project page", "hatinh", f"/projects/{ref['detail']}/", check="none")
    add("record", "project API (with beneficiaries, transitions, actions)", "hatinh", f"{api}/{ref['detail']}",
        check="none")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", default="")
    parser.add_argument("--explain-dir", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from khuyencong.projects.models import Project

    assert not settings.DEBUG, "run with DEBUG=false"
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("kc_bench") or "bench" in Path(name).parts, f"not a benchmark database: {name}"
    base.page_ids = page_ids  # run_case reads the ids the page shows through this
    if args.explain_dir:
        args.explain_dir.mkdir(parents=True, exist_ok=True)
    users = base.setup_users()
    clients = {who: base.client_for(user) for who, user in users.items()}
    ref = references()
    rows = Project.objects.count()
    print(f"{connection.vendor}: {rows:,} projects; reps={args.reps} warmup={args.warmup}", flush=True)
    results = []
    for case in cases(ref):
        if args.only and args.only not in f"{case.group} {case.name}":
            continue
        result = base.run_case(case, clients, connection, args.reps, args.warmup, args.explain_dir)
        m = result["median_ms"]
        print(f"  {case.group:<8} {case.name:<52} app={m['app']:8.1f} sql={m['sql']:8.1f} all={m['allsql']:7.1f} "
              f"q={result['queries']}{'' if result['aim_bare'] else '  ✗'}", flush=True)  # fmt: skip
        results.append(result)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0].split()[0]
        else:
            import sqlite3

            version = "SQLite " + sqlite3.sqlite_version
    out = {"backend": vendor, "version": version, "rows": rows, "reps": args.reps, "warmup": args.warmup,
           "cases": results}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
