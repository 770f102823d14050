"""No edit by a provincial officer may change what any user reaches (audit faults on org units).

One test per field that decides reach: each posts the change as the Hà Tĩnh officer and asserts
that the unit and the reach of the people acting for it are unchanged.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from khuyencong.kernel.scoping import clear_cache, restrict
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.territory.models import Province, Region

pytestmark = pytest.mark.django_db


def ha_tinh() -> Province:
    return Province.objects.current().get(code="42")


def local_unit(code, kind=OrgUnit.Kind.ESTABLISHMENT, **fields) -> OrgUnit:
    fields.setdefault("province", ha_tinh())
    return OrgUnit.objects.create(code=code, name=f"Đơn vị {code}", kind=kind, **fields)


def person_for(django_user_model, unit, role=Role.ESTABLISHMENT):
    user = django_user_model.objects.create_user(username=f"p-{unit.code}", password="x")
    assign_role(user=user, role=role, org_unit=unit)
    return user


def reach(user) -> set[int]:
    clear_cache(user)
    return set(restrict(OrgUnit.objects.all(), user).values_list("pk", flat=True))


def form_data(unit, **changes) -> dict:
    data = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "province": unit.province_id or "",
        "region": unit.region_id or "",
        "is_active": "on" if unit.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def stored(unit) -> dict:
    unit.refresh_from_db()
    return {f.attname: getattr(unit, f.attname) for f in unit._meta.concrete_fields}


def post_edit(client, unit, **changes):
    return client.post(reverse("organisation:orgunit_edit", args=[unit.pk]), form_data(unit, **changes))


def test_kind_change_cannot_widen_reach(client_for, hatinh_officer, django_user_model):
    """The audit's case: establishment → implementing unit gave its person the whole province."""
    unit = local_unit("CS-THU-1")
    victim = person_for(django_user_model, unit)
    before_unit, before_reach = stored(unit), reach(victim)
    assert before_reach == {unit.pk}
    response = post_edit(client_for(hatinh_officer), unit, kind=OrgUnit.Kind.IMPLEMENTING_UNIT)
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert stored(unit) == before_unit
    assert reach(victim) == before_reach


def test_province_change_cannot_change_reach(client_for, hatinh_officer, django_user_model):
    unit = local_unit("DVTH-THU-1", kind=OrgUnit.Kind.IMPLEMENTING_UNIT, parent=OrgUnit.objects.get(code="SCT-42"))
    victim = person_for(django_user_model, unit, role=Role.IMPLEMENTER)
    before_unit, before_reach = stored(unit), reach(victim)
    response = post_edit(client_for(hatinh_officer), unit, province="")
    assert response.status_code in {200, 302}
    assert stored(unit) == before_unit
    assert reach(victim) == before_reach


def test_parent_change_cannot_give_anyone_another_unit(client_for, hatinh_officer, django_user_model):
    moved = local_unit("DVTH-THU-2", kind=OrgUnit.Kind.IMPLEMENTING_UNIT)
    new_parent = local_unit("CS-THU-2")
    victim = person_for(django_user_model, new_parent)
    before_unit, before_reach = stored(moved), reach(victim)
    response = post_edit(client_for(hatinh_officer), moved, parent=new_parent.pk)
    assert response.status_code == 200
    assert stored(moved) == before_unit
    assert reach(victim) == before_reach == {new_parent.pk}


def test_region_cannot_be_set(client_for, hatinh_officer, django_user_model):
    unit = local_unit("DVTH-THU-3", kind=OrgUnit.Kind.IMPLEMENTING_UNIT)
    victim = person_for(django_user_model, unit, role=Role.IMPLEMENTER)
    before_unit, before_reach = stored(unit), reach(victim)
    region = Region.objects.filter(kind=Region.Kind.CENTRE).first()
    post_edit(client_for(hatinh_officer), unit, region=region.pk)
    assert stored(unit) == before_unit
    assert reach(victim) == before_reach


def test_deactivating_a_local_unit_is_for_nationwide_editors(client_for, hatinh_officer, django_user_model):
    unit = local_unit("CS-THU-3")
    victim = person_for(django_user_model, unit)
    before_reach = reach(victim)
    post_edit(client_for(hatinh_officer), unit, is_active="")
    unit.refresh_from_db()
    assert unit.is_active
    assert reach(victim) == before_reach


def test_provincial_officer_may_still_edit_the_other_fields(client_for, hatinh_officer):
    unit = local_unit("CS-THU-4")
    response = post_edit(client_for(hatinh_officer), unit, name="Tên mới của cơ sở", phone="0239 3855 123")
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.phone, unit.kind) == ("Tên mới của cơ sở", "0239 3855 123", OrgUnit.Kind.ESTABLISHMENT)


@pytest.mark.parametrize("changes", [{"code": "TTKC-42-renamed"}, {"is_active": ""}, {"name": "Tên khác"}])
def test_reference_units_are_edited_only_nationwide(client_for, hatinh_officer, implementer, changes):
    """Re-coding a standing unit made the next `khuyencong migrate` create a second one."""
    unit = OrgUnit.objects.get(code="TTKC-42")
    before_unit, before_reach = stored(unit), reach(implementer)
    client = client_for(hatinh_officer)
    assert client.get(reverse("organisation:orgunit_edit", args=[unit.pk])).status_code == 403
    assert post_edit(client, unit, **changes).status_code == 403
    assert stored(unit) == before_unit
    assert reach(implementer) == before_reach
    detail = client.get(reverse("organisation:orgunit_detail", args=[unit.pk])).content.decode()
    assert reverse("organisation:orgunit_edit", args=[unit.pk]) not in detail


def test_nationwide_editor_may_change_reach_fields_and_reference_units(client_for, agency_officer):
    unit = OrgUnit.objects.get(code="TTKC-42")
    response = post_edit(client_for(agency_officer), unit, phone="0239 111 222")
    assert response.status_code == 302
    local = local_unit("CS-THU-5")
    response = post_edit(client_for(agency_officer), local, kind=OrgUnit.Kind.IMPLEMENTING_UNIT)
    assert response.status_code == 302
    local.refresh_from_db()
    assert local.kind == OrgUnit.Kind.IMPLEMENTING_UNIT
