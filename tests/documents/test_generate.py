"""Generating the six-month / year report as a job: the files are logged with their sizes and
digests, the Word and Excel figures equal the finance rollup's, an empty period is refused with
nothing written, the choices offered stay within the user's reach, and downloads are logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import openpyxl
import pytest
from docx import Document

from khuyencong.audit.models import AccessLog
from khuyencong.documents import actions
from khuyencong.documents.models import GeneratedDocument
from khuyencong.finance import actions as finance_actions
from khuyencong.finance import rollups
from khuyencong.finance.models import EntryKind
from khuyencong.jobs.models import Job
from khuyencong.jobs.services import execute
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.money import format_vnd
from tests.finance.factories import contracted_project

pytestmark = pytest.mark.django_db

NATIONAL_2026 = {
    "scope": "national", "year": "2026", "period": "year", "number": "12/BC-KC", "signer_name": "Lê Văn Cường",
}  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def paid_project(territory, agency_officer):
    project = contracted_project()
    entry = finance_actions.request_payment(
        user=agency_officer, project=project, kind=EntryKind.ADVANCE, amount=100_000_000, entry_date=dt.date(2026, 4, 2)
    )
    finance_actions.approve_payment(user=agency_officer, entry=entry)
    return project


def _generate(user, data, django_capture_on_commit_callbacks) -> GeneratedDocument:
    with django_capture_on_commit_callbacks(execute=False):
        job = actions.request_document(user=user, kind_key="periodic_report", data=data)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return GeneratedDocument.objects.get(job=job)


def _bytes(document: GeneratedDocument, fmt: str) -> bytes:
    with document.file_of(fmt).open("rb") as handle:
        return handle.read()


def _word(document: GeneratedDocument):
    return Document(io.BytesIO(_bytes(document, "docx")))


def _all_text(word) -> str:
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_the_national_report_is_generated_and_logged(paid_project, agency_officer, django_capture_on_commit_callbacks):
    document = _generate(agency_officer, NATIONAL_2026, django_capture_on_commit_callbacks)
    assert document.kind == "periodic_report" and document.created_by == agency_officer
    assert document.province is None and document.number == "12/BC-KC"
    assert document.title == "Báo cáo kết quả thực hiện hoạt động khuyến công năm 2026"
    for fmt in ("docx", "pdf", "xlsx"):
        content = _bytes(document, fmt)
        assert getattr(document, f"{fmt}_size") == len(content) > 0
        assert getattr(document, f"{fmt}_sha256") == hashlib.sha256(content).hexdigest()
    text = _all_text(_word(document))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/BC-KC", "Hà Nội, ngày", "BÁO CÁO",
                     "I. KẾ HOẠCH, GIAO DỰ TOÁN VÀ GIẢI NGÂN KINH PHÍ", "II. TÌNH HÌNH THỰC HIỆN CÁC ĐỀ ÁN",
                     "III. KẾT QUẢ ĐẦU RA", "IV. CÔNG TÁC KIỂM TRA, GIÁM SÁT",
                     "V. TÌNH HÌNH THỰC HIỆN CHẾ ĐỘ BÁO CÁO", "VI. ĐỀ XUẤT, KIẾN NGHỊ", "Nơi nhận:",
                     "Lê Văn Cường", "Hà Tĩnh"):  # fmt: skip
        assert expected in text, expected


def test_word_and_excel_totals_equal_the_rollup(paid_project, agency_officer, django_capture_on_commit_callbacks):
    document = _generate(agency_officer, NATIONAL_2026, django_capture_on_commit_callbacks)
    total = rollups.rollup(agency_officer, year=2026, group_by=["unit"]).total
    money = _word(document).tables[1]  # after the header table
    assert money.rows[0].cells[2].text == "Kế hoạch"
    word_total = [cell.text for cell in money.rows[-1].cells]
    assert word_total[1] == "Tổng cộng"
    assert word_total[2:6] == [format_vnd(v, unit="") for v in (total.plan, total.allocated, total.contracted,
                                                                 total.disbursed)]  # fmt: skip
    assert total.disbursed == 100_000_000
    book = openpyxl.load_workbook(io.BytesIO(_bytes(document, "xlsx")))
    sheet = book["Kinh phí"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][1] == "Tổng cộng"
    assert list(rows[-1][2:6]) == [total.plan, total.allocated, total.contracted, total.disbursed]
    header = rows.index(tuple(cell for cell in rows[3]))
    assert sum(row[5] for row in rows[header + 1 : -1]) == rows[-1][5]


def test_an_empty_period_is_refused_and_nothing_is_written(paid_project, agency_officer, media, client_for):
    before = (Job.objects.count(), GeneratedDocument.objects.count())
    with pytest.raises(ActionRefused) as refused:
        actions.request_document(user=agency_officer, kind_key="periodic_report",
                                 data={"scope": "national", "year": "2023", "period": "h1"})  # fmt: skip
    assert refused.value.code == "empty_period" and "2023" in refused.value.message
    page = client_for(agency_officer).post("/documents/new/periodic_report/",
                                           {"scope": "national", "year": "2023", "period": "year"})  # fmt: skip
    assert page.status_code == 422 and "Không có gì để báo cáo" in page.content.decode()
    assert (Job.objects.count(), GeneratedDocument.objects.count()) == before
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_department_reports_on_its_own_province_only(paid_project, hatinh_officer, nghean_officer,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    with pytest.raises(Invalid) as invalid:
        actions.request_document(user=hatinh_officer, kind_key="periodic_report",
                                 data={"scope": "national", "year": "2026", "period": "year"})  # fmt: skip
    assert "scope" in invalid.value.errors
    with pytest.raises(Invalid):
        actions.request_document(user=hatinh_officer, kind_key="periodic_report",
                                 data={"scope": "province:40", "year": "2026", "period": "year"})  # fmt: skip
    document = _generate(hatinh_officer, {"scope": "province:42", "year": "2026", "period": "h1"},
                         django_capture_on_commit_callbacks)  # fmt: skip
    assert document.province.code == "42"
    text = _all_text(_word(document))
    assert "UBND TỈNH HÀ TĨNH" in text and "Hà Tĩnh, ngày" in text and "trên địa bàn Hà Tĩnh" in text
    # Nghệ An has nothing to report
    with pytest.raises(ActionRefused) as refused:
        actions.request_document(user=nghean_officer, kind_key="periodic_report",
                                 data={"scope": "province:40", "year": "2026", "period": "year"})  # fmt: skip
    assert refused.value.code == "empty_period"


def test_who_may_generate(paid_project, people, client_for, django_user_model):
    from khuyencong.organisation.models import Role
    from khuyencong.organisation.services import assign_role

    viewer = django_user_model.objects.create_user("docs-viewer", password="x")
    assign_role(user=viewer, role=Role.VIEWER, org_unit=None)
    with pytest.raises(ActionRefused) as refused:
        actions.request_document(user=viewer, kind_key="periodic_report", data=NATIONAL_2026)
    assert refused.value.status == 403
    assert client_for(viewer).get("/documents/new/periodic_report/").status_code == 403
    assert client_for(viewer).get("/documents/").status_code == 200
    assert client_for(people["outsider"]).get("/documents/").status_code == 403
    with pytest.raises(ActionRefused) as unknown:
        actions.request_document(user=people["admin"], kind_key="no_such_kind", data={})
    assert unknown.value.status == 422


def test_the_pages_generate_follow_and_download(paid_project, agency_officer, nghean_officer, client_for,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    pages = client_for(agency_officer)
    form = pages.get("/documents/new/periodic_report/")
    assert form.status_code == 200
    html = form.content.decode()
    assert '<select name="scope"' in html and '<select name="year"' in html and '<select name="period"' in html
    with django_capture_on_commit_callbacks(execute=False):
        response = pages.post("/documents/new/periodic_report/", {**NATIONAL_2026, "csrfmiddlewaretoken": "x"})
    assert response.status_code == 302
    job = Job.objects.get(kind=actions.JOB_KIND)
    assert response["Location"] == f"/documents/jobs/{job.pk}/"
    assert set(job.params["data"]) == set(NATIONAL_2026)  # the form's fields only, no CSRF token
    waiting = pages.get(response["Location"]).content.decode()
    assert "hx-get" in waiting and "document-ready" not in waiting
    execute(str(job.pk))
    done = pages.get(f"/documents/jobs/{job.pk}/progress/").content.decode()
    document = GeneratedDocument.objects.get(job=job)
    assert 'id="document-ready"' in done and f"/documents/{document.pk}/docx/" in done
    centre = pages.get("/documents/").content.decode()
    assert document.title in centre and f"/documents/{document.pk}/pdf/" in centre
    download = pages.get(f"/documents/{document.pk}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    log = AccessLog.objects.get(kind="download", target__startswith=f"document:{document.pk}:pdf:")
    assert log.user == agency_officer and log.parameters["sha256"] == document.pdf_sha256
    # a national document is out of a province officer's reach: nothing to see, nothing logged
    other = client_for(nghean_officer)
    assert other.get(f"/documents/{document.pk}/").status_code == 404
    assert other.get(f"/documents/{document.pk}/pdf/").status_code == 404
    assert document.title not in other.get("/documents/").content.decode()
    assert other.get(f"/documents/jobs/{job.pk}/").status_code == 404
    assert AccessLog.objects.filter(kind="download").count() == 1


def test_the_api_starts_a_job_and_serves_the_files(paid_project, agency_officer, hatinh_officer, client,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    from khuyencong.accounts.tokens import issue_token

    _token, secret = issue_token(user=agency_officer, name="docs")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post("/api/v1/documents", {"kind": "periodic_report", "params": NATIONAL_2026},
                              content_type="application/json", **headers)  # fmt: skip
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["status"] == "queued" and body["document_id"] is None
    execute(body["job_id"])
    followed = client.get(body["url"], **headers).json()
    assert followed["status"] == "succeeded" and followed["document_id"]
    listed = client.get("/api/v1/documents", **headers).json()["items"]
    assert [item["id"] for item in listed] == [followed["document_id"]]
    files = {f["format"]: f for f in listed[0]["files"]}
    assert set(files) == {"docx", "pdf", "xlsx"}
    docx = client.get(files["docx"]["url"], **headers)
    content = b"".join(docx.streaming_content)
    assert docx.status_code == 200 and hashlib.sha256(content).hexdigest() == files["docx"]["sha256"]
    assert AccessLog.objects.filter(kind="download", parameters__channel="api").count() == 1
    empty = client.post("/api/v1/documents", {"kind": "periodic_report", "params": {**NATIONAL_2026, "year": "2023"}},
                        content_type="application/json", **headers)  # fmt: skip
    assert empty.status_code == 422 and empty.json()["code"] == "empty_period"
    bad = client.post("/api/v1/documents", {"kind": "periodic_report", "params": {"scope": "national"}},
                      content_type="application/json", **headers)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    unknown = client.post("/api/v1/documents", {"kind": "nope", "params": {}}, content_type="application/json",
                          **headers)  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_kind"
    _token, province_secret = issue_token(user=hatinh_officer, name="docs")
    province = {"HTTP_AUTHORIZATION": f"Bearer {province_secret}"}
    assert client.get(f"/api/v1/documents/{followed['document_id']}", **province).status_code == 404
    assert client.get(f"/api/v1/documents/{followed['document_id']}/pdf", **province).status_code == 404
    assert client.get(body["url"], **province).status_code == 404
