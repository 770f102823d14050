"""The scoping mechanism on its own: scopes, the installed policy, and the rules for who is nobody."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from khuyencong.kernel import scoping
from khuyencong.kernel.scoping import Action, Scope, install_policy, uninstall_policy, user_scope


def test_covers_a_province_or_an_org_unit_in_reach():
    scope = Scope(province_ids=frozenset({42}), org_unit_ids=frozenset({7}))
    assert scope.covers(province_id=42)
    assert scope.covers(org_unit_id=7)
    assert scope.covers(province_id=40, org_unit_id=7)
    assert not scope.covers(province_id=40)
    assert not scope.covers(org_unit_id=8)
    assert not scope.covers()


def test_everywhere_covers_anything_and_nowhere_covers_nothing():
    assert Scope(everywhere=True).covers(province_id=1) and Scope(everywhere=True).covers()
    assert not Scope().covers(province_id=1, org_unit_id=1)


def test_scopes_union():
    joined = Scope(province_ids=frozenset({1})) | Scope(org_unit_ids=frozenset({2}))
    assert joined == Scope(province_ids=frozenset({1}), org_unit_ids=frozenset({2}))
    assert (joined | Scope(everywhere=True)).everywhere


class _Recording:
    def __init__(self):
        self.asked = []

    def scope(self, user, action, resource):
        self.asked.append((action, resource))
        return Scope(province_ids=frozenset({5}))

    def forget(self, user):
        pass


class _User:
    is_authenticated = True
    is_active = True
    is_superuser = False


@pytest.fixture
def swapped_policy():
    original = uninstall_policy()
    yield
    uninstall_policy()
    install_policy(original)


def test_a_second_policy_is_refused(swapped_policy):
    install_policy(_Recording())
    with pytest.raises(ImproperlyConfigured):
        install_policy(_Recording())


def test_no_policy_fails_loudly(swapped_policy):
    with pytest.raises(ImproperlyConfigured):
        user_scope(_User(), "view", "registry.establishment")


def test_the_policy_answers_with_named_actions(swapped_policy):
    policy = _Recording()
    install_policy(policy)
    assert user_scope(_User(), Action.VIEW, "registry.establishment") == Scope(province_ids=frozenset({5}))
    user_scope(_User(), "approve", "projects.project")
    assert policy.asked == [("view", "registry.establishment"), ("approve", "projects.project")]


def test_anonymous_and_inactive_users_never_reach_the_policy(swapped_policy):
    policy = _Recording()
    install_policy(policy)
    inactive = _User()
    inactive.is_active = False
    superuser = _User()
    superuser.is_superuser = True
    assert user_scope(AnonymousUser(), "view", "x.y").is_empty
    assert user_scope(None, "view", "x.y").is_empty
    assert user_scope(inactive, "view", "x.y").is_empty
    assert user_scope(superuser, "view", "x.y").everywhere
    assert policy.asked == []


def test_the_organisation_app_installed_the_role_matrix():
    assert type(scoping.installed_policy()).__name__ == "RoleMatrixPolicy"


def test_the_system_check_reports_a_missing_policy(swapped_policy):
    from khuyencong.kernel.apps import access_policy_installed

    assert [error.id for error in access_policy_installed()] == ["kernel.E001"]
    install_policy(_Recording())
    assert access_policy_installed() == []


def test_shared_rows_are_read_by_any_reach_but_written_only_where_reached(territory, hatinh_officer, agency_officer):
    """``scope_shared_rows`` (national plans): every user whose role allows the read reads them;
    a write still needs a reach that covers the row itself."""
    from khuyencong.kernel.scoping import restrict as restrict_rows
    from khuyencong.planning.models import AnnualPlan
    from tests.planning.factories import make_plan

    national, local = make_plan(None), make_plan("40")
    readable = set(restrict_rows(AnnualPlan.objects.all(), hatinh_officer, "view").values_list("pk", flat=True))
    assert national.pk in readable and local.pk not in readable
    assert not restrict_rows(AnnualPlan.objects.filter(pk=national.pk), hatinh_officer, "change").exists()
    assert restrict_rows(AnnualPlan.objects.filter(pk=national.pk), agency_officer, "change").exists()
