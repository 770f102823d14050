#!/usr/bin/env python
"""kill -9 a process in the middle of payment requests, retry every request once: nothing lost or doubled.

    .venv/bin/python scripts/faults/kill_payment.py [--payments 150] [--database-url postgres://…/kc_fault_payment]

A child process calls ``finance.actions.request_payment`` in a loop, one idempotency key per payment
(1,000,000 đ each on a contract of 250 M and an allocation of 1 bn), and prints each key once its
transaction has committed. Two runs:

1. the child is killed with SIGKILL after about a third of its payments, wherever it is;
2. the child stops inside the transaction of one payment (after every balance moved, before the
   entry is written and committed: ``--pause-at``) and is killed there, holding the row locks.

Then this process sends every key of both runs once more, as a client that got no answer would.
Checks: every payment the child reported is stored exactly once; the one killed inside its
transaction is not stored (its moves were rolled back) and its locks are gone; after the retry every
key has exactly one entry, no key two; the project account equals the sum of its entries and
``finance.accounts.reconcile()`` (``khuyencong check-ledger``) finds nothing.

``--child`` is the child's own mode (the parent starts it; it needs Django's settings in the
environment, e.g. DATABASE_URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()
AMOUNT = 1_000_000
ON = dt.date(2026, 3, 20)


def key_of(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


# --- the child ----------------------------------------------------------------------------------


def child(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from khuyencong.finance import accounts, actions
    from khuyencong.finance.models import AccountKind, EntryKind
    from khuyencong.projects.models import Project

    user = get_user_model().objects.get(pk=args.user)
    project = Project.objects.get(pk=args.project)
    current: dict[str, str | None] = {"key": None}
    original = accounts.move

    def move(account, **changes):
        moved = original(account, **changes)
        if moved and current["key"] == args.pause_at and account.kind == AccountKind.ALLOCATION:
            # Inside the transaction: every balance has moved, the entry is not written yet.
            print(f"inside {current['key']}", flush=True)
            time.sleep(600)
        return moved

    accounts.move = move  # actions calls accounts.move through the module
    for number in range(args.first, args.first + args.count):
        key = key_of(args.prefix, number)
        current["key"] = key
        entry = actions.request_payment(
            user=user, project=project, kind=EntryKind.PAYMENT, amount=AMOUNT, entry_date=ON,
            document_number=f"GĐN-{number}", idempotency_key=key,
        )  # fmt: skip
        print(f"ok {key} {entry.pk}", flush=True)
    print("done", flush=True)
    return 0


# --- the parent ---------------------------------------------------------------------------------


class Child:
    """A child process and the lines it printed (read by a thread, so the pipe never fills)."""

    def __init__(self, env: dict, project: int, user: int, prefix: str, first: int, count: int, pause_at: str = ""):
        command = [sys.executable, str(HERE), "--child", "--project", str(project), "--user", str(user),
                   "--prefix", prefix, "--first", str(first), "--count", str(count),
                   "--pause-at", pause_at]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True)  # fmt: skip
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def acknowledged(self) -> list[str]:
        return [line.split()[1] for line in list(self.lines) if line.startswith("ok ")]

    def wait_for(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the child ended ({self.process.returncode}) before {what}")
            time.sleep(0.02)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.reader.join(timeout=5)


def make_world():
    """A contracted national training project of the Hà Tĩnh centre (contract 250 M, allocation
    1 bn) and its implementer (the test factories, on the reference data ``migrate`` loaded)."""
    from django.contrib.auth import get_user_model

    from khuyencong.organisation.models import OrgUnit, Role
    from khuyencong.organisation.services import assign_role
    from tests.finance.factories import contracted_project

    project = contracted_project()
    username = f"fault-implementer-{project.pk}"
    user = get_user_model().objects.create_user(username=username, password="Mat-khau-loi-2026!", full_name=username)
    assign_role(user=user, role=Role.IMPLEMENTER, org_unit=OrgUnit.objects.get(code="TTKC-42"))
    return project, user


def in_transaction_elsewhere() -> int:
    """PostgreSQL: how many other sessions of this database sit idle inside a transaction."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return -1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
        )
        return cursor.fetchone()[0]


