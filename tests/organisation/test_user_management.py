"""User and role management in the app: who may manage which accounts, and what they may grant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation import actions
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
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
    """A Hà Tĩnh officer with an accented name and an e-mail, the usual target."""
    user = _user(django_user_model, "ht.staff", Role.PROVINCIAL_OFFICER, f"SCT-{HA_TINH}")
    user.full_name = "Trần Thị Đào"
    user.email = "dao@example.vn"
    user.save()
    return user


def unit(code):
    return OrgUnit.objects.get(code=code)


def state(user):
    """What a denied request must leave untouched."""
    user.refresh_from_db()
    assignments = sorted(RoleAssignment.objects.filter(user=user).values_list("role", "org_unit_id", "valid_to"))
    return (user.is_active, user.password, assignments, User.objects.count(), ObjectChange.objects.count())


def assignment_data(code, role=Role.PROVINCIAL_FINANCE, **extra):
    return {"role": role, "org_unit": unit(code).pk, "valid_from": "2026-01-01", "valid_to": "", **extra}


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_province_to_its_leader_and_everyone_to_the_admin(
    client_for, admin_user, hatinh_leader, staff, nghean_officer, agency_officer
):
    body = client_for(hatinh_leader).get(reverse("users:user_list")).content.decode()
    assert "ht.staff" in body
    assert "nghean" not in body and "agency" not in body  # other province, nationwide role
    assert ">admin<" not in body
    body = client_for(admin_user).get(reverse("users:user_list")).content.decode()
    assert all(name in body for name in ("ht.staff", "nghean", "agency"))


def test_search_ignores_accents(client_for, hatinh_leader, staff, hatinh_officer):
    body = client_for(hatinh_leader).get(reverse("users:user_list"), {"q": "tran thi dao"}).content.decode()
    assert "ht.staff" in body and ">hatinh<" not in body


def test_list_pages(client_for, admin_user, django_user_model):
    django_user_model.objects.bulk_create([django_user_model(username=f"u{i:03}") for i in range(60)])
    client = client_for(admin_user)
    first = client.get(reverse("users:user_list")).content.decode()
    second = client.get(reverse("users:user_list"), {"page": 2}).content.decode()
    assert "u000" in first and "u059" not in first
    assert "u059" in second and "u000" not in second


def test_menu_entry_for_managers_only(client_for, hatinh_leader, hatinh_officer):
    url = reverse("users:user_list")
    assert f'href="{url}"' in client_for(hatinh_leader).get("/").content.decode()
    assert f'href="{url}"' not in client_for(hatinh_officer).get("/").content.decode()


@pytest.mark.parametrize("name", ["user_list", "user_add"])
def test_an_officer_is_refused(client_for, hatinh_officer, name):
    assert client_for(hatinh_officer).get(reverse(f"users:{name}")).status_code == 403


# --- create ---------------------------------------------------------------------------------------


def new_user_data(code=f"SCT-{HA_TINH}", **extra):
    return {
        "username": "moi.nguoi",
        "full_name": "Người Mới",
        "email": "moi@example.vn",
        **assignment_data(code, Role.PROVINCIAL_OFFICER),
        **extra,
    }


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_create_user_with_first_role_and_mail(
    who, client_for, admin_user, hatinh_leader, django_capture_on_commit_callbacks
):
    actor = admin_user if who == "admin" else hatinh_leader
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(actor).post(reverse("users:user_add"), new_user_data())
    assert response.status_code == 302
    user = User.objects.get(username="moi.nguoi")
    assert list(user.role_assignments.values_list("role", "org_unit__code")) == [
        (Role.PROVINCIAL_OFFICER, f"SCT-{HA_TINH}")
    ]
    assert [m.to for m in mail.outbox] == [["moi@example.vn"]]
    assert "/accounts/reset/" in mail.outbox[0].body
    logged = ObjectChange.objects.filter(action="create", user_id=actor.pk)
    assert {c.content_type.model for c in logged} >= {"user", "roleassignment"}


def test_officer_cannot_create(client_for, hatinh_officer):
    before = User.objects.count()
    response = client_for(hatinh_officer).post(reverse("users:user_add"), new_user_data())
    assert response.status_code == 403 and User.objects.count() == before and not mail.outbox


@pytest.mark.parametrize(
    "case, field",
    [("nghean_unit", "org_unit"), ("agency_role", "role"), ("no_unit", "org_unit")],
)
def test_leader_create_out_of_reach_is_a_field_error(client_for, hatinh_leader, case, field):
    data = {
        "nghean_unit": new_user_data(f"SCT-{NGHE_AN}"),
        "agency_role": {**new_user_data(), "role": Role.AGENCY_OFFICER},
        "no_unit": {**new_user_data(), "org_unit": ""},
    }[case]
    before = User.objects.count()
    response = client_for(hatinh_leader).post(reverse("users:user_add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == before and not mail.outbox


# --- assign a role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_assign_role_in_reach(who, client_for, admin_user, hatinh_leader, staff):
    actor = admin_user if who == "admin" else hatinh_leader
    url = reverse("users:assignment_add", args=[staff.pk])
    assert client_for(actor).get(url).status_code == 200
    response = client_for(actor).post(url, assignment_data(f"STC-{HA_TINH}", valid_to="2026-12-31"))
    assert response.status_code == 302
    added = staff.role_assignments.get(role=Role.PROVINCIAL_FINANCE)
    assert (added.org_unit.code, added.valid_from, added.valid_to) == (
        f"STC-{HA_TINH}",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    assert ObjectChange.objects.filter(content_type__model="roleassignment", object_id=str(added.pk)).exists()


@pytest.mark.parametrize(
    "role, code, field",
    [
        (Role.AGENCY_OFFICER, f"SCT-{HA_TINH}", "role"),
        (Role.SYSTEM_ADMIN, f"SCT-{HA_TINH}", "role"),
        (Role.PROVINCIAL_LEADER, f"SCT-{HA_TINH}", "role"),
        (Role.PROVINCIAL_OFFICER, f"SCT-{NGHE_AN}", "org_unit"),
        (Role.PROVINCIAL_OFFICER, "CUC-DMST", "org_unit"),
    ],
)
def test_leader_cannot_grant_wide_roles_or_bind_elsewhere(client_for, hatinh_leader, staff, role, code, field):
    before = state(staff)
    url = reverse("users:assignment_add", args=[staff.pk])
    response = client_for(hatinh_leader).post(url, assignment_data(code, role))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert state(staff) == before


@pytest.mark.parametrize(
    "role, code, field",
    [
        (Role.AGENCY_OFFICER, f"SCT-{HA_TINH}", "role"),
        (Role.INSPECTOR, f"SCT-{HA_TINH}", "role"),
        (Role.PROVINCIAL_OFFICER, f"SCT-{NGHE_AN}", "org_unit"),
        (Role.PROVINCIAL_OFFICER, "TTKC1", "org_unit"),
        (Role.VIEWER, None, "org_unit"),
    ],
)
def test_the_action_itself_refuses_what_the_form_hides(hatinh_leader, staff, role, code, field):
    before = state(staff)
    with pytest.raises(ActionRefused) as refused:
        actions.assign_role(actor=hatinh_leader, user=staff, role=role, org_unit=unit(code) if code else None)
    assert field in refused.value.errors
    assert state(staff) == before


def test_officer_cannot_assign(client_for, hatinh_officer, staff):
    before = state(staff)
    url = reverse("users:assignment_add", args=[staff.pk])
    response = client_for(hatinh_officer).post(url, assignment_data(f"STC-{HA_TINH}"))
    assert response.status_code == 403
    assert state(staff) == before


def test_nothing_about_a_user_of_another_province_exists_for_a_leader(client_for, nghean_leader, staff):
    before = state(staff)
    client = client_for(nghean_leader)
    pk = staff.pk
    assert client.get(reverse("users:user_detail", args=[pk])).status_code == 404
    assert client.get(reverse("users:assignment_add", args=[pk])).status_code == 404
    posts = [
        reverse("users:assignment_add", args=[pk]),
        reverse("users:assignment_end", args=[pk, staff.role_assignments.get().pk]),
        reverse("users:user_deactivate", args=[pk]),
        reverse("users:user_reset_password", args=[pk]),
    ]
    for url in posts:
        assert client.post(url, assignment_data(f"SCT-{NGHE_AN}", Role.PROVINCIAL_OFFICER)).status_code == 404, url
    assert state(staff) == before and not mail.outbox


def test_a_user_with_a_nationwide_role_is_out_of_a_leaders_reach(client_for, hatinh_leader, staff):
    actions.assign_role(actor=User.objects.create_superuser("root", "r@x.vn", PASSWORD), user=staff,
                        role=Role.INSPECTOR, org_unit=unit("CUC-DMST"))  # fmt: skip
    before = state(staff)
    client = client_for(hatinh_leader)
    assert client.get(reverse("users:user_detail", args=[staff.pk])).status_code == 404
    assert client.post(reverse("users:user_deactivate", args=[staff.pk])).status_code == 404
    assert state(staff) == before


def test_a_leader_cannot_manage_a_peer_leader(client_for, hatinh_leader, django_user_model):
    peer = _user(django_user_model, "ht.peer", Role.PROVINCIAL_LEADER, f"SCT-{HA_TINH}")
    before = state(peer)
    client = client_for(hatinh_leader)
    assert "ht.peer" not in client.get(reverse("users:user_list")).content.decode()
    assert client.post(reverse("users:user_deactivate", args=[peer.pk])).status_code == 404
    assert state(peer) == before


def test_admin_sees_the_user_page_with_history(client_for, admin_user, staff):
    body = client_for(admin_user).get(reverse("users:user_detail", args=[staff.pk])).content.decode()
    assert "Trần Thị Đào" in body and 'id="add-assignment"' in body


def test_a_leader_cannot_escalate_themselves(hatinh_leader):
    with pytest.raises(ActionRefused):
        actions.assign_role(actor=hatinh_leader, user=hatinh_leader, role=Role.PROVINCIAL_OFFICER,
                            org_unit=unit(f"SCT-{HA_TINH}"))  # fmt: skip
    assert hatinh_leader.role_assignments.count() == 1


# --- end, deactivate, reset ---------------------------------------------------------------------


def test_end_assignment(client_for, hatinh_leader, staff):
    assignment = staff.role_assignments.get()
    url = reverse("users:assignment_end", args=[staff.pk, assignment.pk])
    assert client_for(hatinh_leader).post(url).status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == timezone.localdate() - dt.timedelta(days=1)
    assert not RoleAssignment.objects.active().filter(user=staff).exists()
    assert client_for(staff).get(reverse("registry:establishment_list")).status_code == 403


def test_officer_cannot_end_or_deactivate_or_reset(client_for, hatinh_officer, staff):
    before = state(staff)
    client = client_for(hatinh_officer)
    for url in (
        reverse("users:assignment_end", args=[staff.pk, staff.role_assignments.get().pk]),
        reverse("users:user_deactivate", args=[staff.pk]),
        reverse("users:user_reset_password", args=[staff.pk]),
    ):
        assert client.post(url).status_code == 403
    assert state(staff) == before and not mail.outbox


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_deactivate_user(who, client_for, admin_user, hatinh_leader, staff):
    actor = admin_user if who == "admin" else hatinh_leader
    assert client_for(actor).post(reverse("users:user_deactivate", args=[staff.pk])).status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active
    assert client_for(staff).get("/").status_code == 302  # signed out: back to the login page
    assert ObjectChange.objects.filter(content_type__model="user", object_id=str(staff.pk), user_id=actor.pk).exists()


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_reset_password_sends_a_link_and_the_old_password_stops_working(
    who, client_for, admin_user, hatinh_leader, staff, django_capture_on_commit_callbacks
):
    actor = admin_user if who == "admin" else hatinh_leader
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(actor).post(reverse("users:user_reset_password", args=[staff.pk]))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.check_password(PASSWORD)
    assert [m.to for m in mail.outbox] == [["dao@example.vn"]]
    assert ObjectChange.objects.filter(content_type__model="user", object_id=str(staff.pk), user_id=actor.pk).exists()


def test_user_pages_render_for_the_leader(client_for, hatinh_leader, staff):
    client = client_for(hatinh_leader)
    body = client.get(reverse("users:user_detail", args=[staff.pk])).content.decode()
    assert "Trần Thị Đào" in body and 'id="deactivate-user"' in body
    form = client.get(reverse("users:user_add")).context["form"]
    assert {value for value, _label in form.fields["role"].choices if value} == set(actions.PROVINCIAL_GRANTABLE)
    assert not form.fields["org_unit"].queryset.exclude(province__code=HA_TINH).exists()
