"""The scoping rule itself: what each role may do, and how far the unit it is bound to reaches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from khuyencong.kernel.scoping import clear_cache, restrict, user_scope
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
from khuyencong.organisation.services import assign_role, reach_of
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Province
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

ESTABLISHMENT = "registry.establishment"
ORG_UNIT = "organisation.orgunit"
ALL = {"view", "add", "change", "delete", "export"}
READ_EXPORT = {"view", "export"}
ACTIONS = sorted(ALL)


def province(code: str) -> Province:
    return Province.objects.current().get(code=code)


def subtree(code: str) -> frozenset[int]:
    unit = OrgUnit.objects.get(code=code)
    return frozenset(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def local_establishment_unit(code="CS-THU-1", province_code="42") -> OrgUnit:
    return OrgUnit.objects.create(
        code=code, name=f"Cơ sở {code}", kind=OrgUnit.Kind.ESTABLISHMENT, province=province(province_code)
    )


def person(django_user_model, role, unit_code=None, username=None, **assignment):
    user = django_user_model.objects.create_user(username=username or f"u-{role}", password="x")
    unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
    RoleAssignment.objects.create(user=user, role=role, org_unit=unit, **assignment)
    return user


def allowed(user, resource) -> set[str]:
    return {action for action in ACTIONS if not user_scope(user, action, resource).is_empty}


# role, bound unit, actions on establishments, where (None = nationwide, else province codes)
ROLES = [
    (Role.SYSTEM_ADMIN, None, ALL, None),
    (Role.AGENCY_OFFICER, "CUC-DMST", ALL, None),
    (Role.AGENCY_LEADER, "CUC-DMST", READ_EXPORT, None),
    (Role.PROVINCIAL_OFFICER, "SCT-42", ALL, {"42"}),
    (Role.PROVINCIAL_LEADER, "SCT-42", READ_EXPORT, {"42"}),
    (Role.PROVINCIAL_FINANCE, "STC-42", {"view"}, {"42"}),
    (Role.IMPLEMENTER, "TTKC-42", READ_EXPORT, {"42"}),
    (Role.INSPECTOR, "CUC-DMST", READ_EXPORT, None),
    (Role.VIEWER, None, {"view"}, None),
]


@pytest.mark.parametrize(("role", "unit_code", "actions", "provinces"), ROLES, ids=[r[0] for r in ROLES])
def test_each_role_gets_its_actions_and_the_reach_of_its_unit(django_user_model, role, unit_code, actions, provinces):
    user = person(django_user_model, role, unit_code)
    assert allowed(user, ESTABLISHMENT) == actions
    scope = user_scope(user, "view", ESTABLISHMENT)
    if provinces is None:
        assert scope.everywhere
    else:
        assert not scope.everywhere
        assert scope.province_ids == {province(code).pk for code in provinces}
        # Establishments are reached by place (only an establishment's own account reaches one
        # through its unit: permissions.ORG_UNIT_REACH); the unit's subtree reaches org units.
        assert scope.org_unit_ids == frozenset()
        assert user_scope(user, "view", ORG_UNIT).org_unit_ids == subtree(unit_code)


def test_regional_officer_reaches_the_provinces_of_the_centres_region(django_user_model):
    centre = OrgUnit.objects.get(code="TTKC1")
    user = person(django_user_model, Role.REGIONAL_OFFICER, "TTKC1")
    expected = set(centre.region.provinces.filter(valid_to__isnull=True).values_list("pk", flat=True))
    scope = user_scope(user, "view", ESTABLISHMENT)
    assert expected and scope.province_ids == expected and not scope.everywhere
    assert allowed(user, ESTABLISHMENT) == READ_EXPORT
    inside = make_establishment(Province.objects.get(pk=min(expected)).code)
    outside_code = Province.objects.current().exclude(pk__in=expected).order_by("code").first().code
    outside = make_establishment(outside_code)
    visible = set(restrict(Establishment.objects.all(), user).values_list("pk", flat=True))
    assert inside.pk in visible and outside.pk not in visible


def test_establishment_role_reaches_only_its_own_unit(django_user_model):
    unit = local_establishment_unit()
    user = person(django_user_model, Role.ESTABLISHMENT, unit.code)
    assert allowed(user, ESTABLISHMENT) == set()
    assert allowed(user, ORG_UNIT) == {"view"}
    scope = user_scope(user, "view", ORG_UNIT)
    assert scope.province_ids == frozenset() and scope.org_unit_ids == {unit.pk}
    assert list(restrict(OrgUnit.objects.all(), user).values_list("code", flat=True)) == [unit.code]


def test_org_unit_reach_covers_the_unit_and_its_sub_units_only(django_user_model):
    parent = OrgUnit.objects.create(code="DV-CHA", name="Đơn vị cha", kind=OrgUnit.Kind.ESTABLISHMENT)
    child = OrgUnit.objects.create(code="DV-CON", name="Đơn vị con", kind=OrgUnit.Kind.IMPLEMENTING_UNIT, parent=parent)
    sibling = OrgUnit.objects.create(code="DV-KHAC", name="Đơn vị khác", kind=OrgUnit.Kind.ESTABLISHMENT)
    user = person(django_user_model, Role.ESTABLISHMENT, "DV-CHA")
    assert set(restrict(OrgUnit.objects.all(), user).values_list("pk", flat=True)) == {parent.pk, child.pk}
    assert sibling.pk not in reach_of(parent).org_unit_ids


def test_national_units_and_a_nationwide_assignment_reach_everywhere():
    assert reach_of(None).everywhere
    assert reach_of(OrgUnit.objects.get(code="BCT")).everywhere
    assert reach_of(OrgUnit.objects.get(code="CUC-DMST")).everywhere
    assert not reach_of(OrgUnit.objects.get(code="SCT-42")).everywhere


@pytest.mark.parametrize(
    ("starts", "ends", "in_force"),
    [
        (None, None, True),
        (0, 0, True),
        (-30, -1, False),
        (1, None, False),
        (None, 1, True),
    ],
    ids=["open", "today-only", "ended", "not-yet-started", "ends-tomorrow"],
)
def test_role_assignment_counts_only_between_valid_from_and_valid_to(django_user_model, starts, ends, in_force):
    # Days from today, resolved when the test runs (a suite may cross midnight after collection).
    today = timezone.localdate()
    valid_from = None if starts is None else today + dt.timedelta(days=starts)
    valid_to = None if ends is None else today + dt.timedelta(days=ends)
    user = person(django_user_model, Role.PROVINCIAL_OFFICER, "SCT-42", valid_from=valid_from, valid_to=valid_to)
    own = make_establishment("42")
    assert restrict(Establishment.objects.all(), user).filter(pk=own.pk).exists() == in_force
    assert (allowed(user, ESTABLISHMENT) == ALL) == in_force


def test_roles_add_up_actions_and_places(django_user_model):
    user = person(django_user_model, Role.PROVINCIAL_LEADER, "SCT-42", username="hai-vai")
    assign_role(user=user, role=Role.PROVINCIAL_FINANCE, org_unit=OrgUnit.objects.get(code="STC-40"))
    clear_cache(user)
    ha_tinh, nghe_an = province("42").pk, province("40").pk
    assert user_scope(user, "view", ESTABLISHMENT).province_ids == {ha_tinh, nghe_an}
    # Only the leader role exports, so the export reach stays in Hà Tĩnh.
    assert user_scope(user, "export", ESTABLISHMENT).province_ids == {ha_tinh}
    assert user_scope(user, "change", ESTABLISHMENT).is_empty
    hatinh_row, nghean_row = make_establishment("42"), make_establishment("40")
    visible = set(restrict(Establishment.objects.all(), user).values_list("pk", flat=True))
    assert {hatinh_row.pk, nghean_row.pk} <= visible


def test_a_deactivated_user_reaches_nothing(django_user_model):
    user = person(django_user_model, Role.AGENCY_OFFICER, "CUC-DMST")
    make_establishment("42")
    user.is_active = False
    user.save()
    assert allowed(user, ESTABLISHMENT) == set()
    assert not restrict(Establishment.objects.all(), user).exists()


def test_a_superuser_reaches_everywhere_without_any_role(django_user_model):
    user = django_user_model.objects.create_user(username="root", password="x", is_superuser=True)
    assert allowed(user, ESTABLISHMENT) == ALL


def test_a_user_without_roles_reaches_nothing(django_user_model):
    user = django_user_model.objects.create_user(username="no-role", password="x")
    make_establishment("42")
    assert allowed(user, ESTABLISHMENT) == set() and allowed(user, ORG_UNIT) == set()
    assert not restrict(Establishment.objects.all(), user).exists()


def test_an_inactive_org_unit_grants_nothing(django_user_model):
    """Audit fault: a deactivated unit kept granting its people the whole province."""
    user = person(django_user_model, Role.IMPLEMENTER, "TTKC-42")
    make_establishment("42")
    assert restrict(Establishment.objects.all(), user).exists()
    OrgUnit.objects.filter(code="TTKC-42").update(is_active=False)
    clear_cache(user)
    assert allowed(user, ESTABLISHMENT) == set()
    assert not restrict(Establishment.objects.all(), user).exists()
