"""Fixtures shared by the registry tests."""

import pytest
from django.utils import translation

from khuyencong.territory.models import Commune


def _current_commune_codes(province_code: str) -> list[str]:
    return list(
        Commune.objects.current().filter(province__code=province_code).order_by("code").values_list("code", flat=True)
    )


@pytest.fixture
def vietnamese():
    """Messages in Vietnamese whatever the test runner's language."""
    with translation.override("vi"):
        yield


@pytest.fixture
def ht(territory):
    """Current commune codes of Hà Tĩnh."""
    return _current_commune_codes("42")


@pytest.fixture
def na(territory):
    """Current commune codes of Nghệ An."""
    return _current_commune_codes("40")
