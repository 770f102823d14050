#!/usr/bin/env python
"""`make load`: concurrent users against gunicorn on loopback, then SQLite under concurrent writers.

    .venv/bin/python scripts/load/run.py [--users 50] [--duration 60] [--scale demo|province|national]
                                         [--skip-postgres] [--skip-sqlite] [--writers 20]

PostgreSQL (127.0.0.1:5432, database ``kc_load`` or ``kc_load_<scale>``, made once and reused):
``khuyencong serve`` (gunicorn and the job worker) on a free loopback port with the demo accounts and
the data of ``--scale`` (demo: the 3,000 demo establishments; province / national: ``gen-data``).

1. Ratio: the list page against a trivial view (``/healthz``: one ``SELECT 1``), each alone for a few
   seconds with the same number of clients; requests per second of each and the ratio (aim >= 0.3).
2. Mix: ``--users`` virtual users, each signed in as a demo account, for ``--duration`` seconds:
   list, search, detail, API list and detail, a small export, an import dry run (upload). Throughput,
   p50/p95/p99 per kind and overall, errors (any 5xx, a refused connection, an unexpected status).

SQLite (a file database under var/load/, WAL, as shipped): ``--writers`` concurrent writers for a few
seconds (API edits, API creates, import uploads); no answer may be a 5xx or carry "database is
locked", and the server log may not mention it either.

Prints one markdown report and writes it to var/load/latest.md. Client and server share the machine's
cores, so figures are lower bounds of what the server alone would do.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
VAR = ROOT / "var" / "load"
PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "khuyencong2026"
# (account, share of the users): provincial officers see their province, the agency everything.
ACCOUNTS = [("hatinh.chuyenvien", 4), ("nghean.chuyenvien", 2), ("cuc.chuyenvien", 2), ("admin", 1), ("xem", 1)]
IMPORTERS = {"hatinh.chuyenvien", "nghean.chuyenvien", "cuc.chuyenvien", "admin"}
EXPORTERS = IMPORTERS  # the read-only viewer may look but not export (403)
SEARCHES = ["tre dan", "nuoc mam", "gom", "Nguyễn", "hop tac xa", "may mac", "non la", "cong ty"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "khuyencong", *cmd], cwd=ROOT, env=env, check=True, text=True, **kwargs)


# --- installations --------------------------------------------------------------------------------


def environment(database_url: str, var: Path) -> dict:
    var.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "KC_ENV": "development",
        "DEBUG": "false",
        "KC_VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "KC_TASK_BACKEND": "sqlite",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
    }


def ensure_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict, scale: str) -> None:
    """Migrate, load the demo accounts (and the demo establishments), then the synthetic data of
    the scale; every step is idempotent, so a second run takes seconds."""
    started = time.monotonic()
    run(["migrate"], env, stdout=subprocess.DEVNULL)
    run(["demo", "--establishments", "3000" if scale == "demo" else "0"], env, stdout=subprocess.DEVNULL)
    if scale != "demo":
        run(["gen-data", "--scale", scale], env)
    print(f"  data ready in {time.monotonic() - started:.0f} s", flush=True)


class Server:
    def __init__(self, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.log = log
        self.env = {**env, "KC_WEB_WORKERS": str(workers)}
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "khuyencong", "serve", "--bind", f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not start; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- clients --------------------------------------------------------------------------------------


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, problem: str | None = None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if problem:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {problem}")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def new_session() -> requests.Session:
    """A keep-alive session that, like a browser, sends a GET again once when the server closed the
    idle connection just as it was reused (gunicorn closes idle keep-alive connections after 2 s)."""
    session = requests.Session()
    retry = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"}, raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


def sign_in(base: str, username: str) -> requests.Session:
    session = new_session()
    session.get(f"{base}/accounts/login/", timeout=30)
    token = session.cookies.get("csrftoken", "")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    if "sessionid" not in session.cookies:
        raise RuntimeError(f"could not sign in as {username}: {answer.status_code}")
    return session


def import_file(rng: random.Random, communes: list[str]) -> bytes:
    lines = ["Tên cơ sở,Loại hình,Mã xã,Sản phẩm chính,Tổng lao động"]
    for i in range(20):
        name = f"Cơ sở tải thử {rng.randint(1, 10**9)} {i}"
        lines.append(f"{name},Hộ kinh doanh,{rng.choice(communes)},Mây tre đan,{rng.randint(1, 50)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


class User:
    """One virtual user: a signed-in browser session and an API token, with its own random stream."""

    def __init__(self, base: str, username: str, token: str, ids: list[int], communes: list[str], seed: int,
                 cookies=None):  # fmt: skip
        """``ids``: establishments this account may see; ``communes``: where its import rows go;
        ``cookies``: a session of the account already signed in (a log-in hashes the password, which
        is deliberately slow: the users of one account share its session, as several tabs would)."""
        self.base, self.username, self.ids, self.communes = base, username, ids, communes
        self.rng = random.Random(seed)
        if cookies is None:
            self.session = sign_in(base, username)
        else:
            self.session = new_session()
            self.session.cookies.update(cookies)
        self.api = new_session()
        self.api.headers["Authorization"] = f"Bearer {token}"

    def step(self) -> tuple[str, requests.Response]:
        roll = self.rng.random()
        base, get = self.base, self.session.get
        if roll < 0.25:
            return "list", get(f"{base}/establishments/?page={self.rng.randint(1, 5)}", timeout=60)
        if roll < 0.45:
            return "search", get(f"{base}/establishments/", params={"q": self.rng.choice(SEARCHES)}, timeout=60)
        if roll < 0.62:
            return "detail", get(f"{base}/establishments/{self.rng.choice(self.ids)}/", timeout=60)
        if roll < 0.77:
            return "api list", self.api.get(f"{base}/api/v1/establishments", params={"limit": 20}, timeout=60)
        if roll < 0.87:
            return "api detail", self.api.get(f"{base}/api/v1/establishments/{self.rng.choice(self.ids)}", timeout=60)
        if self.username not in EXPORTERS:
            return "list", get(f"{base}/establishments/?page={self.rng.randint(1, 5)}", timeout=60)
        if roll < 0.94:
            query = {"q": self.rng.choice(SEARCHES), "format": "csv"}
            return "export", get(f"{base}/establishments/export/", params=query, timeout=60)
        return "import dry run", self.upload()

    def upload(self) -> requests.Response:
        page = self.session.get(f"{self.base}/establishments/import/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        files = {"file": ("tai-thu.csv", io.BytesIO(import_file(self.rng, self.communes)), "text/csv")}
        return self.session.post(
            f"{self.base}/establishments/import/",
            data={"csrfmiddlewaretoken": token.group(1) if token else ""},
            files=files,
            headers={"Referer": f"{self.base}/establishments/import/"},
            timeout=60,
            allow_redirects=False,
        )


def problem_of(kind: str, response: requests.Response, writes: bool = False) -> str | None:
    """What is wrong with an answer: reads expect 200 (an upload redirects to its job, 302); the
    writers of the SQLite phase also get 201."""
    expected = {200, 201, 302} if writes else ({302} if kind == "import dry run" else {200})
    if response.status_code not in expected:
        return f"HTTP {response.status_code}: {response.text[:120]!r}"
    if "database is locked" in response.text:
        return "database is locked in the answer"
    return None


def drive(users: list, stats: Stats, seconds: float, act, writes: bool = False) -> float:
    """Run ``act(user)`` in a loop on one thread per user for ``seconds``; returns the wall time."""
    stop = threading.Event()

    def loop(user) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                kind, response = act(user)
                stats.record(kind, time.perf_counter() - started, problem_of(kind, response, writes))
            except requests.RequestException as exc:
                stats.record("connection", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:160])

    threads = [threading.Thread(target=loop, args=(user,), daemon=True) for user in users]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started


def issue_token(env: dict, username: str) -> str:
    out = run(["token", "issue", username, "--name", "load", "--days", "1"], env, capture_output=True).stdout
    return out.strip().splitlines()[-1]


def reference(env: dict, code: str) -> tuple[list[int], list[str]]:
    """Establishment ids of the province and its current commune codes, read through the API's shell."""
    script = "\n".join([
        "from khuyencong.registry.models import Establishment as E",
        "from khuyencong.territory.models import Commune as C",
        f"ids = E.objects.live().filter(province__code='{code}').values_list('id', flat=True)[:2000]",
        "print(','.join(str(i) for i in ids))",
        f"print(','.join(C.objects.current().filter(province__code='{code}').values_list('code', flat=True)))",
    ])  # fmt: skip
    out = run(["manage", "shell", "-c", script], env, capture_output=True).stdout.strip().splitlines()
    return [int(i) for i in out[-2].split(",") if i], out[-1].split(",")


