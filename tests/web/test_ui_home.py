"""The home page answers "what do I do now?" for the signed-in person, within their reach."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from khuyencong.jobs.models import Job
from khuyencong.registry.models import DuplicateCandidate
from khuyencong.web.imports import DRY_RUN
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db


def _figure(body: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', body)
    return match.group(1) if match else ""


def test_empty_registry_invites_the_officer_to_import(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/").content.decode()
    assert 'id="registry-empty"' in body and "tải tệp mẫu" in body
    assert reverse("registry_import:upload") in body
    assert reverse("registry_import:template") in body
    assert _figure(body, "figure-establishments") == "0"


def test_figures_and_next_steps_stay_in_the_officers_province(client_for, hatinh_officer):
    first = make_establishment("42", name="Cơ sở nón lá Ba Đồng", workers_total=12, annual_revenue=5, owner_name="Lan")
    second = make_establishment("42", name="CƠ SỞ NÓN LÁ BA ĐỒNG", commune=first.commune)  # missing data
    make_establishment("40", name="Cơ sở nước mắm Vạn Phần")  # Nghệ An: not theirs
    other = make_establishment("40", name="Cơ sở mộc Nghi Phong")
    DuplicateCandidate.objects.get_or_create(
        first=first, second=second, defaults={"reason": "same_name_commune", "province": first.province}
    )
    DuplicateCandidate.objects.get_or_create(
        first=other,
        second=make_establishment("40", name="Cơ sở mộc Nghi Phong 2", commune=other.commune),
        defaults={"reason": "similar_name", "province": other.province},
    )
    job = Job.objects.create(
        kind=DRY_RUN, title="Nhập từ danh-sach.xlsx", owner=hatinh_officer, status=Job.Status.SUCCEEDED
    )
    body = client_for(hatinh_officer).get("/").content.decode()
    assert _figure(body, "figure-establishments") == "2"
    assert _figure(body, "figure-duplicates") == "1"
    assert _figure(body, "figure-missing") == "1"
    assert 'id="registry-empty"' not in body
    assert "Có 1 cặp hồ sơ nghi trùng" in body
    assert reverse("registry_import:status", args=[job.pk]) in body and "Hoàn tất việc nhập" in body


def test_committed_import_is_not_offered_again(client_for, hatinh_officer):
    Job.objects.create(
        kind=DRY_RUN,
        title="Nhập từ cu.xlsx",
        owner=hatinh_officer,
        status=Job.Status.SUCCEEDED,
        result={"commit_job": "x"},
    )
    assert "Hoàn tất việc nhập" not in client_for(hatinh_officer).get("/").content.decode()


def test_roles_without_the_registry_get_a_plain_home(client_for, outsider):
    response = client_for(outsider).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="key-figures"' not in body and 'id="my-roles"' in body
