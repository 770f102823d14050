from django.core.management import call_command
from django.core.management.base import BaseCommand

from khuyencong.organisation.reference import load_reference_org_units
from khuyencong.territory.loader import load_territory


class Command(BaseCommand):
    help = "Apply migrations and load reference data (territory, standing org units). Safe to run again."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        load_territory()
        created = load_reference_org_units()
        self.stdout.write(self.style.SUCCESS(f"Database ready; reference org units created: {created}."))