def users_for(base: str, env: dict, count: int, places: dict[str, tuple[list[int], list[str]]]) -> list[User]:
    """``count`` signed-in users over the accounts; the Nghệ An officer works on Nghệ An, the others
    on Hà Tĩnh (every one of them reaches it)."""
    tokens = {name: issue_token(env, name) for name, _share in ACCOUNTS}
    cookies = {name: sign_in(base, name).cookies for name, _share in ACCOUNTS}
    pool = [name for name, share in ACCOUNTS for _ in range(share)]
    users = []
    for i in range(count):
        name = pool[i % len(pool)]
        ids, communes = places["40" if name.startswith("nghean") else "42"]
        users.append(User(base, name, tokens[name], ids, communes, seed=i, cookies=cookies[name]))
    return users


# --- phases ---------------------------------------------------------------------------------------


def ratio_phase(server: Server, users: list[User], seconds: float) -> dict:
    """The list page and the trivial view, each alone, with the same clients."""
    result = {}
    for kind, path in (("list page", "/establishments/"), ("trivial view (/healthz)", "/healthz")):
        stats = Stats()
        wall = drive(users, stats, seconds, lambda u, p=path, k=kind: (k, u.session.get(server.base + p, timeout=60)))
        done = len(stats.times[kind])
        result[kind] = {
            "rps": done / wall,
            "p50": percentile(stats.times[kind], 0.5),
            "errors": sum(stats.errors.values()),
        }
    result["ratio"] = result["list page"]["rps"] / max(result["trivial view (/healthz)"]["rps"], 1e-9)
    return result


