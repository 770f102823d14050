from django.core.management.base import BaseCommand

from khuyencong.kernel.context import acting_as
from khuyencong.organisation.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo dataset with a user for every role and print the accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--establishments", type=int, default=None, help="how many demo establishments (default 3000)"
        )

    def handle(self, *args, **options):
        from khuyencong.demo import load_all
        from khuyencong.demo.generate import mark_database

        with acting_as(None):
            mark_database("demo", note="khuyencong demo", require_empty=False)  # gen-data may write here
            loaded = load_all(establishments=options["establishments"])
        summary = loaded["accounts"]
        registry = loaded["registry"]
        self.stdout.write(
            f"Demo registry: {registry['establishments']} establishments ({registry['added']} added), "
            f"{registry['craft_villages']} craft villages, {registry['duplicates_added']} new possible duplicates."
        )
        projects = loaded.get("projects") or {}
        self.stdout.write(
            f"Demo projects: {projects.get('projects', 0)} ({projects.get('added', 0)} added); "
            "the implementer account hatinh.thuchien follows those of Trung tâm Khuyến công tỉnh Hà Tĩnh."
        )
        money = loaded.get("finance") or {}
        if money:
            self.stdout.write(
                f"Demo money: {money.get('allocations', 0)} allocations, {money.get('entries', 0)} ledger entries "
                f"({money.get('awaiting', 0)} awaiting approval: cuc.lanhdao, hatinh.taichinh)."
            )
        width = max(len(u) for u, _r, _o in summary)
        self.stdout.write("Demo accounts (password for all: %s):" % DEMO_PASSWORD)
        for username, role, unit in summary:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}")
