"""``manage.py seturbandata``: record a city's urban grade or the date a ward was upgraded from a commune.

The published territory lists carry neither, but the eligibility rule before 15/10/2025 needs both
for wards (see :mod:`khuyencong.registry.eligibility`). Legacy (pre-2025) units are meant; codes are
those of the unit that ended on 30/6/2025.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from khuyencong.territory.models import CityGrade, Commune, District, Province


class Command(BaseCommand):
    help = "Set the urban grade of a legacy district-level city or centrally-run city, or a ward's upgrade date."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--district", help="code of a legacy district-level city, town or quận")
        target.add_argument("--province", help="code of a legacy centrally-run city")
        target.add_argument("--commune", help="code of a legacy ward")
        parser.add_argument("--grade", type=int, choices=CityGrade.values, help="0 = special, 1–5")
        parser.add_argument("--ward-since", type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        if options["commune"]:
            if options["ward_since"] is None:
                raise CommandError("--commune needs --ward-since.")
            units = Commune.objects.legacy().filter(code=options["commune"], unit_type=Commune.UnitType.WARD)
            values = {"ward_since": options["ward_since"]}
        else:
            if options["grade"] is None:
                raise CommandError("--district and --province need --grade.")
            if options["district"]:
                units = District.objects.filter(code=options["district"])
            else:
                units = Province.objects.legacy().filter(code=options["province"], unit_type=Province.UnitType.CITY)
            values = {"city_grade": options["grade"]}
        if units.update(**values) != 1:
            raise CommandError("No such legacy unit.")
        self.stdout.write(self.style.SUCCESS("Saved."))