def scenario(env: dict, payments: int, fact, check, prefix: str = "pay") -> None:
    """Both kill runs and the retry, reported through ``fact(text)`` and ``check(passed, text)``."""
    from django.db import connection

    from khuyencong.finance import accounts, actions
    from khuyencong.finance.models import Account, EntryKind, LedgerEntry

    project, user = make_world()
    half = payments // 2

    # Run 1: SIGKILL wherever the child is, after about a third of its payments.
    started = time.monotonic()
    first = Child(env, project.pk, user.pk, prefix, 0, half)
    first.wait_for(lambda: len(first.acknowledged()) >= max(half // 3, 1), timeout=120, what="the first payments")
    first.kill()
    acknowledged_1 = first.acknowledged()
    fact(f"run 1: {len(acknowledged_1)} of {half} payments acknowledged when SIGKILL hit the child "
         f"({time.monotonic() - started:.1f} s after its start)")  # fmt: skip

    # Run 2: SIGKILL inside the transaction of one payment.
    pause = key_of(prefix, half + half // 2)
    second = Child(env, project.pk, user.pk, prefix, half, payments - half, pause_at=pause)
    second.wait_for(lambda: f"inside {pause}" in second.lines, timeout=120, what="the pause inside the transaction")
    idle = in_transaction_elsewhere()
    visible = LedgerEntry.objects.filter(idempotency_key=pause).exists()
    second.kill()
    acknowledged_2 = second.acknowledged()
    fact(f"run 2: {len(acknowledged_2)} payments acknowledged, then SIGKILL inside the transaction of {pause}"
         + (f" (the child's session: {idle} idle in transaction)" if idle >= 0 else ""))  # fmt: skip
    check(not visible, "the payment in flight was not visible to others before the kill (uncommitted)")
    if idle >= 0:
        killed = time.monotonic()
        while in_transaction_elsewhere() and time.monotonic() - killed < 30:
            time.sleep(0.05)
        left = in_transaction_elsewhere()
        check(left == 0, f"the server rolled the killed session back and freed its locks "
                         f"({time.monotonic() - killed:.2f} s after the kill)")  # fmt: skip
    connection.close()

    keys = [key_of(prefix, n) for n in range(payments)]
    stored_before = dict(LedgerEntry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
    acknowledged = acknowledged_1 + acknowledged_2
    lost = [k for k in acknowledged if k not in stored_before]
    check(not lost, f"every acknowledged payment is stored ({len(acknowledged)} acknowledged, {len(lost)} lost)")
    check(pause not in stored_before, f"the payment killed inside its transaction ({pause}) left no entry")
    unacknowledged_stored = sorted(set(stored_before) - set(acknowledged))
    fact(f"{len(unacknowledged_stored)} payment(s) committed without their acknowledgement being printed")
    account = Account.objects.get(project=project)
    check(account.committed == len(stored_before) * AMOUNT,
          f"after the kills the project's committed balance is the sum of its entries "
          f"({account.committed:,} = {len(stored_before)} × {AMOUNT:,})".replace(",", "."))  # fmt: skip
    check(accounts.reconcile() == [], "reconcile() finds nothing after the kills")

    # The retry: every key once more, as a client that does not know which requests got through.
    started = time.monotonic()
    created, replayed = [], []
    for number, key in enumerate(keys):
        entry = actions.request_payment(
            user=user, project=project, kind=EntryKind.PAYMENT, amount=AMOUNT, entry_date=ON,
            document_number=f"GĐN-{number}", idempotency_key=key,
        )  # fmt: skip
        (replayed if entry.replayed else created).append(key)
    fact(f"retry of all {len(keys)} keys in {time.monotonic() - started:.1f} s: {len(replayed)} answered with the "
         f"entry already written, {len(created)} written now")  # fmt: skip
    check(sorted(replayed) == sorted(stored_before), "exactly the stored keys were replayed, none written again")
    per_key: dict[str, int] = {}
    for key in LedgerEntry.objects.filter(project=project).values_list("idempotency_key", flat=True):
        per_key[key] = per_key.get(key, 0) + 1
    doubled = [k for k, n in per_key.items() if n > 1]
    missing = [k for k in keys if per_key.get(k) != 1]
    check(not doubled, f"no key has two entries ({len(doubled)})")
    check(not missing, f"every key has exactly one entry ({len(keys) - len(missing)}/{len(keys)})")
    account.refresh_from_db()
    check(account.committed == payments * AMOUNT,
          f"committed = {payments} × {AMOUNT:,} đ = {account.committed:,} đ".replace(",", "."))  # fmt: skip
    problems = accounts.reconcile()
    check(problems == [], f"reconcile() after the retry: {problems or 'nothing'}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            verdict = cursor.fetchone()[0]
        check(verdict == "ok", f"SQLite integrity_check after the kills: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="postgres://…/kc_fault_* (default: SQLite in a temp dir)")
    parser.add_argument("--payments", type=int, default=150)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="pay", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--pause-at", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    sys.path.insert(0, str(HERE.parent))
    from common import Report, prepare

    env = prepare("payment", args.database_url)
    report = Report(f"kill -9 during payment requests ({env['DATABASE_URL'].split(':')[0]})")
    scenario({**os.environ}, args.payments, report.fact, report.check)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
