import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from khuyencong.kernel.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write the database and the uploaded/generated files to one verified archive (safe while serving)."

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            help="archive path (default var/backups/khuyencong-YYYYmmdd-HHMMSS.tar.gz)",
        )

    def handle(self, *args, **options):
        output = options["output"]
        if not output:
            output = Path(settings.VAR_DIR) / "backups" / f"khuyencong-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            create_backup(Path(output), log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
