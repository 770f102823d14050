"""The reminder letter: what each addressee is late with comes from the records (reports missing
in the completeness matrix, overdue project steps, contracts not liquidated, follow-ups past due);
the Agency writes to the provinces' Departments, a Department only to its own units; nobody late
is refused; the totals row is the sum of the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from khuyencong.documents.kinds import reminder_letter as letter_kind
from khuyencong.documents.model import OfficialDocument, Table
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.projects.models import ProjectState
from khuyencong.reporting.models import Report, ReportState
from khuyencong.reporting.services import MISSING, completeness
from tests.finance.factories import contracted_project
from tests.inspections.factories import full_mission
from tests.projects.factories import make_project
from tests.reporting.factories import make_form, make_report, unit

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2027, 3, 1)
PARAMS = {"as_of": AS_OF, "year": 2026, "date": dt.date(2027, 3, 2), "deadline": dt.date(2027, 3, 20)}
HA_TINH, NGHE_AN = "Sở Công Thương tỉnh Hà Tĩnh", "Sở Công Thương tỉnh Nghệ An"


@pytest.fixture
def late():
    """Hà Tĩnh: three quarterly reports missing (the first was sent), a draft never submitted, an
    accepted project whose contract is not liquidated; its centre's local reports missing. Nghệ An:
    four reports missing and an inspection follow-up past due."""
    national = make_form(level="national", units=[unit("SCT-42"), unit("SCT-40")], from_year=2026)
    make_report(
        national,
        unit("SCT-42"),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        state=ReportState.SUBMITTED,
        submitted_on=dt.date(2026, 4, 10),
    )
    local = make_form(level="local", units=[unit("TTKC-42")], from_year=2026, period="half_year")
    draft = make_project("42", year=2026, state=ProjectState.DRAFT, name="Đề án dệt chiếu cói chưa nộp")
    accepted = contracted_project(state=ProjectState.ACCEPTED, name="Đề án mây tre đan đã nghiệm thu")
    _mission, _visit, _finding, follow_up = full_mission("40")
    return {"national": national, "local": local, "draft": draft, "accepted": accepted, "follow_up": follow_up}


def table(document: OfficialDocument, prefix: str) -> Table:
    return next(t for t in document.tables() if t.title.startswith(prefix))


def summary_rows(document: OfficialDocument) -> dict[str, list]:
    return {row[1]: row for row in table(document, "Bảng 1").rows}


def cols(document: OfficialDocument) -> list[str]:
    return table(document, "Bảng 1").columns


def text_of(document: OfficialDocument) -> str:
    parts = [document.issuer_parent, document.issuer, document.subject, *document.addressees, *document.recipients]
    for block in document.blocks:
        if isinstance(block, Table):
            parts += [block.title, *block.columns]
            parts += [str(cell) for row in [*block.rows, block.total or []] for cell in row]
        else:
            parts.append(block.text)
    return "\n".join(parts)


def test_the_agency_writes_to_the_late_provinces(late, agency_officer):
    document = letter_kind.build(agency_officer, {**PARAMS, "scope": "national"})
    assert document.addressees == [NGHE_AN, HA_TINH]  # by official code
    rows, columns = summary_rows(document), cols(document)
    reports = columns.index("Báo cáo định kỳ chưa gửi")
    steps = columns.index("Bước đề án quá hạn")
    liquidations = columns.index("Hợp đồng chưa thanh lý, quyết toán")
    follow_ups = columns.index("Kiến nghị sau kiểm tra quá hạn")
    # The reports are the matrix's missing cells (the local form goes to the Department, not here).
    matrix = completeness(late["national"], 2026, scope=user_scope(agency_officer, Action.VIEW, Report), today=AS_OF)
    missing = {row.unit.code: sum(1 for c in row.cells if c and c.status == MISSING) for row in matrix.rows}
    assert (rows[HA_TINH][reports], rows[NGHE_AN][reports]) == (missing["SCT-42"], missing["SCT-40"]) == (3, 4)
    assert rows[HA_TINH][liquidations] == 1 and rows[NGHE_AN][liquidations] == 0
    assert rows[NGHE_AN][follow_ups] == 1 and rows[HA_TINH][follow_ups] == 0
    assert rows[HA_TINH][steps] >= 1
    detail = table(document, "Bảng 2")
    whats = [row[2] for row in detail.rows]
    assert any(late["draft"].code in what and "Nộp hồ sơ đề án" in what for what in whats)
    # The accepted project appears once, as a contract to liquidate (22/01 of the next year).
    accepted = [row for row in detail.rows if late["accepted"].code in row[2]]
    assert len(accepted) == 1 and accepted[0][4] == "22/01/2027" and accepted[0][5] == 38
    assert any(late["follow_up"].action in what for what in whats)
    # Totals: each column is the sum of its rows, and the detail lists every item.
    summary = table(document, "Bảng 1")
    for index in range(2, len(columns)):
        assert summary.total[index] == sum(row[index] for row in summary.rows)
    assert summary.total[-1] == len(detail.rows)


def test_the_letter_in_vietnamese(late, agency_officer):
    with translation.override("en"):
        document = letter_kind.build(agency_officer, {**PARAMS, "scope": "national"})
    assert document.title == "" and document.kind == "reminder_letter"
    assert document.subject.startswith("đôn đốc gửi báo cáo định kỳ")
    assert document.issuer_parent == "BỘ CÔNG THƯƠNG" and document.signer_authority == "KT. CỤC TRƯỞNG"
    text = text_of(document)
    assert "trước ngày 20/03/2027" in text and "tính đến ngày 01/03/2027" in text
    assert "Nộp hồ sơ đề án về Sở Công Thương" in text  # the due item's label, Vietnamese in an English session
    assert document.recipients[0] == "Như trên;" and document.filename == "cong-van-don-doc-2027-03-01"


def test_a_department_writes_only_to_its_own_units(late, hatinh_officer):
    document = letter_kind.build(hatinh_officer, PARAMS)
    assert document.addressees == ["Trung tâm Khuyến công tỉnh Hà Tĩnh"]
    assert (document.issuer_parent, document.issuer) == ("UBND TỈNH HÀ TĨNH", "SỞ CÔNG THƯƠNG")
    rows = summary_rows(document)
    assert list(rows) == ["Trung tâm Khuyến công tỉnh Hà Tĩnh"]
    # Its centre's local half-yearly reports, never the Department's own national ones.
    assert rows["Trung tâm Khuyến công tỉnh Hà Tĩnh"][2] == 2
    text = text_of(document)
    assert "Nghệ An" not in text and HA_TINH not in document.addressees
    for scope in ("national", "province:40"):
        with pytest.raises(ActionRefused) as refused:
            letter_kind.build(hatinh_officer, {**PARAMS, "scope": scope})
        assert refused.value.code == "out_of_scope"


def test_one_form_and_one_period(late, agency_officer):
    only = letter_kind.build(
        agency_officer,
        {
            **PARAMS,
            "scope": "national",
            "report_form": late["national"],
            "period_start": dt.date(2026, 4, 1),
            "include": "reports",
        },
    )
    rows = summary_rows(only)
    assert rows[HA_TINH][2] == 1 and rows[NGHE_AN][2] == 1 and only.subject == "đôn đốc gửi báo cáo định kỳ"


def test_nobody_late_is_refused(late, agency_officer):
    with translation.override("vi"), pytest.raises(ActionRefused) as refused:
        letter_kind.build(agency_officer, {**PARAMS, "as_of": dt.date(2026, 1, 2), "include": ["reports"]})
    assert refused.value.code == "empty_period" and "02/01/2026" in refused.value.message
    assert "Không có" in refused.value.message


def test_an_implementer_cannot_write_it(late, implementer, outsider):
    for user in (implementer, outsider):
        with pytest.raises(ActionRefused) as refused:
            letter_kind.build(user, PARAMS)
        assert refused.value.code == "out_of_scope"


def test_the_form(late, agency_officer):
    form = letter_kind.ReminderLetterForm({"as_of": "01/03/2027", "deadline": "01/02/2027"}, user=agency_officer)
    assert not form.is_valid() and "deadline" in form.errors
    ok = letter_kind.ReminderLetterForm({"scope": "national", "include": "steps"}, user=agency_officer)
    assert ok.is_valid(), ok.errors
    assert letter_kind.build(agency_officer, ok.cleaned_data | {"as_of": AS_OF}).subject.startswith("đôn đốc bảo đảm")
