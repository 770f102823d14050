"""The programme summary: its figures are the finance rollups and the project records, by the 34
provinces or the 63 before 1/7/2025 as of the period; a Department summarises only its province;
an empty period is refused; the totals row is the sum of the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from khuyencong.dashboards.scope import DashboardScope
from khuyencong.dashboards.selectors import target_progress
from khuyencong.documents.kinds import programme_summary as summary_kind
from khuyencong.documents.model import OfficialDocument, Paragraph, Table
from khuyencong.finance import actions
from khuyencong.finance.models import Allocation, EntryKind
from khuyencong.finance.rollups import rollup
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.planning.models import Programme, ProgrammeTarget
from khuyencong.projects.models import ProjectState
from khuyencong.rulebook.models import ActivityContent, Level
from khuyencong.territory.models import Province
from tests.finance.factories import contracted_project, plan_of
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 20)
DECIDED = dt.date(2026, 2, 1)
PERIOD = {"from_year": 2026, "to_year": 2030, "date": dt.date(2026, 12, 1)}


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def allocate(user, plan, code, amount):
    number = f"{Allocation.objects.count() + 1}/QĐ-CĐMST"
    return actions.allocate(
        user=user, plan=plan, unit=unit(code), amount=amount, decision_number=number, decision_date=DECIDED
    )


def pay(user, project, amount, kind=EntryKind.PAYMENT):
    entry = actions.request_payment(user=user, project=project, kind=kind, amount=amount, entry_date=ON)
    actions.approve_payment(user=user, entry=entry)
    return entry


@pytest.fixture
def money(agency_officer):
    """A national plan of 2026 (3 bn): two Hà Tĩnh projects and one of Nghệ An, paid in part, one settled."""
    plan = plan_of(2026, total=3_000_000_000)
    first = contracted_project(allocation=None)
    second = contracted_project(allocation=None)
    third = contracted_project(province_code="40", allocation=None)
    allocate(agency_officer, plan, "TTKC-42", 600_000_000)
    allocate(agency_officer, plan, "TTKC-40", 400_000_000)
    allocate(agency_officer, plan, "TTKC1", 700_000_000)  # a regional centre: no province
    pay(agency_officer, first, 175_000_000, EntryKind.ADVANCE)
    pay(agency_officer, first, 50_000_000)
    pay(agency_officer, second, 100_000_000)
    actions.record_settlement(user=agency_officer, project=first, amount=200_000_000, entry_date=ON)
    pay(agency_officer, third, 80_000_000)
    return {"plan": plan, "projects": (first, second, third)}


def table(document: OfficialDocument, prefix: str) -> Table:
    return next(t for t in document.tables() if t.title.startswith(prefix))


def rows_by_label(t: Table, label_column: int = 1) -> dict[str, list]:
    return {row[label_column]: row for row in t.rows}


def column(t: Table, name: str) -> int:
    return t.columns.index(name)


def text_of(document: OfficialDocument) -> str:
    parts = [document.issuer_parent, document.issuer, document.subject, *document.addressees, *document.recipients]
    for block in document.blocks:
        if isinstance(block, Table):
            parts += [block.title, *block.columns]
            parts += [str(cell) for row in [*block.rows, block.total or []] for cell in row]
        else:
            parts.append(block.text)
    return "\n".join(parts)


def assert_total_is_sum(t: Table) -> None:
    assert t.total is not None
    for index in sorted(t.numeric):
        values = [row[index] for row in t.rows]
        if all(isinstance(v, int) for v in values):
            assert t.total[index] == sum(values), t.columns[index]


def test_the_figures_are_the_rollups_of_the_records(money, agency_officer):
    document = summary_kind.build(agency_officer, {**PERIOD, "scope": "national"})
    provinces = table(document, "Bảng 1")
    assert len([row for row in provinces.rows if row[0]]) == 34  # every province in force since 1/7/2025
    rows = rows_by_label(provinces)
    result = rollup(agency_officer, years=range(2026, 2031), group_by=["province"])
    by_code = {row.codes["province"]: row for row in result.rows if row.codes["province"]}
    for code in ("42", "40"):
        row = rows[Province.objects.current().get(code=code).short_name]
        money_row = by_code[code]
        assert row[column(provinces, "Dự toán được giao")] == money_row.allocated
        assert row[column(provinces, "Đã giải ngân")] == money_row.disbursed
        assert row[column(provinces, "Đã quyết toán")] == money_row.settled
    ha_tinh = rows["Hà Tĩnh"]
    assert ha_tinh[column(provinces, "Số đề án")] == 2
    assert ha_tinh[column(provinces, "Kinh phí hỗ trợ được duyệt")] == 500_000_000
    assert ha_tinh[column(provinces, "Đã giải ngân")] == 325_000_000
    assert ha_tinh[column(provinces, "Tỷ lệ giải ngân (%)")] == Decimal("54.17")
    # The regional centre's allocation has no province: its own row, so the totals are the rollup's.
    central = rows[summary_kind.UNASSIGNED]
    assert central[column(provinces, "Dự toán được giao")] == 700_000_000
    total = provinces.total
    assert total[column(provinces, "Dự toán được giao")] == result.total.allocated == 1_700_000_000
    assert total[column(provinces, "Đã giải ngân")] == result.total.disbursed == 405_000_000
    assert total[column(provinces, "Đã quyết toán")] == result.total.settled == 200_000_000
    assert_total_is_sum(provinces)
    years = table(document, "Bảng 2")
    assert_total_is_sum(years)
    assert rows_by_label(years, 0)["2026"][column(years, "Kế hoạch")] == 3_000_000_000
    assert years.total[column(years, "Đã giải ngân")] == 405_000_000


def test_the_2022_scenario_reads_from_records(agency_officer):
    """DOMAIN.md §6: 28.98 bn of a 140 bn plan allocated; Regional centre 1 disbursed 1.4 bn over four projects."""
    plan = plan_of(2026, total=140_000_000_000)
    allocate(agency_officer, plan, "TTKC1", 24_390_243_902)
    allocate(agency_officer, plan, "TTKC-42", 4_589_756_098)
    lines = [(800_000_000, 350_000_000)]
    for _n in range(4):
        project = contracted_project(province_code="37", allocation=None, unit="TTKC1", lines=lines)
        pay(agency_officer, project, 350_000_000)
    document = summary_kind.build(agency_officer, {**PERIOD, "to_year": 2026})
    provinces = table(document, "Bảng 1")
    rows = rows_by_label(provinces)
    assert rows["Ninh Bình"][column(provinces, "Số đề án")] == 4
    assert rows["Ninh Bình"][column(provinces, "Đã giải ngân")] == 1_400_000_000
    assert provinces.total[column(provinces, "Dự toán được giao")] == 28_980_000_000
    years = table(document, "Bảng 2")
    assert years.rows[0][column(years, "Kế hoạch")] == 140_000_000_000
    text = text_of(document)
    assert "28.980.000.000 đ" in text and "1.400.000.000 đ" in text
    assert "Giai đoạn 2026, trên toàn quốc đã triển khai 4 đề án khuyến công tại 1 tỉnh, thành phố" in text


def test_a_department_summarises_only_its_province(money, hatinh_officer):
    document = summary_kind.build(hatinh_officer, PERIOD)  # its widest scope: Hà Tĩnh
    provinces = table(document, "Bảng 1")
    assert [row[1] for row in provinces.rows] == ["Hà Tĩnh"]
    assert provinces.total[column(provinces, "Đã giải ngân")] == 325_000_000
    assert (document.issuer_parent, document.issuer, document.place) == (
        "UBND TỈNH HÀ TĨNH",
        "SỞ CÔNG THƯƠNG",
        "Hà Tĩnh",
    )
    assert document.signer_authority == "KT. GIÁM ĐỐC"
    assert (
        document.subject == "Tổng kết thực hiện Chương trình khuyến công giai đoạn 2026–2030 trên địa bàn tỉnh Hà Tĩnh"
    )
    assert "(địa giới từ 01/7/2025)" in provinces.title
    text = text_of(document)
    assert "Nghệ An" not in text and "toàn quốc" not in text
    for scope in ("national", "province:40", "region:2"):
        with pytest.raises(ActionRefused) as refused:
            summary_kind.build(hatinh_officer, {**PERIOD, "scope": scope})
        assert refused.value.code == "out_of_scope"
    assert summary_kind.build(hatinh_officer, {**PERIOD, "scope": "province:42"}).subject == document.subject


def test_an_implementer_and_an_outsider_cannot_write_it(money, implementer, outsider):
    for user in (implementer, outsider):
        with pytest.raises(ActionRefused) as refused:
            summary_kind.build(user, PERIOD)
        assert refused.value.code == "out_of_scope"


def test_an_empty_period_is_refused_in_vietnamese(money, agency_officer):
    with translation.override("vi"), pytest.raises(ActionRefused) as refused:
        summary_kind.build(agency_officer, {"from_year": 2010, "to_year": 2012})
    assert refused.value.code == "empty_period"
    assert "2010–2012" in refused.value.message and "Không có" in refused.value.message


def _ninh_binh_projects():
    nam_dinh = Province.objects.legacy().get(code="36")
    ha_nam = Province.objects.legacy().get(code="35")
    for legacy in (nam_dinh, ha_nam, ha_nam):
        make_project(
            "37", year=2022, state=ProjectState.IN_PROGRESS, legacy_province=legacy, approved_support=90_000_000
        )


def test_legacy_or_current_provinces_by_the_years(agency_officer, django_user_model):
    _ninh_binh_projects()
    before = summary_kind.build(agency_officer, {"from_year": 2021, "to_year": 2024})
    provinces = table(before, "Bảng 1")
    assert "63 tỉnh, thành phố trước 01/7/2025" in provinces.title
    assert len([row for row in provinces.rows if row[0]]) == 63
    rows = rows_by_label(provinces)
    assert rows["Nam Định"][column(provinces, "Số đề án")] == 1
    assert rows["Hà Nam"][column(provinces, "Số đề án")] == 2
    after = summary_kind.build(agency_officer, {"from_year": 2021, "to_year": 2025})
    provinces = table(after, "Bảng 1")
    assert "34 tỉnh, thành phố từ 01/7/2025" in provinces.title
    assert rows_by_label(provinces)["Ninh Bình"][column(provinces, "Số đề án")] == 3
    # The choice can be forced; a Department of Ninh Bình sees its three provinces of before.
    forced = summary_kind.build(agency_officer, {"from_year": 2021, "to_year": 2025, "generation": "legacy"})
    assert "63 tỉnh" in table(forced, "Bảng 1").title
    officer = django_user_model.objects.create_user(username="ninhbinh", password="x-Mat-khau-2026!")
    assign_role(user=officer, role=Role.PROVINCIAL_OFFICER, org_unit=unit("SCT-37"))
    mine = table(summary_kind.build(officer, {"from_year": 2021, "to_year": 2024}), "Bảng 1")
    assert "(địa giới trước 01/7/2025)" in mine.title
    assert sorted(row[1] for row in mine.rows) == ["Hà Nam", "Nam Định", "Ninh Bình"]
    assert mine.total[column(mine, "Số đề án")] == 3


def test_targets_against_achievements(money, agency_officer):
    agency = unit("CUC-DMST")
    programme = Programme.objects.create(
        level=Level.NATIONAL,
        name="Chương trình khuyến công quốc gia giai đoạn 2026–2030",
        start_year=2026,
        end_year=2030,
        owner=agency,
    )
    models = ActivityContent.objects.get(code="2012-03")
    ProgrammeTarget.objects.create(
        programme=programme,
        position=1,
        name="Mô hình trình diễn kỹ thuật",
        unit="mô hình",
        target_value=10,
        content=models,
    )
    ProgrammeTarget.objects.create(
        programme=programme, position=2, name="Lao động được đào tạo", unit="người", target_value=10_000
    )
    make_project("42", year=2027, state=ProjectState.ACCEPTED, content="2012-03", approved_support=150_000_000)
    document = summary_kind.build(agency_officer, PERIOD)
    targets = table(document, "Bảng 3")
    expected = target_progress(agency_officer, scope=DashboardScope("national"), programme=programme)
    assert [row[4] for row in targets.rows] == [expected[0]["achieved"], "—"]
    assert targets.rows[0][3] == 10 and targets.rows[0][4] == 1 and targets.rows[0][6] == "10,0%"
    assert programme.name in targets.title


def test_vietnamese_text_and_layout(money, agency_officer):
    document = summary_kind.build(agency_officer, PERIOD)
    assert document.kind == "programme_summary" and document.title == "BÁO CÁO"
    assert document.issuer_parent == "BỘ CÔNG THƯƠNG" and document.issuer.startswith("CỤC ĐỔI MỚI SÁNG TẠO")
    assert document.subject == "Tổng kết thực hiện Chương trình khuyến công giai đoạn 2026–2030 trên toàn quốc"
    assert document.signer_authority == "KT. CỤC TRƯỞNG" and document.signer_title == "PHÓ CỤC TRƯỞNG"
    assert document.date == dt.date(2026, 12, 1) and document.filename == "bao-cao-tong-ket-khuyen-cong-2026-2030"
    first = next(block for block in document.blocks if isinstance(block, Paragraph))
    assert first.text.startswith("Giai đoạn 2026–2030, trên toàn quốc đã triển khai 3 đề án khuyến công")
    assert "Lưu: VT, ĐMST." in document.recipients


def test_the_form_takes_the_programmes_years(agency_officer):
    programme = Programme.objects.create(
        level=Level.NATIONAL, name="Chương trình 2021–2025", start_year=2021, end_year=2025, owner=unit("CUC-DMST")
    )
    form = summary_kind.ProgrammeSummaryForm({"programme": programme.pk}, user=agency_officer)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["from_year"], form.cleaned_data["to_year"]) == (2021, 2025)
    assert ("national", "Toàn quốc") in form.fields["scope"].choices or form.fields["scope"].choices[1][0] == "national"
    assert not summary_kind.ProgrammeSummaryForm({}, user=agency_officer).is_valid()
    backwards = summary_kind.ProgrammeSummaryForm({"from_year": 2025, "to_year": 2021}, user=agency_officer)
    assert not backwards.is_valid() and "to_year" in backwards.errors
