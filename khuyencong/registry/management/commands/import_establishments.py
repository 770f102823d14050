"""``khuyencong import establishments FILE [--commit] [--report OUT.xlsx] [--user USERNAME]``.

A dry run unless ``--commit``; prints the counts and the rejected rows, and writes the error
workbook to ``--report``. The user's scope applies (``--user``); without it an active superuser
(the all-scope system account) is used. Same pipeline as the web import
(``khuyencong.registry.imports`` on ``khuyencong.tabular``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from khuyencong import tabular
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.scoping import Action, can
from khuyencong.registry import imports
from khuyencong.registry.models import Establishment

KINDS = ("establishments",)


class Command(BaseCommand):
    help = "Import establishments from an Excel (.xlsx) or CSV file: a dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="what to import")
        parser.add_argument("file", type=Path, help="the .xlsx or .csv file")
        parser.add_argument("--commit", action="store_true", help="write to the database (default: dry run)")
        parser.add_argument("--report", type=Path, metavar="OUT.xlsx", help="write the rejected rows to this workbook")
        parser.add_argument("--user", metavar="USERNAME", help="whose scope applies (default: a superuser)")
        parser.add_argument(
            "--resume-after", type=int, default=0, metavar="ROW", help="with --commit: skip rows up to ROW"
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="language of the messages (vi, en)")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            return self._handle(options)

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
        else:
            user = users.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError("No active superuser to import as; create one or pass --user USERNAME.")
        if not can(user, Action.ADD, Establishment):
            raise CommandError(f"{user.get_username()} may not add establishments.")
        return user

    def _handle(self, options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options["user"])
        verbose = options["verbosity"] >= 2

        def reporter(percent: int, message: str) -> None:
            if verbose:
                self.stderr.write(f"{percent:3d}% {message}")

        reached = tabular.ImportReport(mode="commit", committed_through_row=options["resume_after"])

        def checkpoint(report) -> None:
            reached.committed_through_row = report.committed_through_row

        try:
            with acting_as(user):
                if options["commit"]:
                    report = imports.commit(
                        path, user, reporter, start_after_row=options["resume_after"], on_batch=checkpoint
                    )
                else:
                    report = imports.dry_run(path, user, reporter)
        except tabular.ImportInterrupted as exc:
            self._stopped(exc.report)
            raise CommandError(_("The import stopped before the end of the file")) from exc
        except KeyboardInterrupt:
            if options["commit"]:
                self._stopped(reached)
            raise

        if not report.ok:
            for message in report.file_errors:
                self.stderr.write(message)
            raise CommandError(_("The file cannot be imported"))

        for error in report.errors:
            self.stdout.write(f"{_('Row')} {error.row}: " + " ".join(error.messages))
        if report.errors_truncated:
            self.stdout.write(_("… more rejected rows in the error workbook."))
        if verbose:
            for note in report.notes:
                self.stdout.write(f"{_('Row')} {note.row}: {note.message}")
        counts = report.counts
        summary = _("New: %(new)s, updated: %(updated)s, unchanged: %(unchanged)s, rejected: %(rejected)s.") % {
            key: tabular.vn_int(value) for key, value in counts.items()
        }
        mode = _("Imported") if options["commit"] else _("Dry run, nothing written")
        rate = report.rows / report.seconds if report.seconds else 0
        self.stdout.write(f"{mode}: {summary} ({report.rows} rows, {report.seconds:.1f} s, {rate:.0f} rows/s)")
        if options["commit"]:
            self.stdout.write(f"committed_through_row={report.committed_through_row}")
        if options["report"]:
            options["report"].write_bytes(report.error_workbook or b"")
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": options["report"]})
        sys.stdout.flush()

    def _stopped(self, report) -> None:
        """What was written, and how to go on (a failed batch)."""
        for message in report.file_errors:
            self.stderr.write(message)
        row = report.committed_through_row
        self.stdout.write(f"committed_through_row={row}")
        self.stdout.write(
            _("Resume with: khuyencong import establishments FILE --commit --resume-after %(row)s") % {"row": row}
        )
        sys.stdout.flush()
