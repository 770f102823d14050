import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand


class WorkerSupervisor:
    """Keeps the job worker running beside the web server.

    A worker that dies is started again: at once the first time, then after a pause that doubles
    (up to ``max_delay`` seconds) while it keeps dying within ``stable_after`` seconds of its start,
    so a worker that cannot start (a broken queue URL) does not spin. The new worker's start-up
    marks the jobs the dead one left running as interrupted.
    """

    def __init__(
        self,
        spawn: Callable[[], subprocess.Popen],
        *,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = print,
        max_delay: float = 60,
        stable_after: float = 60,
    ):
        self.spawn, self.clock, self.log = spawn, clock, log
        self.max_delay, self.stable_after = max_delay, stable_after
        self.quick_deaths = 0
        self.restarts = 0
        self.restart_at: float | None = None
        self.process: subprocess.Popen | None = spawn()
        self.started_at = clock()

    def check(self) -> None:
        """Look at the worker once (the serve loop calls this every second)."""
        now = self.clock()
        if self.process is not None:
            if self.process.poll() is None:
                return
            lived = now - self.started_at
            self.quick_deaths = self.quick_deaths + 1 if lived < self.stable_after else 1
            delay = 0 if self.quick_deaths <= 1 else min(self.max_delay, 2 ** (self.quick_deaths - 1))
            self.log(f"The job worker exited (code {self.process.returncode}); restarting it in {delay:g} s.")
            self.process, self.restart_at = None, now + delay
        if self.restart_at is not None and now >= self.restart_at:
            self.process, self.started_at, self.restart_at = self.spawn(), now, None
            self.restarts += 1

    def children(self) -> list[subprocess.Popen]:
        return [self.process] if self.process is not None else []


def serve_loop(web, supervisor: WorkerSupervisor | None, *, stopping: Callable[[], bool], sleep=time.sleep) -> None:
    """Until the web server exits or a stop is asked: watch the worker, once a second."""
    while web.poll() is None and not stopping():
        if supervisor is not None:
            supervisor.check()
        sleep(1)


class Command(BaseCommand):
    help = "Serve the web application with gunicorn and, unless --no-worker, the job worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("KC_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KC_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the job worker")

    def handle(self, *args, **options):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "khuyencong.settings")}
        supervisor = None
        if not options["no_worker"] and not settings.HUEY.get("immediate"):
            supervisor = WorkerSupervisor(
                lambda: subprocess.Popen([sys.executable, "-m", "khuyencong", "worker"], env=env),
                log=lambda text: self.stderr.write(text),
            )
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "khuyencong.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        self.stdout.write(f"Serving on http://{options['bind']}/ (Ctrl+C to stop)")
        stop_requested = []

        def children():
            return [web, *(supervisor.children() if supervisor else [])]

        def stop(*_args):
            stop_requested.append(True)
            for child in children():
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            serve_loop(web, supervisor, stopping=lambda: bool(stop_requested))
        finally:
            stop()
            for child in children():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
