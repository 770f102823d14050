"""The plan pages: scoped lists and detail, and every action through its form, with refusals as messages."""

import pytest

from khuyencong.planning.models import AnnualPlan, PlanVersion
from tests.conftest import _user
from tests.planning.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(django_user_model, territory):
    return _user(django_user_model, "lanhdao", "provincial_leader", "UBND-42")


def test_a_local_plan_from_creation_to_adjustment_through_the_pages(client_for, hatinh_officer, leader):
    officer = client_for(hatinh_officer)
    response = officer.post("/plans/new/", {"level": "local", "year": "2020", "province": "", "name": "KH Hà Tĩnh 2020",
                                            "owner": "", "declared_total": "2,08 tỷ"})  # fmt: skip
    assert response.status_code == 200 and "is-invalid" in response.content.decode()  # owner missing
    owner = hatinh_officer.role_assignments.get().org_unit
    from khuyencong.territory.models import Province

    province = Province.objects.current().get(code="42")
    response = officer.post("/plans/new/", {"level": "local", "year": "2020", "province": province.pk,
                                            "name": "KH Hà Tĩnh 2020", "owner": owner.pk,
                                            "declared_total": "2,08 tỷ"})  # fmt: skip
    plan = AnnualPlan.objects.get(name="KH Hà Tĩnh 2020")
    assert response.status_code == 302 and plan.declared_total == 2_080_000_000
    version = plan.versions.get()
    base = f"/plans/{plan.pk}/versions/{version.pk}"
    response = officer.post(f"{base}/lines/new/", {"name": "Đào tạo nghề", "funding_source": "local",
                                                   "amount": "-5"})  # fmt: skip
    assert response.status_code == 200 and "không được âm" in response.content.decode()
    officer.post(f"{base}/lines/new/", {"name": "Đào tạo nghề", "number": "1", "funding_source": "local",
                                        "amount": "2.080.000.000"})  # fmt: skip
    assert version.lines.get().amount == 2_080_000_000
    page = officer.get(f"/plans/{plan.pk}/").content.decode()
    assert "2.080.000.000 đ" in page and 'id="approve"' not in page  # officers prepare, leaders approve
    assert officer.get(f"{base}/approve/").status_code == 403
    boss = client_for(leader)
    home = boss.get("/").content.decode()
    assert 'id="plans-to-approve"' in home and "KH Hà Tĩnh 2020" in home  # the leader's worklist
    assert 'id="plans-to-approve"' not in officer.get("/").content.decode()
    assert 'id="approve"' in boss.get(f"/plans/{plan.pk}/").content.decode()
    response = boss.post(f"{base}/approve/", {"decision_number": "123/QĐ-UBND", "decision_date": "2020-02-01"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved"
    response = boss.post(f"{base}/approve/", {"decision_number": "124/QĐ-UBND", "decision_date": "2020-02-02"})
    assert response.status_code == 200 and "đã được phê duyệt" in response.content.decode()
    response = officer.post(f"/plans/{plan.pk}/change/", {"kind": "adjusted", "reason": "Dịch bệnh"})
    assert response.status_code == 302
    assert plan.versions.filter(status=PlanVersion.Status.DRAFT, sequence=2).exists()
    page = officer.get(response["Location"]).content.decode()
    assert "Điều chỉnh (phiên bản 2)" in page and 'id="add-line"' in page


def test_lists_are_scoped_and_national_plans_are_read_everywhere(client_for, hatinh_officer, nghean_officer):
    local = make_plan("42", name="Kế hoạch riêng Hà Tĩnh")
    national = make_plan(None, name="Kế hoạch quốc gia thử", approved=True)
    page = client_for(nghean_officer).get("/plans/").content.decode()
    assert "Kế hoạch quốc gia thử" in page and "Kế hoạch riêng Hà Tĩnh" not in page
    assert client_for(nghean_officer).get(f"/plans/{local.pk}/").status_code == 404
    reader = client_for(hatinh_officer)
    assert reader.get(f"/plans/{national.pk}/").status_code == 200
    assert reader.get(f"/plans/{national.pk}/change/").status_code == 403
    assert reader.post(f"/plans/{national.pk}/close/").status_code == 403
    assert reader.get("/plans/?level=national&year=2020").content.decode().count("Kế hoạch quốc gia thử") == 1
    assert reader.get("/plans/?year=abc").status_code == 200  # a bad filter is a message, not a 500
    assert reader.get("/plans/local/").status_code == 302


def test_programme_pages(client_for, hatinh_officer):
    from khuyencong.demo.planning import _programmes
    from khuyencong.organisation.demo import load_demo

    load_demo()
    programmes = _programmes()
    client = client_for(hatinh_officer)
    assert "1881/QĐ-TTg" in client.get("/plans/programmes/").content.decode()
    page = client.get(f"/plans/programmes/{programmes['1881/QĐ-TTg'].pk}/").content.decode()
    assert "340" in page and "10.000" in page