def postgres_phase(args) -> list[str]:
    name = "kc_load" if args.scale == "demo" else f"kc_load_{args.scale}"
    ensure_postgres_database(name)
    env = environment(f"{PG}/{name}", VAR / name)
    print(f"PostgreSQL {name}: preparing ({args.scale})", flush=True)
    prepare(env, args.scale)
    places = {code: reference(env, code) for code in ("42", "40")}
    lines = [f"## gunicorn + PostgreSQL ({args.scale} data)", ""]
    with Server(env, args.web_workers, VAR / f"{name}-server.log") as server:
        print(f"  serving on {server.base}; signing in {args.users} users", flush=True)
        users = users_for(server.base, env, args.users, places)
        ratio = ratio_phase(server, users[: args.ratio_clients], args.ratio_seconds)
        print(f"  ratio list/trivial = {ratio['ratio']:.2f}", flush=True)
        stats = Stats()
        wall = drive(users, stats, args.duration, User.step)
    total = sum(len(t) for t in stats.times.values())
    errors = sum(stats.errors.values())
    everything = [t for times in stats.times.values() for t in times]
    lines += [
        f"{args.users} users for {wall:.0f} s, {args.web_workers} gunicorn workers x 4 threads and the job worker, "
        f"client on the same machine.",
        "",
        "| request | count | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in sorted(stats.times):
        times = stats.times[kind]
        lines.append(
            f"| {kind} | {len(times):,} | {percentile(times, 0.5) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} | "
            f"{percentile(times, 0.99) * 1000:.0f} | {stats.errors.get(kind, 0)} |"
        )
    lines.append(
        f"| **all** | **{total:,}** | **{percentile(everything, 0.5) * 1000:.0f}** | "
        f"**{percentile(everything, 0.95) * 1000:.0f}** | **{percentile(everything, 0.99) * 1000:.0f}** | "
        f"**{errors}** |"
    )
    lines += ["", f"Throughput: **{total / wall:.1f} requests/s**; errors: **{errors}**"]
    ok = errors == 0
    if stats.samples:
        lines += ["", "First errors: " + "; ".join(stats.samples)]
    list_rps, trivial = ratio["list page"]["rps"], ratio["trivial view (/healthz)"]["rps"]
    lines += [
        "",
        f"List page vs trivial view, {args.ratio_clients} clients, {args.ratio_seconds:.0f} s each: "
        f"{list_rps:.1f} vs {trivial:.1f} requests/s, ratio **{ratio['ratio']:.2f}** (aim >= 0.3: "
        f"{'met' if ratio['ratio'] >= 0.3 else 'NOT met'}); p50 {ratio['list page']['p50'] * 1000:.0f} ms vs "
        f"{ratio['trivial view (/healthz)']['p50'] * 1000:.0f} ms.",
        "",
    ]
    return lines, ok


def sqlite_phase(args) -> list[str]:
    var = VAR / "sqlite"
    env = environment(f"sqlite:///{var}/db.sqlite3", var)
    print("SQLite: preparing (demo data)", flush=True)
    prepare(env, "demo")
    ids, communes = reference(env, "42")
    log = var / "server.log"
    with Server(env, 2, log) as server:
        token = issue_token(env, "hatinh.chuyenvien")
        stats = Stats()
        cookies = sign_in(server.base, "hatinh.chuyenvien").cookies
        # The writers edit records made for the run (demo records may carry data a full check refuses).
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        mine = []
        for number in range(40):
            body = {"name": f"Cơ sở để sửa {number} {time.time_ns()}", "legal_form": "household",
                    "commune_code": communes[number % len(communes)]}  # fmt: skip
            mine.append(api.post(f"{server.base}/api/v1/establishments", json=body, timeout=60).json()["id"])

        class Writer:
            def __init__(self, number: int):
                self.number, self.rng = number, random.Random(1000 + number)
                self.api = requests.Session()
                self.api.headers["Authorization"] = f"Bearer {token}"
                self.importer = User(server.base, "hatinh.chuyenvien", token, ids, communes, 2000 + number, cookies)

            def step(self):
                role = self.number % 4
                if role in (0, 1):  # edit an establishment
                    pk = self.rng.choice(mine)
                    body = {
                        "workers_total": self.rng.randint(1, 500),
                        "phone": f"09{self.rng.randint(10**7, 10**8 - 1)}",
                    }
                    return "api edit", self.api.patch(
                        f"{server.base}/api/v1/establishments/{pk}", json=body, timeout=60
                    )
                if role == 2:  # create one
                    body = {"name": f"Cơ sở ghi đồng thời {self.number}-{self.rng.randint(1, 10**9)}",
                            "legal_form": "household", "commune_code": self.rng.choice(communes)}  # fmt: skip
                    return "api create", self.api.post(f"{server.base}/api/v1/establishments", json=body, timeout=60)
                return "import dry run", self.importer.upload()

        writers = [Writer(i) for i in range(args.writers)]

        wall = drive(writers, stats, args.sqlite_seconds, Writer.step, writes=True)
    locked_in_log = log.read_text(errors="replace").count("database is locked")
    total = sum(len(t) for t in stats.times.values())
    errors = sum(stats.errors.values())
    lines = [
        "## SQLite (WAL, the embedded default) under concurrent writers",
        "",
        f"{args.writers} writers for {wall:.0f} s (API edits, API creates, import uploads with their dry-run jobs), "
        "2 gunicorn workers x 4 threads and the job worker.",
        "",
        "| request | count | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in sorted(stats.times):
        times = stats.times[kind]
        lines.append(
            f"| {kind} | {len(times):,} | {percentile(times, 0.5) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} | "
            f"{percentile(times, 0.99) * 1000:.0f} | {stats.errors.get(kind, 0)} |"
        )
    lines += [
        "",
        f'{total:,} writes ({total / wall:.1f}/s), errors: **{errors}**; "database is locked" in answers: '
        f"**{sum('locked' in sample for sample in stats.samples)}**, in the server log: **{locked_in_log}**.",
    ]
    if stats.samples:
        lines += ["", "First errors: " + "; ".join(stats.samples)]
    lines.append("")
    return lines, errors == 0 and locked_in_log == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--scale", choices=("demo", "province", "national"), default="demo")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--ratio-clients", type=int, default=8)
    parser.add_argument("--ratio-seconds", type=float, default=10)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--sqlite-seconds", type=float, default=20)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    lines = [f"# Load run {time.strftime('%Y-%m-%d %H:%M')} ({os.cpu_count()} cores shared by client and server)", ""]
    ok = True
    for skip, phase in ((args.skip_postgres, postgres_phase), (args.skip_sqlite, sqlite_phase)):
        if not skip:
            more, passed = phase(args)
            lines += more
            ok = ok and passed
    lines.append(f"Total wall time {time.monotonic() - started:.0f} s.")
    text = "\n".join(lines) + "\n"
    (VAR / "latest.md").write_text(text)
    print("\n" + text)
    print(f"written to {VAR / 'latest.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
