#!/usr/bin/env python
"""kill -9 the web server (gunicorn, every process) while clients write, restart it: nothing lost or doubled.

    .venv/bin/python scripts/faults/kill_web_write.py [--writers 8] [--database-url postgres://…/kc_fault_web]

Writers create establishments through the API (POST /api/v1/establishments), each with a unique
name, and record the answer. The whole gunicorn process group is killed with SIGKILL in the middle,
then started again. Checks: every write answered 201 is in the database exactly once, with its
change-log entry; a write that got no answer is there at most once (the request's transaction
either committed whole or not at all); no name is there twice; the database is intact (SQLite:
integrity_check) and the restarted server accepts writes again.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from common import PYTHON, ROOT, Report, admin_user, arguments, prepare, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "khuyencong.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--graceful-timeout", "5"],
        cwd=ROOT, env={**os.environ}, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})
    finally:
        conn.close()


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--before-kill", type=float, default=4.0, help="seconds of writing before the kill")
    args = parser.parse_args()
    env = prepare("web", args.database_url)
    from django.db import connection

    from khuyencong.accounts.tokens import issue_token
    from khuyencong.audit.models import ObjectChange
    from khuyencong.registry.models import Establishment
    from khuyencong.territory.models import Commune

    report = Report(f"kill -9 the web server during writes ({env['DATABASE_URL'].split(':')[0]})")
    user = admin_user()
    token = issue_token(user=user, name="fault")[1]
    communes = list(Commune.objects.current().filter(province__code="42").values_list("code", flat=True)[:20])
    port = free_port()
    server = start_server(port)
    ready = lambda: _ok(port, token)  # noqa: E731
    wait_for(ready, timeout=60, interval=0.2, what="gunicorn")

    outcomes: dict[str, str] = {}
    lock, stop = threading.Lock(), threading.Event()

    def write(writer: int) -> None:
        number = 0
        while not stop.is_set():
            name = f"Cơ sở thử máy chủ {writer}-{number}"
            body = {"name": name, "legal_form": "household", "commune_code": communes[number % len(communes)]}
            try:
                status, _answer = request(port, "POST", "/api/v1/establishments", token, body)
                outcome = str(status)
            except OSError as exc:  # connection refused / reset: no answer
                outcome = f"no answer ({type(exc).__name__})"
            with lock:
                outcomes[name] = outcome
            number += 1
            if outcome.startswith("no answer"):
                time.sleep(0.05)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(args.writers)]
    for thread in threads:
        thread.start()
    time.sleep(args.before_kill)
    answered_before = sum(1 for o in outcomes.values() if o == "201")
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    report.fact(f"{args.writers} writers; {answered_before} writes answered 201 before SIGKILL to the gunicorn group")

    server = start_server(port)
    try:
        restarted = time.monotonic()
        wait_for(ready, timeout=60, interval=0.2, what="gunicorn after the restart")
        report.fact(f"server answering again {time.monotonic() - restarted:.1f} s after the restart")
        status, _body = request(port, "POST", "/api/v1/establishments", token,
                                {"name": "Cơ sở sau khởi động lại", "legal_form": "household",
                                 "commune_code": communes[0]})  # fmt: skip
        report.check(status == 201, f"a write after the restart answers {status}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    connection.close()
    stored = {}
    for name in Establishment.objects.filter(name__startswith="Cơ sở thử máy chủ").values_list("name", flat=True):
        stored[name] = stored.get(name, 0) + 1
    acknowledged = [n for n, o in outcomes.items() if o == "201"]
    unanswered = [n for n, o in outcomes.items() if o.startswith("no answer")]
    other = sorted({o for o in outcomes.values() if o != "201" and not o.startswith("no answer")})
    lost = [n for n in acknowledged if stored.get(n, 0) != 1]
    doubled = [n for n, count in stored.items() if count > 1]
    written_unanswered = [n for n in unanswered if stored.get(n)]
    report.fact(
        f"{len(outcomes)} writes attempted: {len(acknowledged)} answered 201, {len(unanswered)} without answer"
        f"{', other answers ' + ', '.join(other) if other else ''}"
    )
    report.check(not lost, f"every acknowledged write is stored exactly once ({len(lost)} lost)")
    report.check(not doubled, f"no establishment stored twice ({len(doubled)})")
    report.fact(
        f"{len(written_unanswered)} unanswered write(s) committed before the kill, "
        f"{len(unanswered) - len(written_unanswered)} not (a client retrying a POST must look first)"
    )
    ids = list(Establishment.objects.filter(name__startswith="Cơ sở thử máy chủ").values_list("pk", flat=True))
    logged = set(
        ObjectChange.objects.filter(object_id__in=[str(i) for i in ids], action="create").values_list(
            "object_id", flat=True
        )
    )
    report.check(len(logged) == len(ids), f"every stored write has its change-log entry ({len(logged)}/{len(ids)})")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            verdict = cursor.fetchone()[0]
        report.check(verdict == "ok", f"SQLite integrity_check after the kill: {verdict}")
    return report.finish()


def _ok(port: int, token: str) -> bool:
    try:
        return request(port, "GET", "/api/v1/me", token)[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
