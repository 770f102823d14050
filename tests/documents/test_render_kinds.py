"""The reminder letter and the programme summary rendered: the DOCX, PDF and Excel files say the
same totals as the document built from the records; both kinds are registered."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from docx import Document

from khuyencong.documents import layout, registry
from khuyencong.documents.kinds import programme_summary, reminder_letter
from khuyencong.documents.model import OfficialDocument, Table
from khuyencong.documents.services import generate_files
from tests.documents.test_programme_summary import PERIOD, money  # noqa: F401 (a fixture)
from tests.documents.test_reminder_letter import PARAMS, late  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
POPPLER = shutil.which("pdftotext") is not None


def _sheet_total(content: bytes, table: Table) -> tuple[list, list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = tuple(table.columns)
        if header in rows:
            start = rows.index(header) + 1
            body = rows[start : start + len(table.rows)]
            return [list(row) for row in body], list(rows[start + len(table.rows)])
    raise AssertionError(f"no sheet holds {table.title}")


def _word_total(content: bytes, table: Table) -> list[str]:
    document = Document(io.BytesIO(content))
    for grid in document.tables:
        header = [cell.text for cell in grid.rows[0].cells]
        if header == table.columns:
            return [cell.text for cell in grid.rows[-1].cells]
    raise AssertionError(f"no Word table holds {table.title}")


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _check_totals(document: OfficialDocument, table: Table, tmp_path) -> None:
    files = generate_files(document)
    body, total = _sheet_total(files["xlsx"], table)
    assert table.total is not None
    amounts = [i for i in sorted(table.numeric) if isinstance(table.total[i], int)]
    for index in amounts:
        assert total[index] == table.total[index], table.columns[index]
        assert sum(row[index] or 0 for row in body) == total[index]
    word = _word_total(files["docx"], table)
    assert [word[i] for i in amounts] == [layout.cell_text(table.total[i]) for i in amounts]
    if POPPLER:
        text = _pdf_text(files["pdf"], tmp_path)
        for index in amounts:
            assert layout.cell_text(table.total[index]) in text, table.columns[index]
        assert "Tổng cộng" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_the_summary_says_the_same_in_the_three_files(money, agency_officer, tmp_path):  # noqa: F811
    document = programme_summary.build(agency_officer, {**PERIOD, "scope": "national"})
    provinces = document.tables()[0]
    assert provinces.total[provinces.columns.index("Đã giải ngân")] == 405_000_000
    _check_totals(document, provinces, tmp_path)
    _check_totals(document, document.tables()[1], tmp_path)


def test_the_letter_says_the_same_in_the_three_files(late, agency_officer, tmp_path):  # noqa: F811
    document = reminder_letter.build(agency_officer, {**PARAMS, "scope": "national"})
    _check_totals(document, document.tables()[0], tmp_path)
    if POPPLER:
        text = _pdf_text(generate_files(document)["pdf"], tmp_path)
        assert "V/v đôn đốc gửi báo cáo định kỳ" in text and "Kính gửi" in text
        assert "Sở Công Thương tỉnh Hà Tĩnh" in text


def test_both_kinds_are_registered_for_those_who_generate(agency_officer, hatinh_officer, implementer):
    for key in ("reminder_letter", "programme_summary"):
        kind = registry.get(key)
        assert kind is not None and kind.build is not None
        assert registry.may_generate(agency_officer, kind) and registry.may_generate(hatinh_officer, kind)
        assert not registry.may_generate(implementer, kind)


def test_the_forms_resolve_the_scope_within_reach(agency_officer, hatinh_officer):
    form = programme_summary.ProgrammeSummaryForm(
        {"scope": "national", "from_year": "2026", "to_year": "2030"}, user=agency_officer
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scope"].kind == "national"
    denied = programme_summary.ProgrammeSummaryForm(
        {"scope": "national", "from_year": "2026", "to_year": "2030"}, user=hatinh_officer
    )
    assert not denied.is_valid() and "scope" in denied.errors
    letter = reminder_letter.ReminderLetterForm({"scope": "province:42", "as_of": "01/03/2027"}, user=hatinh_officer)
    assert letter.is_valid(), letter.errors
    assert letter.cleaned_data["as_of"] == dt.date(2027, 3, 1)
    assert [key for key, _label in letter.fields["scope"].choices] == ["province:42"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _generate(user, kind_key, data, capture):
    from khuyencong.documents import actions
    from khuyencong.documents.models import GeneratedDocument
    from khuyencong.jobs.models import Job
    from khuyencong.jobs.services import execute

    with capture(execute=False):
        job = actions.request_document(user=user, kind_key=kind_key, data=data)
    execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return GeneratedDocument.objects.get(job=job)


def test_both_kinds_through_the_generation_job(
    money,  # noqa: F811
    late,  # noqa: F811
    media,
    agency_officer,
    hatinh_officer,
    django_capture_on_commit_callbacks,
):
    """The form's data as posted (strings): the job rebuilds the document and logs its files."""
    summary = _generate(agency_officer, "programme_summary",
                        {"scope": "national", "from_year": "2026", "to_year": "2030", "number": "15/BC-ĐMST"},
                        django_capture_on_commit_callbacks)  # fmt: skip
    assert summary.kind == "programme_summary" and summary.number == "15/BC-ĐMST" and summary.province is None
    assert summary.pdf_size > 0 and summary.docx_size > 0 and summary.xlsx_size > 0
    letter = _generate(hatinh_officer, "reminder_letter",
                       {"scope": "province:42", "as_of": "2027-03-01", "year": "2026", "include": "reports"},
                       django_capture_on_commit_callbacks)  # fmt: skip
    assert letter.kind == "reminder_letter" and letter.province.code == "42"
    assert letter.title.startswith("đôn đốc gửi báo cáo định kỳ")
