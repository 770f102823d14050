"""Programmes are created and changed on a page, with their target indicators, within reach."""

from __future__ import annotations

import pytest

from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import Programme
from khuyencong.rulebook.models import LegalDocument
from tests.planning.factories import province

pytestmark = pytest.mark.django_db


def _post(level="local", province_pk=None, owner="SCT-42", **extra):
    data = {
        "level": level,
        "name": "Chương trình khuyến công tỉnh Hà Tĩnh giai đoạn 2026–2030",
        "start_year": "2026",
        "end_year": "2030",
        "province": province_pk or "",
        "owner": OrgUnit.objects.get(code=owner).pk,
        "decision": "",
        "summary": "",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-0-name": "Mô hình trình diễn kỹ thuật",
        "targets-0-unit": "mô hình",
        "targets-0-target_value": "12",
        "targets-1-name": "Cơ sở được hỗ trợ máy móc thiết bị",
        "targets-1-unit": "cơ sở",
        "targets-1-target_value": "",
    }
    data.update(extra)
    return data


def test_a_provincial_officer_creates_a_local_programme_with_targets(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    page = client.get("/plans/programmes/new/").content.decode()
    assert 'id="programme-form"' in page and "Chỉ tiêu" in page
    response = client.post("/plans/programmes/new/", _post(province_pk=province("42").pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(name__startswith="Chương trình khuyến công tỉnh Hà Tĩnh")
    assert programme.level == "local" and programme.province.code == "42"
    assert [(t.name, t.target_value) for t in programme.targets.order_by("position")] == [
        ("Mô hình trình diễn kỹ thuật", 12),
        ("Cơ sở được hỗ trợ máy móc thiết bị", None),
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "Mô hình trình diễn kỹ thuật" in detail and f"/plans/programmes/{programme.pk}/edit/" in detail


def test_editing_replaces_targets_and_bad_years_get_a_field_message(client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    client.post("/plans/programmes/new/", _post(province_pk=province("42").pk))
    programme = Programme.objects.get(province__code="42", start_year=2026)
    url = f"/plans/programmes/{programme.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Mô hình trình diễn kỹ thuật" in page and 'name="targets-INITIAL_FORMS" value="2"' in page
    bad = client.post(url, _post(province_pk=province("42").pk, end_year="2020", **{"targets-INITIAL_FORMS": "2"}))
    assert bad.status_code == 200 and 'id="form-errors"' in bad.content.decode()
    programme.refresh_from_db()
    assert programme.end_year == 2030 and programme.targets.count() == 2  # nothing changed
    # As the page renders it: the two saved rows are the formset's initial forms.
    edit = {"targets-INITIAL_FORMS": "2", "targets-1-DELETE": "on"}
    ok = client.post(url, _post(province_pk=province("42").pk, **edit))
    assert ok.status_code == 302
    assert list(Programme.objects.get(pk=programme.pk).targets.values_list("name", flat=True)) == [
        "Mô hình trình diễn kỹ thuật"
    ], list(Programme.objects.values_list("pk", "name"))


def test_national_programmes_are_not_for_a_province_and_readers_cannot_write(
    client_for, hatinh_officer, nghean_officer, implementer
):
    national = Programme.objects.create(
        level="national", name="Chương trình khuyến công quốc gia thử", start_year=2026, end_year=2030,
        owner=OrgUnit.objects.get(code="CUC-DMST"), decision=LegalDocument.objects.get(number="2646/QĐ-BCT"),
    )  # fmt: skip
    # A province reads the national programme but may not change it.
    assert client_for(hatinh_officer).get(f"/plans/programmes/{national.pk}/edit/").status_code == 403
    # A province cannot create a national one: the choice is not offered.
    response = client_for(hatinh_officer).post("/plans/programmes/new/", _post(level="national"))
    assert response.status_code == 200 and not Programme.objects.filter(start_year=2026, level="local").exists()
    # Another province's programme is out of reach: not found.
    client_for(hatinh_officer).post("/plans/programmes/new/", _post(province_pk=province("42").pk))
    local = Programme.objects.get(province__code="42")
    assert client_for(nghean_officer).get(f"/plans/programmes/{local.pk}/edit/").status_code == 404
    assert client_for(nghean_officer).post(f"/plans/programmes/{local.pk}/edit/", _post()).status_code == 404
    # An implementing unit only reads.
    assert client_for(implementer).get("/plans/programmes/new/").status_code == 403
