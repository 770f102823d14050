import datetime as dt

from django.core.management.base import BaseCommand

from khuyencong.attachments import storage
from khuyencong.attachments.models import Attachment


def _known(paths: list[str]) -> set[str]:
    return set(Attachment.objects.filter(path__in=paths).values_list("path", flat=True))


class Command(BaseCommand):
    help = (
        "List (or with --delete remove) attached files no record names, older than --hours: left by an "
        "upload whose transaction rolled back after the file was written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="only files older than this (default 24)")
        parser.add_argument("--delete", action="store_true", help="remove them (default: only list them)")

    def handle(self, *args, **options):
        count = 0
        for path in storage.orphans(older_than=dt.timedelta(hours=max(options["hours"], 1)), known=_known):
            count += 1
            self.stdout.write(path)
            if options["delete"]:
                storage.delete(path)
        verb = "removed" if options["delete"] else "found"
        self.stdout.write(f"{count} unreferenced file(s) {verb} under {storage.root()}")
