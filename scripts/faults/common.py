"""Shared set-up for the fault scripts: a throw-away installation (its own var/ directory, database
and job queue), migrated and ready, with Django set up in this process on the same settings.

The database is SQLite in the temporary directory unless ``--database-url`` names a PostgreSQL
database whose name starts with ``kc_fault`` (it is dropped and created again).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default="", help="postgres://…/kc_fault_* (default: SQLite in a temp dir)")
    return parser


def recreate_postgres(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.startswith("kc_fault"):
        sys.exit(f"refusing to recreate {name!r}: fault databases are named kc_fault*")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(name: str, database_url: str = "", **extra_env: str) -> dict[str, str]:
    """Make the installation and return the environment its processes run with."""
    var = Path(tempfile.mkdtemp(prefix=f"kc-fault-{name}-"))
    url = database_url or f"sqlite:///{var}/db.sqlite3"
    if url.startswith("postgres"):
        recreate_postgres(url)
    env = {
        "KC_ENV": "development",
        "DEBUG": "false",
        "KC_VAR_DIR": str(var),
        "DATABASE_URL": url,
        "KC_TASK_BACKEND": "sqlite",
        "KC_JOB_LEASE_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
        **extra_env,
    }
    os.environ.update(env)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "khuyencong", "migrate"], cwd=ROOT, env={**os.environ}, check=True, stdout=subprocess.DEVNULL
    )
    print(f"installation ready in {time.monotonic() - started:.0f} s: {var} on {url.split('://')[0]}", flush=True)
    import django

    django.setup()
    return env


def admin_user(username: str = "fault-admin"):
    from django.contrib.auth import get_user_model

    from khuyencong.organisation.models import Role
    from khuyencong.organisation.services import assign_role

    user = get_user_model().objects.create_user(username=username, password="Mat-khau-loi-2026!", full_name=username)
    assign_role(user=user, role=Role.SYSTEM_ADMIN, org_unit=None)
    return user


def wait_for(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


class Report:
    """Collects the checks of a run and prints them as a markdown list; the exit code says if all held."""

    def __init__(self, title: str):
        self.title, self.lines, self.ok = title, [], True

    def fact(self, text: str) -> None:
        self.lines.append(f"- {text}")
        print(f"  {text}", flush=True)

    def check(self, passed: bool, text: str) -> None:
        self.ok = self.ok and bool(passed)
        self.fact(f"{'PASS' if passed else 'FAIL'}: {text}")

    def finish(self) -> int:
        print(f"\n### {self.title}: {'all checks passed' if self.ok else 'SOME CHECKS FAILED'}\n")
        print("\n".join(self.lines))
        return 0 if self.ok else 1
