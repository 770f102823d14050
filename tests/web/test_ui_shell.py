"""The shell around every page: landmarks, brand, one active menu entry, menus that only lead
where the role may go, list tables that look like tables, and a change log an inspector can read."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.context import acting_as
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.registry.models import Gender
from tests.registry.factories import make_establishment, make_village

pytestmark = pytest.mark.django_db


def _nav(body: str) -> str:
    return body.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]


def _active(body: str) -> list[str]:
    """The addresses marked as the current page in the bar (a link or a drop-down entry)."""
    return re.findall(r'<a class="(?:nav-link|dropdown-item active)" href="([^"]+)" aria-current="page"', _nav(body))


def test_skip_link_main_landmark_brand_and_favicon(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/").content.decode()
    assert re.search(r'<a class="kc-skip-link" href="#main">Bỏ qua, đến nội dung chính</a>', body)
    assert body.count("<main") == 1 and 'id="main"' in body
    assert 'rel="icon" href="/static/kc/favicon.svg"' in body
    assert 'src="/static/kc/logo.svg"' in body
    assert finders.find("kc/favicon.svg") and finders.find("kc/logo.svg")


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/kc/favicon.svg"


def test_login_page_says_what_the_system_is(client):
    body = client.get(reverse("login")).content.decode()
    assert "<h1" in body
    assert "Bộ Công Thương" in body


def test_craft_village_pages_highlight_one_menu_entry(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get(reverse("registry:craftvillage_list")).content.decode()
    active = _active(body)
    assert active == [reverse("registry:craftvillage_list")]
    body = client_for(hatinh_officer).get(reverse("registry:establishment_list")).content.decode()
    active = _active(body)
    assert active == [reverse("registry:establishment_list")]


def test_api_docs_are_a_developer_link_not_a_menu_entry(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/").content.decode()
    assert reverse("api:openapi-view") not in _nav(body)
    assert re.search(r'id="developer-link"[^>]*>API cho lập trình viên<', body) or "API cho lập trình viên" in body
    assert "Tác vụ nền" not in body
    assert "Tiến trình xuất/nhập" in _nav(body)


ROLES = [
    (Role.SYSTEM_ADMIN, None),
    (Role.AGENCY_OFFICER, "CUC-DMST"),
    (Role.AGENCY_LEADER, "CUC-DMST"),
    (Role.PROVINCIAL_OFFICER, "SCT-42"),
    (Role.PROVINCIAL_FINANCE, "STC-42"),
    (Role.IMPLEMENTER, "TTKC-42"),
    (Role.INSPECTOR, "CUC-DMST"),
    (Role.VIEWER, None),
    (Role.ESTABLISHMENT, "establishment"),
]


@pytest.mark.parametrize(("role", "unit_code"), ROLES)
def test_every_menu_entry_opens_for_the_role(django_user_model, role, unit_code):
    if unit_code == "establishment":
        unit = OrgUnit.objects.create(
            code="CS-T1",
            name="Cơ sở mây tre đan thử",
            kind=OrgUnit.Kind.ESTABLISHMENT,
            province=OrgUnit.objects.get(code="SCT-42").province,
        )
    else:
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
    user = django_user_model.objects.create_user(username=f"u-{role}", password="x", full_name="Người thử")
    assign_role(user=user, role=role, org_unit=unit)
    client = Client()
    client.force_login(user)
    links = re.findall(r'href="([^"]+)"', _nav(client.get("/").content.decode()))
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_inspector_reaches_the_change_log_from_the_menu(django_user_model):
    inspector = django_user_model.objects.create_user(username="thanhtra", password="x", full_name="Đỗ Văn Minh")
    assign_role(user=inspector, role=Role.INSPECTOR, org_unit=OrgUnit.objects.get(code="CUC-DMST"))
    client = Client()
    client.force_login(inspector)
    assert reverse("audit:objectchange_list") in _nav(client.get("/").content.decode())


def test_list_table_is_a_table_with_link_looking_names(client_for, hatinh_officer):
    establishment = make_establishment(name="Cơ sở chế biến hải sản Thạch Khê")
    body = client_for(hatinh_officer).get(reverse("registry:establishment_list")).content.decode()
    assert "table-sort" not in body  # Tabler's sort-button class made the table a block
    assert "⇕" not in body
    link = reverse("registry:establishment_detail", args=[establishment.pk])
    assert f'<a class="kc-row-link" href="{link}">Cơ sở chế biến hải sản Thạch Khê</a>' in body
    assert 'aria-sort="ascending"' not in body  # no sort chosen, default order
    sorted_body = client_for(hatinh_officer).get(reverse("registry:establishment_list"), {"sort": "name"})
    assert 'aria-sort="ascending"' in sorted_body.content.decode()


def test_empty_list_invites_to_add_and_filtered_list_offers_to_clear(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    body = client.get(reverse("registry:craftvillage_list")).content.decode()
    assert 'id="empty-state"' in body
    assert "Thêm bản ghi đầu tiên" in body
    make_village(name="Làng nghề nón lá Thạch Hà")
    body = client.get(reverse("registry:craftvillage_list"), {"q": "khong co lang nao"}).content.decode()
    assert "Không có bản ghi nào phù hợp" in body and "Bỏ lọc" in body
    assert 'id="empty-state"' not in body


def test_change_log_reads_like_a_record_not_a_database_row(django_user_model, admin_user):
    officer = django_user_model.objects.create_user(username="hatinh.cv", password="x", full_name="Phạm Thị Dung")
    with acting_as(officer):
        establishment = make_establishment(name="Cơ sở mây tre đan Thạch Hà")
        establishment.owner_gender = Gender.FEMALE
        establishment.annual_revenue = 2_080_000_000
        establishment.save()
    change = ObjectChange.objects.get(
        content_type__model="establishment", object_id=str(establishment.pk), action=ObjectChange.Action.UPDATE
    )
    client = Client()
    client.force_login(admin_user)
    body = client.get(reverse("audit:objectchange_detail", args=[change.pk])).content.decode()
    assert "Giới tính chủ cơ sở" in body and "Nữ" in body
    assert "owner_gender" not in body and "annual_revenue" not in body and ">female<" not in body
    assert "2.080.000.000" in body
    assert "Phạm Thị Dung" in body
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", body)
    assert "Registry |" not in body
    created = ObjectChange.objects.get(
        content_type__model="establishment", object_id=str(establishment.pk), action=ObjectChange.Action.CREATE
    )
    body = client.get(reverse("audit:objectchange_detail", args=[created.pk])).content.decode()
    assert "commune_id" not in body and "Xã/phường/đặc khu" in body
    assert establishment.commune.name in body
    history = client.get(
        reverse("audit:object_history", args=["registry", "establishment", establishment.pk])
    ).content.decode()
    assert "Phạm Thị Dung" in history and "Registry |" not in history
    listing = client.get(reverse("audit:objectchange_list")).content.decode()
    assert "Phạm Thị Dung" in listing and "Registry |" not in listing


def test_filters_fold_away_on_phones_unless_one_is_in_use(client_for, agency_officer):
    client = client_for(agency_officer)
    body = client.get(reverse("registry:establishment_list")).content.decode()
    assert 'class="col-12 collapse d-md-block" id="filter-fields"' in body  # closed on phones, shown from md up
    assert 'id="filter-toggle"' in body and "Bộ lọc" in body
    body = client.get(reverse("registry:establishment_list"), {"status": "active"}).content.decode()
    assert 'class="col-12 collapse d-md-block show" id="filter-fields"' in body


def test_admin_speaks_for_the_system_not_for_django(client_for, admin_user):
    body = client_for(admin_user).get("/admin/").content.decode()
    assert "Quản trị hệ thống khuyến công" in body
    assert "Django" not in body.split("<body", 1)[1].split("</header>", 1)[0]


def test_menu_groups_entries_under_drop_downs_and_marks_the_group_of_the_page(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get(reverse("registry:craftvillage_list")).content.decode()
    nav = _nav(body)
    toggles = re.findall(
        r'<li class="nav-item dropdown( active)?">\s*<a class="nav-link dropdown-toggle"[^>]*>([^<]+)</a>', nav
    )
    labels = [label for _active_class, label in toggles]
    assert "Cơ sở, làng nghề" in labels and "Quản trị" in labels
    assert [label for active, label in toggles if active] == ["Cơ sở, làng nghề"]
    # Every entry is still one click from its drop-down, in the bar's order.
    assert nav.index(reverse("registry:establishment_list")) < nav.index(reverse("registry:craftvillage_list"))
