from __future__ import annotations

import itertools

from khuyencong.registry.models import CraftVillage, Establishment, LegalForm
from khuyencong.territory.models import Commune

_counter = itertools.count(1)


def commune_of(province_code: str, index: int = 0) -> Commune:
    return Commune.objects.current().filter(province__code=province_code).order_by("code")[index]


def make_establishment(province_code="42", name=None, commune=None, **fields) -> Establishment:
    n = next(_counter)
    return Establishment.objects.create(
        name=name or f"Cơ sở mây tre đan thử {n}",
        legal_form=fields.pop("legal_form", LegalForm.HOUSEHOLD),
        commune=commune or commune_of(province_code),
        **fields,
    )


def make_village(province_code="42", name=None, **fields) -> CraftVillage:
    n = next(_counter)
    return CraftVillage.objects.create(name=name or f"Làng nghề thử {n}", commune=commune_of(province_code), **fields)
