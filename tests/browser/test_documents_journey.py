"""The issue's journey in the browser: an Agency officer opens the national dashboard for 2022,
sees the map and the year's figures, follows the overdue card to the late projects, then opens
the document centre ("Văn bản, báo cáo") from the menu, generates the six-month report of 2022 and
downloads it as DOCX and PDF; the downloads say what the records say. On a desktop and a phone.

The server is the journeys' own (demo accounts, a fresh database) plus a 2022 national plan with
an allocation, a project of Hà Tĩnh late with its settlement dossier and a closed one of Nghệ
An, written by ``seed`` through the test factories."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.browser
LATE = "DA-BC-2022-01"
DONE = "DA-BC-2022-02"


def seed() -> None:
    """Once: the 2022 national plan with 900 M allocated to Hà Tĩnh's centre, a Hà Tĩnh project
    accepted on 1/3/2022 whose settlement dossier never came (late), and a closed Nghệ An one."""
    from khuyencong.organisation.models import OrgUnit
    from khuyencong.projects.models import Project, ProjectState
    from khuyencong.territory.models import Province
    from tests.finance.factories import allocate_directly, plan_of
    from tests.projects.factories import make_project

    if Project.objects.filter(code=LATE).exists():
        return
    plan = plan_of(2022, total=2_080_000_000)
    allocate_directly(plan, OrgUnit.objects.get(code="TTKC-42"), 900_000_000)
    make_project("42", year=2022, state=ProjectState.ACCEPTED, approved_on=dt.date(2022, 1, 20),
                 accepted_on=dt.date(2022, 3, 1), code=LATE, legacy_province=Province.objects.legacy().get(code="42"),
                 name="Hỗ trợ máy chế biến nước mắm cho cơ sở Cẩm Xuyên")  # fmt: skip
    make_project("40", year=2022, state=ProjectState.CLOSED, approved_on=dt.date(2022, 2, 10), code=DONE,
                 legacy_province=Province.objects.legacy().get(code="40"),
                 name="Mô hình trình diễn dệt thổ cẩm Con Cuông")  # fmt: skip


@pytest.fixture(scope="module")
def seeded(live_url):
    from tests.browser import conftest

    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from tests.browser.test_documents_journey import seed; seed()"],
        env={**os.environ, **conftest.SERVER_ENV}, check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    return live_url


def _shot(page, name: str, width: int) -> None:
    folder = os.environ.get("KC_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)


def _open_menu(page, width: int) -> None:
    if width < 768:
        page.click(".navbar-toggler")


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
def test_agency_officer_drills_into_late_projects_and_downloads_the_six_month_report(browser, seeded, width,
                                                                                       tmp_path):  # fmt: skip
    live_url = seeded
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    log_in(page, live_url, "cuc.chuyenvien")

    # The national dashboard of 2022: the map and the year's figures.
    _open_menu(page, width)
    page.locator("#main-nav").get_by_role("link", name="Bảng điều khiển").click()
    expect(page).to_have_url(re.compile(r"/dashboards/$"))
    page.wait_for_selector("#province-map[data-ready='1']")  # the page's scripts are running
    page.select_option("#year-select", "2022")
    expect(page).to_have_url(re.compile(r"year=2022"))
    page.wait_for_selector("#province-map[data-ready='1']")
    expect(page.locator("#kpi-overdue")).to_contain_text("1")
    expect(page.locator("main")).to_contain_text("900.000.000")
    _shot(page, "dashboard-2022", width)

    # The overdue card opens the late projects.
    page.click("#kpi-overdue")
    expect(page).to_have_url(re.compile(r"/deadlines/\?overdue=1&year=2022"))
    expect(page.locator("main")).to_contain_text(LATE)
    expect(page.locator("main")).not_to_contain_text(DONE)

    # The document centre from the menu; generate the six-month report of 2022.
    _open_menu(page, width)
    page.locator("#main-nav .dropdown-toggle", has_text="Báo cáo").click()
    page.locator("#main-nav").get_by_role("link", name="Văn bản, báo cáo").click()
    expect(page).to_have_url(re.compile(r"/documents/$"))
    page.click("#generate-periodic_report")
    page.select_option("#id_scope", "national")
    page.select_option("#id_year", "2022")
    page.select_option("#id_period", "h1")
    page.fill("#id_number", "215/BC-CTĐP")
    page.fill("#id_date", "2022-07-15")
    _shot(page, "generate", width)
    page.click("#generate-submit")
    expect(page).to_have_url(re.compile(r"/documents/jobs/"))
    expect(page.locator("#document-ready")).to_be_visible(timeout=90000)
    _shot(page, "job-done", width)

    with page.expect_download() as docx_download:
        page.click("#download-docx")
    path = tmp_path / "report.docx"
    docx_download.value.save_as(path)
    word = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join([p.text for p in word.paragraphs]
                     + [c.text for t in word.tables for r in t.rows for c in r.cells])  # fmt: skip
    for expected in ("Độc lập - Tự do - Hạnh phúc", "Số: 215/BC-CTĐP", "Hà Nội, ngày 15 tháng 7 năm 2022",
                     "6 tháng đầu năm 2022", LATE, "Hà Tĩnh", "900.000.000", "Nơi nhận:"):  # fmt: skip
        assert expected in text, expected

    with page.expect_download() as pdf_download:
        page.click("#download-pdf")
    pdf = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert "Độc lập - Tự do - Hạnh phúc" in pdf_text and "Hà Tĩnh" in pdf_text
        # a narrow column may break the code at a hyphen, which pdftotext then drops
        assert LATE.replace("-", "") in "".join(pdf_text.split()).replace("-", "")

    # The centre lists it, newest first, with its three files.
    page.goto(f"{live_url}/documents/")
    first = page.locator("#documents tbody tr").first
    expect(first).to_contain_text("6 tháng đầu năm 2022")
    expect(first.locator("[data-format]")).to_have_count(3)
    _shot(page, "centre", width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
