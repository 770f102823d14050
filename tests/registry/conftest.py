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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test on a real transaction (``django_db(transaction=True)``: concurrency) ends by flushing
    every table, reference data included; load it again for the tests that follow."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or nextitem is None:
        return
    from pytest_django.plugin import blocking_manager_key

    from khuyencong.organisation.reference import load_reference_org_units
    from khuyencong.territory.loader import load_territory

    with item.config.stash[blocking_manager_key].unblock():
        load_territory()
        load_reference_org_units()
