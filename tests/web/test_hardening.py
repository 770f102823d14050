"""Bad input and privilege-widening attempts found in review: each answers cleanly and changes nothing."""

import base64
import json

import pytest
from django.urls import reverse

from khuyencong.accounts.tokens import issue_token
from khuyencong.jobs.models import Job
from khuyencong.organisation.models import OrgUnit, RoleAssignment
from khuyencong.registry.models import DuplicateCandidate, IndustryLine
from khuyencong.registry.services import queue_duplicates
from khuyencong.territory.models import Region
from tests.registry.factories import commune_of, make_establishment

pytestmark = pytest.mark.django_db


def test_provincial_officer_cannot_widen_reach_through_the_unit_form(client_for, hatinh_officer, nghean_officer):
    own = OrgUnit.objects.get(code="SCT-42")
    centre = OrgUnit.objects.get(code="TTKC-42")
    region = Region.objects.filter(kind="centre").first()
    client = client_for(hatinh_officer)
    for unit, changes in ((own, {"kind": "agency"}), (centre, {"kind": "regional_centre", "region": region.pk})):
        data = {"code": unit.code, "name": unit.name, "kind": unit.kind, "province": unit.province_id,
                "parent": unit.parent_id or "", "is_active": "on", **changes}  # fmt: skip
        client.post(reverse("organisation:orgunit_edit", args=[unit.pk]), data)
        unit.refresh_from_db()
        assert unit.kind in {"doit", "provincial_centre"} and unit.region_id is None
    hai_phong_case = make_establishment("40", name="Cơ sở Nghệ An bí mật")
    assert client.get(reverse("registry:establishment_detail", args=[hai_phong_case.pk])).status_code == 404


def test_provincial_officer_may_only_create_local_kinds(client_for, hatinh_officer):
    data = {"code": "NEW-AG", "name": "Cục giả", "kind": "agency", "province": commune_of("42").province_id,
            "is_active": "on"}  # fmt: skip
    response = client_for(hatinh_officer).post(reverse("organisation:orgunit_add"), data)
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(code="NEW-AG").exists()


def test_duplicate_pair_with_a_record_moved_out_of_reach_disappears(client_for, hatinh_officer):
    first = make_establishment(name="Cơ sở Chiếu cói")
    second = make_establishment(name="Cơ sở chiếu cói")
    queue_duplicates(second)
    second.commune = commune_of("40")
    second.save()
    client = client_for(hatinh_officer)
    assert "Chiếu cói" not in client.get(reverse("registry:duplicate_queue")).content.decode()
    candidate = DuplicateCandidate.objects.get()
    response = client.post(reverse("registry:duplicate_queue"), {"candidate": candidate.pk, "decision": "dismiss"})
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == "open" and first.pk


@pytest.mark.parametrize(
    "params",
    [{"sort": "--name"}, {"page": "99999999999999999999999"}, {"page": "-3"}, {"page": "abc"}, {"sort": "password"}],
)
def test_odd_list_parameters_do_not_break_pages(client_for, agency_officer, params):
    client = client_for(agency_officer)
    for url in ("/establishments/", "/org-units/", "/establishments/craft-villages/"):
        assert client.get(url, params).status_code == 200


def test_huge_ids_are_not_found(client_for, agency_officer, client):
    assert client_for(agency_officer).get("/establishments/99999999999999999999999/").status_code == 404
    _token, secret = issue_token(user=agency_officer, name="t")
    response = client.get(
        "/api/v1/establishments",
        {"craft_village": "99999999999999999999999"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422


def test_nul_characters_are_refused(client_for, agency_officer, client):
    assert client_for(agency_officer).get("/establishments/", {"q": "a\x00b"}).status_code == 400
    _token, secret = issue_token(user=agency_officer, name="t")
    response = client.get("/api/v1/geo/communes", {"q": "\x00"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    ("values", "urls"),
    [
        (["abc", 1], ["/api/v1/establishments"]),  # ordered by id: a text value is forged
        ([{"a": 1}, 1], ["/api/v1/establishments", "/api/v1/org-units", "/api/v1/geo/communes"]),
        ([1, "x"], ["/api/v1/establishments", "/api/v1/org-units", "/api/v1/geo/communes"]),
        ([1, True], ["/api/v1/establishments", "/api/v1/org-units"]),
    ],
)
def test_forged_cursors_are_400(client, agency_officer, values, urls):
    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    _token, secret = issue_token(user=agency_officer, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    for url in urls:
        response = client.get(url, {"cursor": cursor}, headers=headers)
        assert response.status_code == 400, (url, response.content)
        assert response.json()["code"] == "invalid_cursor"


def test_api_update_keeps_or_sets_industry_lines(client, hatinh_officer):
    est = make_establishment()
    lines = list(IndustryLine.objects.order_by("code")[:2])
    est.industry_lines.set(lines)
    client.force_login(hatinh_officer)
    # PATCH without industry_line_codes keeps them; with them, replaces them (PUT requires them).
    payload = {"name": est.name, "legal_form": "household", "commune_code": est.commune.code}
    assert client.patch(f"/api/v1/establishments/{est.pk}", payload, "application/json").status_code == 200
    assert set(est.industry_lines.all()) == set(lines)
    payload["industry_line_codes"] = [lines[0].code]
    body = client.patch(f"/api/v1/establishments/{est.pk}", payload, "application/json").json()
    assert body["industry_line_codes"] == [lines[0].code]
    payload["industry_line_codes"] = ["0000"]
    assert client.patch(f"/api/v1/establishments/{est.pk}", payload, "application/json").status_code == 422


def test_job_files_follow_current_permissions(
    client_for, hatinh_officer, monkeypatch, django_capture_on_commit_callbacks
):
    from khuyencong.jobs.services import execute
    from khuyencong.registry import views

    make_establishment(name="Cơ sở xuất thử")
    monkeypatch.setattr(views.EstablishmentExportView, "job_threshold", 0)
    client = client_for(hatinh_officer)
    with django_capture_on_commit_callbacks(execute=False):
        client.get("/establishments/export/")
    job = Job.objects.get()
    execute(str(job.pk))
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    RoleAssignment.objects.filter(user=hatinh_officer).delete()
    assert client_for(hatinh_officer).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_api_docs_need_a_signed_in_user(client, hatinh_officer):
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(hatinh_officer)
    assert client.get("/api/v1/docs").status_code == 200
