from django.apps import apps
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
        # Apps whose reference data needs the territory or the org units load it now, in
        # INSTALLED_APPS order (an AppConfig may define ``load_reference_data()``).
        for config in apps.get_app_configs():
            loader = getattr(config, "load_reference_data", None)
            if callable(loader):
                loader()
        self.stdout.write(self.style.SUCCESS(f"Database ready; reference org units created: {created}."))
