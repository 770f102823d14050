import pytest
from django.contrib.contenttypes.models import ContentType

from khuyencong.audit.models import AccessLog, ObjectChange
from khuyencong.kernel.context import acting_as
from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province

pytestmark = pytest.mark.django_db


def changes_of(obj):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("time", "id")


def make_unit(code="DV-1", name="Đơn vị thử"):
    return OrgUnit.objects.create(
        code=code, name=name, kind=OrgUnit.Kind.IMPLEMENTING_UNIT, province=Province.objects.current().get(code="42")
    )


def test_create_update_delete_keep_who_when_request_and_snapshots(hatinh_officer):
    with acting_as(hatinh_officer, "req-12345678"):
        unit = make_unit()
        unit.name = "Đơn vị đã đổi tên"
        unit.save()
        unit_pk = unit.pk
        unit.delete()
    entries = list(
        ObjectChange.objects.filter(object_id=str(unit_pk), content_type__model="orgunit").order_by("time", "id")
    )
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.user_id == hatinh_officer.pk and e.request_id == "req-12345678" for e in entries)
    assert entries[1].prechange_data["name"] == "Đơn vị thử"
    assert entries[1].postchange_data["name"] == "Đơn vị đã đổi tên"
    assert ("name", "Đơn vị thử", "Đơn vị đã đổi tên") in entries[1].changed_fields
    assert entries[2].postchange_data is None


def test_save_without_change_is_not_logged():
    unit = make_unit()
    unit.save()
    assert changes_of(unit).count() == 1


def test_bulk_update_is_logged_per_row(hatinh_officer):
    units = [make_unit(f"DV-B{i}", f"Đơn vị {i}") for i in range(3)]
    with acting_as(hatinh_officer, "req-bulk-0001"):
        updated = OrgUnit.objects.filter(code__startswith="DV-B").update(is_active=False)
    assert updated == 3
    for unit in units:
        last = changes_of(unit).last()
        assert last.action == "update"
        assert last.prechange_data["is_active"] is True and last.postchange_data["is_active"] is False
        assert last.request_id == "req-bulk-0001"


def test_bulk_create_is_logged():
    province = Province.objects.current().get(code="42")
    OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"DV-C{i}", name=f"Đơn vị C{i}", kind="implementing_unit", province=province) for i in range(2)]
    )
    for unit in OrgUnit.objects.filter(code__startswith="DV-C"):
        assert changes_of(unit).filter(action="create").exists()


def test_web_edit_is_logged_with_the_request_id(client_for, hatinh_officer):
    unit = make_unit()
    client = client_for(hatinh_officer)
    response = client.post(
        f"/org-units/{unit.pk}/edit/",
        {"code": unit.code, "name": "Tên mới", "kind": unit.kind, "province": unit.province_id, "is_active": "on"},
    )
    assert response.status_code == 302
    entry = changes_of(unit).last()
    assert entry.user_id == hatinh_officer.pk
    assert entry.request_id and len(entry.request_id) >= 8


def test_export_is_logged(client_for, hatinh_officer):
    client_for(hatinh_officer).get("/org-units/export/", {"q": "ha tinh"})
    log = AccessLog.objects.get()
    assert log.kind == "export" and log.user_id == hatinh_officer.pk
    assert log.parameters == {"q": "ha tinh"}
    assert log.row_count and log.row_count > 0


def test_history_page_for_admin_only(client_for, admin_user, hatinh_officer):
    unit = make_unit()
    url = f"/audit/history/organisation/orgunit/{unit.pk}/"
    response = client_for(admin_user).get(url)
    assert response.status_code == 200
    assert "Đơn vị thử" in response.content.decode()
    assert client_for(hatinh_officer).get(url).status_code == 403


def test_admin_site_history_shows_change_log(client_for, admin_user):
    unit = make_unit()
    response = client_for(admin_user).get(f"/admin/organisation/orgunit/{unit.pk}/history/")
    assert response.status_code == 200
    assert "Đơn vị thử" in response.content.decode()


def test_bulk_update_logs_each_row_once(hatinh_officer):
    units = [make_unit(f"DV-U{i}", f"Đơn vị U{i}") for i in range(3)]
    for unit in units:
        unit.phone = "0239000000"
    with acting_as(hatinh_officer, "req-bulkupd-01"):
        OrgUnit.objects.bulk_update(units, ["phone"])
    for unit in units:
        entries = changes_of(unit).filter(request_id="req-bulkupd-01")
        assert entries.count() == 1
        assert entries.get().postchange_data["phone"] == "0239000000"
