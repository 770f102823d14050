#!/usr/bin/env python
"""kill -9 the web server in the middle of payment requests, restart it, resend every key: nothing lost or doubled.

    .venv/bin/python scripts/faults/kill_web_payment.py [--writers 8] [--payments 200] [--database-url postgres://…/kc_fault_webpay]

The real server (gunicorn, 2 workers × 4 threads, as ``kill_web_write.py`` runs it) takes payment
requests through ``POST /api/v1/ledger-entries``, each with its own ``Idempotency-Key`` header
(1,000,000 đ each on a contract of 250 M and an allocation of 1 bn). Writers split the keys between
them. One key is marked: the worker serving it stops inside its transaction (every balance moved,
the entry not written yet; a gunicorn ``post_worker_init`` hook wraps ``finance.accounts.move``, no
application code changes) and as soon as it is there the whole gunicorn process group gets SIGKILL —
while the other writers' requests are wherever they are. The server is started again and every key
is sent once more, as a client that does not know which requests got through would.

Checks: every request answered 201 before the kill is stored exactly once; the one killed inside
its transaction is not stored; after the resend every key has exactly one entry (the stored ones
answered 200 with the entry already written, the others 201), no key two; the project's committed
balance equals its entries; ``finance.accounts.reconcile()`` and ``khuyencong check-ledger`` find
nothing; the database is intact (SQLite ``integrity_check``; PostgreSQL: no session left idle in a
transaction).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import PYTHON, ROOT, Report, arguments, prepare, wait_for
from kill_payment import AMOUNT, ON, in_transaction_elsewhere, make_world

# The gunicorn hook: the worker serving the marked key stops inside its transaction.
HOOK = """
import os, threading, time

def post_worker_init(worker):
    from khuyencong.finance import accounts, actions
    from khuyencong.finance.models import AccountKind

    pause, signal_file = os.environ.get("KC_FAULT_PAUSE_AT", ""), os.environ.get("KC_FAULT_SIGNAL", "")
    if not pause:
        return
    local = threading.local()
    request_payment, move = actions.request_payment, accounts.move

    def remembered(**kwargs):
        local.key = kwargs.get("idempotency_key")
        try:
            return request_payment(**kwargs)
        finally:
            local.key = None

    def paused(account, **changes):
        moved = move(account, **changes)
        if moved and getattr(local, "key", None) == pause and account.kind == AccountKind.ALLOCATION:
            with open(signal_file, "w") as out:
                out.write(pause)
            time.sleep(600)
        return moved

    actions.request_payment, accounts.move = remembered, paused
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, config: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "khuyencong.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--graceful-timeout", "5", "--timeout", "900", "--config", str(config)],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def request(port: int, method: str, path: str, token: str, body: dict | None = None,
            key: str = "") -> tuple[int, dict]:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})
    finally:
        conn.close()


