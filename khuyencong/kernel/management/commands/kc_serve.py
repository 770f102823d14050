import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application with gunicorn and, unless --no-worker, the job worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("KC_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KC_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the job worker")

    def handle(self, *args, **options):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "khuyencong.settings")}
        children = []
        if not options["no_worker"] and not settings.HUEY.get("immediate"):
            children.append(subprocess.Popen([sys.executable, "-m", "khuyencong", "worker"], env=env))
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
        children.append(web)
        self.stdout.write(f"Serving on http://{options['bind']}/ (Ctrl+C to stop)")

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
