"""``manage.py loadterritory``: upsert provinces, districts, communes and regions from the bundled data."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from khuyencong.territory.loader import load_territory


class Command(BaseCommand):
    help = "Load Vietnam's administrative units (before and after 1/7/2025) and regions. Safe to re-run."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = load_territory(stdout=self.stdout if options["verbosity"] >= 1 else None)
        changed = sum(
            s.get("created", 0) + s.get("updated", 0) + s.get("added", 0) + s.get("removed", 0) for s in result.values()
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Territory loaded in {time.monotonic() - started:.1f}s ({changed} change(s)).")
            )
