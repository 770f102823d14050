#!/usr/bin/env python
"""PostgreSQL goes away under load and comes back: what users see, how soon it recovers, nothing half-written.

    .venv/bin/python scripts/faults/pg_restart.py [--mode terminate|restart] [--users 8] [--duration 30]
        [--outage 5] [--database-url postgres://postgres@127.0.0.1:5432/kc_fault_pgrestart]

gunicorn (2 workers × 4 threads, persistent connections as configured) serves a scratch database
(``kc_fault*``, dropped and created, 3,000 generated establishments). ``--users`` clients loop over
a mix for ``--duration`` seconds: the establishment list page (HTML, signed-in session) 35 %, the
API list 35 %, API creates of establishments with a unique name 30 %. After a third of the run the
database goes away:

* ``--mode terminate`` (default; touches nothing but the scratch database): connections to it are
  refused (``ALLOW_CONNECTIONS false``) and every backend of it is killed with
  ``pg_terminate_backend``; after ``--outage`` seconds connections are allowed again. To the
  application this is a server that dropped every session and refuses new ones for a while.
* ``--mode restart``: ``pg_ctlcluster 15 main restart -m fast`` (root; every database of the
  cluster loses its sessions — other users of the server see it too).

Checks: no answer is a traceback (every error is the error page or the one JSON error shape) and
which status the errors carry (a 503 says "try again"; a 500 says "bug"); how long after the
database came back each kind of request answers again and how many failed after that moment;
every create answered 201 is stored exactly once with its change-log entry, every stored one has
its entry (no half-written create), and an unanswered create is stored at most once.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlparse

from common import PYTHON, ROOT, Report, admin_user, arguments, prepare, wait_for

KINDS = [("list page", 35), ("API list", 35), ("API create", 30)]
NAME_PREFIX = "Cơ sở thử khởi động lại"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "khuyencong.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--graceful-timeout", "5", "--timeout", "60"],
        cwd=ROOT, env={**os.environ}, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=open(os.environ["KC_VAR_DIR"] + "/gunicorn.log", "w"),
    )  # fmt: skip


def call(port: int, method: str, path: str, headers: dict, body: dict | None = None) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def clean_error(kind: str, content_type: str, body: bytes) -> bool:
    """An error answer a user can read: the JSON error shape, or the HTML error page; never a trace."""
    text = body.decode("utf-8", "replace")
    if "Traceback" in text or "OperationalError" in text or "psycopg" in text:
        return False
    if kind.startswith("API"):
        try:
            data = json.loads(text)
        except ValueError:
            return False
        return isinstance(data, dict) and bool(data.get("code")) and bool(data.get("message"))
    return "text/html" in content_type and "<html" in text.lower()


def outage(mode: str, url: str, seconds: float) -> tuple[float, float]:
    """Take the database away; returns (monotonic time it went, monotonic time it was back)."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    if mode == "restart":
        went = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart", "-m", "fast"],
                       check=True)  # fmt: skip
        wait_for(lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0, 60, 0.05,
                 "PostgreSQL after the restart")  # fmt: skip
        return went, time.monotonic()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        went = time.monotonic()
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()[0]
        print(f"  terminated {killed} backends of {name}; refusing connections for {seconds:.0f} s", flush=True)
        time.sleep(seconds)
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        return went, time.monotonic()


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.set_defaults(database_url="postgres://postgres@127.0.0.1:5432/kc_fault_pgrestart")
    parser.add_argument("--mode", choices=["terminate", "restart"], default="terminate")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load in all")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds connections are refused (terminate)")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("this fault needs PostgreSQL")
    env = prepare("pgrestart", args.database_url)
    from django.db import connection
    from django.test import Client

    from khuyencong.accounts.tokens import issue_token
    from khuyencong.audit.models import ObjectChange
    from khuyencong.demo.generate import generate, mark_database
    from khuyencong.registry.models import Establishment
    from khuyencong.territory.models import Commune

    report = Report(f"PostgreSQL {'restarted' if args.mode == 'restart' else 'sessions killed'} under load")
    mark_database("benchmark")
    generate(scale="demo", only=["establishments"], log=lambda line: None)
    user = admin_user()
    token = issue_token(user=user, name="fault")[1]
    client = Client()
    client.force_login(user)
    cookie = f"{client.cookies['sessionid'].key}={client.cookies['sessionid'].value}"
    api_headers, page_headers = {"Authorization": f"Bearer {token}"}, {"Cookie": cookie}
    communes = list(Commune.objects.current().filter(province__code="42").values_list("code", flat=True)[:20])
    connection.close()
    port = free_port()
    server = start_server(port)
    wait_for(lambda: _ok(port, api_headers), timeout=90, interval=0.2, what="gunicorn")

    log: list[tuple[float, str, str, bool]] = []  # (monotonic time, kind, status or "no answer", clean)
    creates: dict[str, str] = {}
    lock, stop = threading.Lock(), threading.Event()

    def user_loop(number: int) -> None:
        rng = random.Random(number)
        kinds, weights = zip(*KINDS, strict=True)
        serial = 0
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            name = ""
            try:
                if kind == "list page":
                    status, ctype, body = call(port, "GET", "/establishments/?page=2", page_headers)
                elif kind == "API list":
                    status, ctype, body = call(port, "GET", "/api/v1/establishments?limit=50", api_headers)
                else:
                    serial += 1
                    name = f"{NAME_PREFIX} {number}-{serial}"
                    data = {"name": name, "legal_form": "household", "commune_code": communes[serial % len(communes)]}
                    status, ctype, body = call(port, "POST", "/api/v1/establishments", api_headers, data)
                outcome, clean = str(status), status < 400 or clean_error(kind, ctype, body)
            except OSError as exc:
                outcome, clean = f"no answer ({type(exc).__name__})", True
            with lock:
                log.append((time.monotonic(), kind, outcome, clean))
                if name:
                    creates[name] = outcome

    threads = [threading.Thread(target=user_loop, args=(i,), daemon=True) for i in range(args.users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.duration / 3)
        went, back = outage(args.mode, args.database_url, args.outage)
        remaining = args.duration - (time.monotonic() - started)
        time.sleep(max(remaining, 10.0))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report.fact(
        f"{args.users} users for {time.monotonic() - started:.0f} s against gunicorn (2 × 4 threads); "
        f"the database {'restarted (fast)' if args.mode == 'restart' else 'dropped every session'} at "
        f"{went - started:.1f} s and accepted connections again {back - went:.1f} s later"
    )
    statuses = Counter((kind, outcome) for _, kind, outcome, _ in log)
    report.fact("answers: " + "; ".join(f"{kind} {outcome} × {n}" for (kind, outcome), n in sorted(statuses.items())))
    errors = [entry for entry in log if not entry[2].startswith(("2", "3"))]
    during = [e for e in errors if went <= e[0] <= back + 0.5]
    after = [e for e in errors if e[0] > back + 0.5]
    before = [e for e in errors if e[0] < went]
    report.check(not before, f"no error before the fault ({len(before)})")
    report.check(
        all(clean for *_, clean in log), "every error answer is the error page or the JSON error shape, no trace"
    )
    codes = Counter(outcome for _, _, outcome, _ in errors)
    report.fact("error answers: " + (", ".join(f"{code} × {n}" for code, n in sorted(codes.items())) or "none"))
    report.check(
        all(outcome in ("503",) or outcome.startswith("no answer") for _, _, outcome, _ in errors),
        "errors while the database is away say 503 (unavailable, try again), not 500 (a bug)",
    )
    for kind, _ in KINDS:
        ok_after = [t for t, k, outcome, _ in log if k == kind and t > back and outcome.startswith("2")]
        first = f"{ok_after[0] - back:.2f} s" if ok_after else "never"
        failed_after = sum(1 for e in after if e[1] == kind)
        report.fact(f"{kind}: first success {first} after the database was back; {failed_after} failed after it")
    report.check(
        not after,
        f"no request fails once the database is back (0.5 s grace): {len(after)} failed "
        f"({', '.join(sorted({e[2] for e in after})) or '—'}); {len(during)} failed during the outage",
    )

    stored = Counter(Establishment.objects.filter(name__startswith=NAME_PREFIX).values_list("name", flat=True))
    acknowledged = [n for n, o in creates.items() if o == "201"]
    unanswered = [n for n, o in creates.items() if o != "201"]
    report.fact(f"{len(creates)} creates: {len(acknowledged)} answered 201, {len(unanswered)} not")
    report.check(all(stored[n] == 1 for n in acknowledged), "every create answered 201 is stored exactly once")
    report.check(all(count == 1 for count in stored.values()), "no establishment stored twice")
    refused_but_stored = [n for n, o in creates.items() if o != "201" and not o.startswith("no answer") and stored[n]]
    silent_but_stored = [n for n, o in creates.items() if o.startswith("no answer") and stored[n]]
    report.check(
        not refused_but_stored,
        f"a create answered with an error was not stored ({len(refused_but_stored)} were: committed, then the "
        "request failed on a later statement, so a client that retries makes a second record)",
    )
    report.fact(f"{len(silent_but_stored)} creates without an answer were stored")
    ids = [str(pk) for pk in Establishment.objects.filter(name__startswith=NAME_PREFIX).values_list("pk", flat=True)]
    logged = set(ObjectChange.objects.filter(object_id__in=ids, action="create").values_list("object_id", flat=True))
    report.check(len(logged) == len(ids), f"every stored create has its change-log entry ({len(logged)}/{len(ids)})")
    frames = server_frames(f"{env['KC_VAR_DIR']}/gunicorn.log")
    report.fact("where requests failed (the application's frames of the logged tracebacks): " + "; ".join(
        f"{frame} × {n}" for frame, n in frames.most_common(6)))  # fmt: skip
    print(f"server log: {env['KC_VAR_DIR']}/gunicorn.log")
    return report.finish()


def server_frames(path: str) -> Counter:
    """file:function of the application's frames in the server log's tracebacks."""
    found: Counter = Counter()
    marker = f"{ROOT}/khuyencong/"
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if marker in line and ", in " in line:
                where = line.split(marker, 1)[1]
                found[f"{where.split(chr(34), 1)[0]}:{where.rsplit(', in ', 1)[1].strip()}"] += 1
    return found


def _ok(port: int, headers: dict) -> bool:
    try:
        return call(port, "GET", "/api/v1/me", headers)[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
