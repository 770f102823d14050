from django.core.management.base import BaseCommand

from khuyencong.kernel.context import acting_as
from khuyencong.organisation.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo dataset with a user for every role and print the accounts. Safe to run again."

    def handle(self, *args, **options):
        with acting_as(None):
            summary = load_demo()
        width = max(len(u) for u, _r, _o in summary)
        self.stdout.write("Demo accounts (password for all: %s):" % DEMO_PASSWORD)
        for username, role, unit in summary:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}")
