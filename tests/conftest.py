"""Shared fixtures: the territory and standing org units are loaded once per test database, and
named users stand for the people the scoping rules are about."""

from __future__ import annotations

import pytest
from django.test import Client

from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from tests.roles import person_in_role  # noqa: F401 (the eleven roles: a fixture for every test)

HA_TINH = "42"
NGHE_AN = "40"
PASSWORD = "Mat-khau-thu-2026!"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from khuyencong.organisation.reference import load_reference_org_units
    from khuyencong.rulebook.reference import load_reference_data as load_rulebook_reference
    from khuyencong.territory.loader import load_territory

    with django_db_blocker.unblock():
        _LOADED.update(load_territory())
        load_reference_org_units()
        load_rulebook_reference()


_LOADED: dict = {}


def reload_reference_data() -> None:
    """Put back what start-up and the rulebook's seed migrations load (territory, standing units,
    legal documents, contents and rules) after a transactional test flushed every table."""
    import importlib

    from django.apps import apps

    from khuyencong.organisation.reference import load_reference_org_units
    from khuyencong.rulebook.models import ActivityContent
    from khuyencong.rulebook.reference import load_reference_data as load_rulebook_reference
    from khuyencong.territory.loader import load_territory
    from khuyencong.territory.models import Province

    def seed(app: str, name: str, function: str = "seed") -> None:
        getattr(importlib.import_module(f"khuyencong.{app}.migrations.{name}"), function)(apps, None)

    if not Province.objects.exists():
        load_territory()
    load_reference_org_units()
    if not ActivityContent.objects.exists():
        seed("rulebook", "0002_seed_legal_documents_and_contents")
        seed("rulebook", "0004_seed_rules")
    load_rulebook_reference()
    # The registry's seeds (eligibility rules, industry lines) were written by migrations against
    # columns that have changed since; the transactional tests run last and need none of them.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test on a real transaction (``django_db(transaction=True)``: concurrency, backups) ends by
    flushing every table, reference data included; load it again for the tests that follow."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or nextitem is None:
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        reload_reference_data()


@pytest.fixture(autouse=True)
def _fresh_choice_lists():
    """Filter forms cache their choice rows per process; a row a test rolls back sends no signal."""
    from khuyencong.kernel.filters import forget_cached_choices

    forget_cached_choices()
    yield


@pytest.fixture
def territory(db):
    """Reference data is loaded once per test database; this names the dependency and returns the
    loader's counts from that first load."""
    return _LOADED


def _user(django_user_model, username, role=None, unit_code=None, **extra):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD, full_name=username, **extra)
    if role:
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        assign_role(user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def admin_user(db, django_user_model):
    return _user(django_user_model, "admin", Role.SYSTEM_ADMIN, None, is_superuser=True, is_staff=True)


@pytest.fixture
def agency_officer(db, django_user_model):
    return _user(django_user_model, "agency", Role.AGENCY_OFFICER, "CUC-DMST")


@pytest.fixture
def hatinh_officer(db, django_user_model):
    return _user(django_user_model, "hatinh", Role.PROVINCIAL_OFFICER, f"SCT-{HA_TINH}")


@pytest.fixture
def nghean_officer(db, django_user_model):
    return _user(django_user_model, "nghean", Role.PROVINCIAL_OFFICER, f"SCT-{NGHE_AN}")


@pytest.fixture
def implementer(db, django_user_model):
    return _user(django_user_model, "implementer", Role.IMPLEMENTER, f"TTKC-{HA_TINH}")


@pytest.fixture
def outsider(db, django_user_model):
    return _user(django_user_model, "outsider")


@pytest.fixture
def people(admin_user, agency_officer, hatinh_officer, nghean_officer, implementer, outsider):
    return {
        "admin": admin_user,
        "agency": agency_officer,
        "hatinh": hatinh_officer,
        "nghean": nghean_officer,
        "implementer": implementer,
        "outsider": outsider,
    }


@pytest.fixture
def client_for():
    """A logged-in test client for a user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
