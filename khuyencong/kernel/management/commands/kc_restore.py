from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from khuyencong.kernel.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `khuyencong backup`: verified first; refuses a database or media "
        "directory that holds data unless --force. Stop the server and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and media directory that hold data"
        )

    def handle(self, *args, **options):
        try:
            restore_backup(Path(options["archive"]), force=options["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
