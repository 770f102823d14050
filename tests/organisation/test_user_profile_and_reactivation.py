"""Completing user management: reactivating a deactivated account and editing a person's profile,
with the same reach as the other user-management actions (a provincial leader only within the
province), each change logged; allowed, denied and out of scope."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from khuyencong.accounts.models import User
from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation import actions
from khuyencong.organisation.models import Role
from tests.conftest import HA_TINH, NGHE_AN, PASSWORD, _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hatinh_leader(territory, django_user_model):
    return _user(django_user_model, "ht.leader", Role.PROVINCIAL_LEADER, f"SCT-{HA_TINH}")


@pytest.fixture
def nghean_leader(territory, django_user_model):
    return _user(django_user_model, "na.leader", Role.PROVINCIAL_LEADER, f"SCT-{NGHE_AN}")


@pytest.fixture
def staff(territory, django_user_model):
    user = _user(django_user_model, "ht.staff", Role.PROVINCIAL_OFFICER, f"SCT-{HA_TINH}")
    User.objects.filter(pk=user.pk).update(full_name="Trần Thị Đào", email="dao@example.vn", is_active=False)
    user.refresh_from_db()
    return user


def logged(user, column):
    changes = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    change = changes.latest("pk")
    return change.user, {row[0]: row[2] for row in change.changed_fields}.get(column)


def snapshot(user):
    user.refresh_from_db()
    return (user.is_active, user.full_name, user.email, user.title, user.phone, ObjectChange.objects.count())


PROFILE = {"full_name": "Trần Thị Đào Hoa", "email": "hoa@example.vn", "title": "Chuyên viên", "phone": "0912 000 111"}


@pytest.mark.parametrize("who", ["admin_user", "hatinh_leader"])
def test_reactivate_in_reach(who, request, client_for, staff):
    actor = request.getfixturevalue(who)
    client = client_for(actor)
    page = client.get(reverse("users:user_detail", args=[staff.pk])).content.decode()
    assert 'id="reactivate-user"' in page and 'id="deactivate-user"' not in page
    response = client.post(reverse("users:user_reactivate", args=[staff.pk]))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.is_active
    assert logged(staff, "is_active") == (actor, True)
    assert client_for(staff).get("/").status_code == 200  # can sign in and work again
    # A second time is refused with a message, nothing changes.
    before = snapshot(staff)
    client.post(reverse("users:user_reactivate", args=[staff.pk]))
    assert snapshot(staff) == before


@pytest.mark.parametrize("who", ["admin_user", "hatinh_leader"])
def test_edit_profile_in_reach(who, request, client_for, staff):
    actor = request.getfixturevalue(who)
    client = client_for(actor)
    form = client.get(reverse("users:user_edit", args=[staff.pk]))
    assert form.status_code == 200 and "Trần Thị Đào" in form.content.decode()
    response = client.post(reverse("users:user_edit", args=[staff.pk]), PROFILE)
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.full_name, staff.email, staff.title, staff.phone) == tuple(PROFILE.values())
    assert logged(staff, "email") == (actor, "hoa@example.vn")


def test_bad_profile_values_are_field_messages(client_for, admin_user, staff):
    before = snapshot(staff)
    response = client_for(admin_user).post(
        reverse("users:user_edit", args=[staff.pk]), {**PROFILE, "email": "not-an-address", "full_name": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "full_name"}
    assert snapshot(staff) == before


@pytest.mark.parametrize("name", ["user_edit", "user_reactivate"])
def test_an_officer_is_refused(name, client_for, hatinh_officer, staff):
    before = snapshot(staff)
    client = client_for(hatinh_officer)
    assert client.post(reverse(f"users:{name}", args=[staff.pk]), PROFILE).status_code == 403
    assert client.get(reverse("users:user_edit", args=[staff.pk])).status_code == 403
    assert snapshot(staff) == before
    with pytest.raises(ActionRefused) as refused:
        actions.reactivate_user(actor=hatinh_officer, user=staff)
    assert refused.value.status == 403


@pytest.mark.parametrize("name", ["user_edit", "user_reactivate"])
def test_a_user_of_another_province_does_not_exist_for_a_leader(name, client_for, nghean_leader, staff):
    before = snapshot(staff)
    client = client_for(nghean_leader)
    assert client.post(reverse(f"users:{name}", args=[staff.pk]), PROFILE).status_code == 404
    assert snapshot(staff) == before
    with pytest.raises(ActionRefused) as refused:
        actions.edit_user(actor=nghean_leader, user=staff, **PROFILE)
    assert refused.value.status == 404


def test_a_leader_cannot_edit_or_reactivate_a_nationwide_user(client_for, hatinh_leader, django_user_model):
    agency = _user(django_user_model, "agency.off", Role.AGENCY_OFFICER, "CUC-DMST", is_active=False)
    client = client_for(hatinh_leader)
    assert client.post(reverse("users:user_reactivate", args=[agency.pk])).status_code == 404
    assert client.post(reverse("users:user_edit", args=[agency.pk]), PROFILE).status_code == 404
    agency.refresh_from_db()
    assert not agency.is_active and agency.full_name == "agency.off"


def test_nobody_edits_their_own_account_here(hatinh_leader):
    with pytest.raises(ActionRefused) as refused:
        actions.edit_user(actor=hatinh_leader, user=hatinh_leader, **PROFILE)
    assert refused.value.code == "own_account"


def test_a_reactivated_account_signs_in_with_its_password(client, admin_user, staff):
    staff.set_password(PASSWORD)
    User.objects.filter(pk=staff.pk).update(password=staff.password)
    login = {"username": "ht.staff", "password": PASSWORD}
    assert client.post(reverse("login"), login).status_code == 200  # refused: the form again
    actions.reactivate_user(actor=admin_user, user=staff)
    assert client.post(reverse("login"), login).status_code == 302