def key_of(number: int) -> str:
    return f"web-pay-{number:04d}"


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--payments", type=int, default=200, help="keys in all (at most 250: the contract's cap)")
    args = parser.parse_args()
    started_all = time.monotonic()
    env = prepare("webpay", args.database_url)
    from django.db import connection

    from khuyencong.accounts.tokens import issue_token
    from khuyencong.finance import accounts
    from khuyencong.finance.models import Account, LedgerEntry

    report = Report(f"kill -9 the web server during payment requests ({env['DATABASE_URL'].split(':')[0]})")
    project, user = make_world()
    token = issue_token(user=user, name="fault")[1]
    keys = [key_of(n) for n in range(args.payments)]
    slices = [keys[i :: args.writers] for i in range(args.writers)]
    pause = slices[0][len(slices[0]) // 3]  # a third of the way through the first writer's keys
    work = Path(tempfile.mkdtemp(prefix="kc-fault-webpay-hook-"))
    config, signal_file = work / "gunicorn_hook.py", work / "paused"
    config.write_text(HOOK)
    server_env = {**os.environ, "KC_FAULT_PAUSE_AT": pause, "KC_FAULT_SIGNAL": str(signal_file)}
    port = free_port()
    server = start_server(port, config, server_env)
    ready = lambda: _ok(port, token)  # noqa: E731
    wait_for(ready, timeout=60, interval=0.2, what="gunicorn")

    def body(key: str) -> dict:
        return {"project_id": project.pk, "kind": "payment", "amount": AMOUNT, "entry_date": ON.isoformat(),
                "document_number": f"GĐN-{key}"}  # fmt: skip

    outcomes: dict[str, str] = {}
    lock, stop = threading.Lock(), threading.Event()

    def write(mine: list[str]) -> None:
        for key in mine:
            if stop.is_set():
                return
            try:
                status, _answer = request(port, "POST", "/api/v1/ledger-entries", token, body(key), key=key)
                outcome = str(status)
            except OSError as exc:  # connection refused / reset: no answer
                outcome = f"no answer ({type(exc).__name__})"
            with lock:
                outcomes[key] = outcome

    threads = [threading.Thread(target=write, args=(mine,)) for mine in slices]
    sent = time.monotonic()
    for thread in threads:
        thread.start()
    wait_for(signal_file.exists, timeout=120, interval=0.01, what=f"the worker to stop inside {pause}")
    idle = in_transaction_elsewhere()
    visible = LedgerEntry.objects.filter(idempotency_key=pause).exists()
    with lock:
        answered_before = sum(1 for o in outcomes.values() if o == "201")
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    killed = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join()
    report.fact(f"{args.writers} writers, {len(keys)} keys; {answered_before} payments answered 201 in "
                f"{killed - sent:.1f} s, then SIGKILL to the gunicorn group while {pause} was inside its "
                f"transaction" + (f" ({idle} session(s) idle in transaction)" if idle >= 0 else ""))  # fmt: skip
    report.check(not visible, f"the payment in flight ({pause}) was not visible to others before the kill")
    if idle >= 0:
        while in_transaction_elsewhere() and time.monotonic() - killed < 30:
            time.sleep(0.05)
        left = in_transaction_elsewhere()
        report.check(left == 0, f"PostgreSQL rolled the killed sessions back and freed their locks "
                                f"({time.monotonic() - killed:.2f} s after the kill)")  # fmt: skip
    connection.close()

    acknowledged = [k for k, o in outcomes.items() if o in ("200", "201")]
    unanswered = [k for k, o in outcomes.items() if o.startswith("no answer")]
    other = sorted({o for o in outcomes.values() if o not in ("200", "201") and not o.startswith("no answer")})
    stored_before: dict[str, int] = {}
    for key in LedgerEntry.objects.filter(project=project).values_list("idempotency_key", flat=True):
        stored_before[key] = stored_before.get(key, 0) + 1
    report.fact(f"before the restart: {len(outcomes)} requests sent, {len(acknowledged)} answered, "
                f"{len(unanswered)} without answer, {len(keys) - len(outcomes)} never sent"
                + (f"; other answers {', '.join(other)}" if other else ""))  # fmt: skip
    lost = [k for k in acknowledged if stored_before.get(k) != 1]
    report.check(not lost, f"every acknowledged payment is stored exactly once ({len(lost)} lost or doubled)")
    report.check(pause not in stored_before, f"the payment killed inside its transaction ({pause}) left no entry")
    committed_unanswered = [k for k in unanswered if k in stored_before]
    report.fact(f"{len(committed_unanswered)} unanswered request(s) had committed before the kill, "
                f"{len(unanswered) - len(committed_unanswered)} had not")  # fmt: skip
    account = Account.objects.get(project=project)
    report.check(account.committed == len(stored_before) * AMOUNT,
                 f"after the kill the project's committed balance is the sum of its entries "
                 f"({account.committed:,} = {len(stored_before)} × {AMOUNT:,})".replace(",", "."))  # fmt: skip
    report.check(accounts.reconcile() == [], "reconcile() finds nothing after the kill")
    connection.close()

    # Restart (without the pause) and resend every key, as a client that got no answer would.
    server = start_server(port, config, {**os.environ})
    try:
        restarted = time.monotonic()
        wait_for(ready, timeout=60, interval=0.2, what="gunicorn after the restart")
        report.fact(f"server answering again {time.monotonic() - restarted:.1f} s after the restart")
        answers: dict[str, int] = {}

        def resend(mine: list[str]) -> None:
            for key in mine:
                status, _answer = request(port, "POST", "/api/v1/ledger-entries", token, body(key), key=key)
                with lock:
                    answers[key] = status

        started = time.monotonic()
        threads = [threading.Thread(target=resend, args=(mine,)) for mine in slices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        replayed = sorted(k for k, s in answers.items() if s == 200)
        created = sorted(k for k, s in answers.items() if s == 201)
        report.fact(f"resend of all {len(keys)} keys in {time.monotonic() - started:.1f} s: {len(replayed)} answered "
                    f"200 (entry already written), {len(created)} answered 201 (written now)"
                    + (f", others {sorted(set(answers.values()) - {200, 201})}"
                       if set(answers.values()) - {200, 201} else ""))  # fmt: skip
        report.check(replayed == sorted(stored_before), "exactly the stored keys were replayed, none written again")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    per_key: dict[str, int] = {}
    for key in LedgerEntry.objects.filter(project=project).values_list("idempotency_key", flat=True):
        per_key[key] = per_key.get(key, 0) + 1
    doubled = [k for k, n in per_key.items() if n > 1]
    missing = [k for k in keys if per_key.get(k) != 1]
    report.check(not doubled, f"no key has two entries ({len(doubled)})")
    report.check(not missing, f"every key has exactly one entry ({len(keys) - len(missing)}/{len(keys)})")
    account.refresh_from_db()
    report.check(account.committed == len(keys) * AMOUNT,
                 f"committed = {len(keys)} × {AMOUNT:,} đ = {account.committed:,} đ".replace(",", "."))  # fmt: skip
    problems = accounts.reconcile()
    report.check(problems == [], f"reconcile() after the resend: {problems or 'nothing'}")
    connection.close()
    checked = subprocess.run([PYTHON, "-m", "khuyencong", "check-ledger"], cwd=ROOT, env={**os.environ},
                             capture_output=True, text=True)  # fmt: skip
    last = (checked.stdout.strip().splitlines() or [""])[-1]
    report.check(checked.returncode == 0, f"khuyencong check-ledger exits {checked.returncode}: {last}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            verdict = cursor.fetchone()[0]
        report.check(verdict == "ok", f"SQLite integrity_check after the kill: {verdict}")
    report.fact(f"whole run (migrate included) {time.monotonic() - started_all:.0f} s")
    return report.finish()


def _ok(port: int, token: str) -> bool:
    try:
        return request(port, "GET", "/api/v1/me", token)[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
