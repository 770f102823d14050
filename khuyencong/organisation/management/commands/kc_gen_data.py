from django.core.management.base import BaseCommand, CommandError

from khuyencong.kernel.context import acting_as


class Command(BaseCommand):
    help = (
        "Generate deterministic synthetic data (establishments now; plans, projects and the ledger as they "
        "land) at a scale, on a database marked as a demo or benchmark database only."
    )

    def add_arguments(self, parser):
        from khuyencong.demo.generate import SCALES

        parser.add_argument("--scale", choices=SCALES, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--mark-database",
            choices=("demo", "benchmark"),
            help="first mark this database (it must hold no establishments yet)",
        )
        parser.add_argument("--only", action="append", help="run only this generator (repeatable)")

    def handle(self, *args, **options):
        from khuyencong.demo.generate import NotSyntheticDatabase, generate, mark_database

        try:
            with acting_as(None):
                if options["mark_database"]:
                    mark_database(options["mark_database"], note="khuyencong gen-data --mark-database")
                generate(scale=options["scale"], seed=options["seed"], log=self.stdout.write, only=options["only"])
        except NotSyntheticDatabase as exc:
            raise CommandError(str(exc)) from None
