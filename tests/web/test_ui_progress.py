"""Progress bars fill under the strict Content-Security-Policy: width comes from a class, not a style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from khuyencong.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("progress", "width"), [(0, 0), (42, 42), (100, 100), (250, 100)])
def test_bar_width_is_a_class_from_a_static_stylesheet(client_for, hatinh_officer, progress, width):
    job = Job.objects.create(kind="tests.none", title="Xuất Excel", owner=hatinh_officer, progress=progress)
    response = client_for(hatinh_officer).get(reverse("jobs:job_detail", args=[job.pk]))
    body = response.content.decode()
    assert "style=" not in body  # the policy would block it and the bar would stay empty
    assert f"kc-w-{width}" in body
    assert f'aria-valuenow="{width}"' in body
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    stylesheet = Path(finders.find("kc/progress.css")).read_text(encoding="utf-8")
    assert re.search(rf"\.kc-w-{width}\{{width:{width}%\}}", stylesheet)
    assert "kc/progress.css" in body


def test_every_step_has_a_width_class():
    stylesheet = Path(finders.find("kc/progress.css")).read_text(encoding="utf-8")
    assert re.findall(r"\.kc-w-(\d+)\{width:(\d+)%\}", stylesheet) == [(str(n), str(n)) for n in range(101)]
