"""Browser journeys: a real server (gunicorn, demo data, its own SQLite under a temp dir) driven by
Debian's Chromium through Playwright. No browser is downloaded; CHROMIUM overrides the path."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _recreate_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# The environment the live server runs with (its database), for journeys that seed records of their own.
SERVER_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("kc-var")
    env = {
        **os.environ,
        "KC_ENV": "development",
        "KC_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
        "KC_TASK_BACKEND": "sqlite",
    }
    env.pop("DATABASE_URL", None)
    database_url = os.environ.get("KC_BROWSER_DATABASE_URL")
    if database_url:
        # A fresh PostgreSQL database for this run, so the journey also proves the PostgreSQL path.
        _recreate_postgres_database(database_url)
        env["DATABASE_URL"] = database_url
    SERVER_ENV.clear()
    SERVER_ENV.update(env)
    run = [sys.executable, "-m", "khuyencong"]
    subprocess.run([*run, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    # Accounts only: the journeys count what they import into an empty registry.
    subprocess.run([*run, "demo", "--establishments", "0"], env=env, check=True, cwd=ROOT, capture_output=True)
    port = _free_port()
    log = open(var_dir / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [*run, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError("the test server did not start: " + (var_dir / "server.log").read_text()[-3000:])
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
