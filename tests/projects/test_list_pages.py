"""The project list (filters, search, sort, empty states), its export that imports back unchanged
(round trip through the tabular engine and ``actions.save_project``), the import's row-numbered
errors, and the board by state per plan."""

import io

import openpyxl
import pytest
from django.utils import translation

from khuyencong import tabular
from khuyencong.projects import imports
from khuyencong.projects.models import Project, ProjectState
from tests.planning.factories import make_plan
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


def _export(client, **params) -> bytes:
    response = client.get("/projects/export/", params)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_list_filters_searches_and_sorts(territory, agency_officer, client_for):
    a = make_project("42", year=2020, name="Đề án dệt thổ cẩm Hương Khê")
    b = make_project("40", year=2026, name="Đề án mây tre đan Nghi Lộc", state=ProjectState.APPROVED)
    c = make_project("42", year=2026, name="Đề án chế biến chè", level="local", disruption="epidemic",
                     disruption_event="COVID-19")  # fmt: skip
    pages = client_for(agency_officer)

    def shown(**params):
        response = pages.get("/projects/", params)
        assert response.status_code == 200
        text = response.content.decode()
        return {p.code for p in (a, b, c) if p.code in text}

    assert shown() == {a.code, b.code, c.code}
    assert shown(year=2020) == {a.code}
    assert shown(province="40") == {b.code}
    assert shown(state="approved") == {b.code}
    assert shown(level="local") == {c.code}
    assert shown(disruption="any") == {c.code}
    assert shown(q="tho cam") == {a.code}  # accents ignored
    assert shown(q="MAY TRE") == {b.code}
    text = pages.get("/projects/", {"sort": "name"}).content.decode()
    assert text.index(c.code) < text.index(a.code) < text.index(b.code)  # chế < dệt < mây


def test_legacy_province_filter(territory, agency_officer, client_for):
    from khuyencong.territory.models import Province

    old = Province.objects.legacy().filter(successor__code="42").first()
    kept = make_project("42", legacy_province=old)
    other = make_project("42")
    text = client_for(agency_officer).get("/projects/", {"legacy_province": old.code}).content.decode()
    assert kept.code in text and other.code not in text


def test_empty_states_say_so_in_vietnamese(territory, agency_officer, client_for):
    pages = client_for(agency_officer)
    with translation.override("vi"):
        text = pages.get("/projects/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'id="empty-state"' in text
    make_project("42")
    text = pages.get("/projects/", {"q": "khong co de an nao"}).content.decode()
    assert "kc-empty" in text and 'id="empty-state"' not in text  # "no records match", clear the filters


def test_export_imports_back_unchanged_and_an_edit_updates_the_draft(territory, agency_officer, client_for):
    draft = make_project("42", year=2026, location="Xã Thạch Hà", disruption="natural_disaster",
                         disruption_event="Bão số 3")  # fmt: skip
    approved = make_project("40", year=2025, state=ProjectState.APPROVED)
    content = _export(client_for(agency_officer))
    rows = _rows(content)
    assert rows[0][: len(imports.COLUMNS)] == [c.header for c in imports.COLUMNS]
    report = tabular.commit(content, agency_officer, imports.ProjectImport())
    assert report.counts == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0}, report.errors
    # Edit one cell of the draft, one of the approved project, add a new row: Excel round trip.
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    by_code = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(by_code[draft.code], header.index("Tên đề án") + 1, "Đề án đã sửa tên")
    sheet.cell(by_code[approved.code], header.index("Tên đề án") + 1, "Đổi tên sau phê duyệt")
    new = [None] * len(header)
    for name, value in {"Mã đề án": "da-moi-01", "Tên đề án": "Đề án mới nhập", "Cấp": "KCĐP",
                        "Nội dung khuyến công": "2012-03", "Năm kế hoạch": 2026, "Mã tỉnh": "42",
                        "Đơn vị thực hiện": "TTKC-42", "Kinh phí hỗ trợ (đồng)": "150 triệu",
                        "Tổng kinh phí (đồng)": "400.000.000"}.items():  # fmt: skip
        new[header.index(name)] = value
    sheet.append(new)
    out = io.BytesIO()
    book.save(out)
    before = Project.objects.get(pk=approved.pk).version
    report = tabular.dry_run(out.getvalue(), agency_officer, imports.ProjectImport())
    assert report.counts == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 1}, report.errors
    assert not Project.objects.filter(code="DA-MOI-01").exists()  # the dry run wrote nothing
    assert [e.row for e in report.errors] == [by_code[approved.code]]
    report = tabular.commit(out.getvalue(), agency_officer, imports.ProjectImport())
    assert report.counts["new"] == 1 and report.counts["updated"] == 1
    draft.refresh_from_db()
    assert draft.name == "Đề án đã sửa tên"
    created = Project.objects.get(code="DA-MOI-01")
    assert created.state == ProjectState.DRAFT and created.support_amount == 150_000_000
    assert created.level == "local" and created.province.code == "42"
    assert Project.objects.get(pk=approved.pk).version == before  # refused: nothing changed


def test_import_refuses_rows_outside_the_reach(territory, hatinh_officer):
    other = make_project("40")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in imports.COLUMNS[:9]])
    sheet.append([other.code, "Đổi tên", "KCQG", "Đề án thông thường", "2012-03", None, 2026, "40", "TTKC-40"])
    sheet.append(["DA-NGHE-AN-MOI", "Đề án Nghệ An", "KCĐP", None, "2012-03", None, 2026, "40", "TTKC-40"])
    sheet.append(["DA-HA-TINH-MOI", "Đề án Hà Tĩnh", "KCĐP", None, "2099-99", None, 2026, "42", "TTKC-42"])
    out = io.BytesIO()
    book.save(out)
    report = tabular.commit(out.getvalue(), hatinh_officer, imports.ProjectImport())
    errors = {e.row: " ".join(e.messages) for e in report.errors}
    assert set(errors) == {2, 3, 4}, errors
    assert "2099-99" in errors[4]
    assert Project.objects.get(pk=other.pk).name != "Đổi tên"
    assert not Project.objects.filter(code__in=["DA-NGHE-AN-MOI", "DA-HA-TINH-MOI"]).exists()


def test_board_by_state_counts_and_sums_in_reach(territory, hatinh_officer, agency_officer, client_for):
    plan = make_plan(None, approved=True, year=2026)
    make_project("42", plan=plan, state=ProjectState.APPROVED, name="Đề án Hà Tĩnh một")
    make_project("42", plan=plan, state=ProjectState.APPROVED, name="Đề án Hà Tĩnh hai")
    make_project("40", plan=plan, state=ProjectState.SUBMITTED, name="Đề án Nghệ An ba")
    response = client_for(agency_officer).get("/projects/board/", {"plan": plan.pk})
    assert response.status_code == 200
    columns = {c.state: c for c in response.context["columns"]}
    assert columns["approved"].count == 2 and columns["approved"].support == 300_000_000
    assert columns["submitted"].count == 1
    assert "rejected" not in columns  # empty dead ends are left out
    text = response.content.decode()
    assert "Đề án Nghệ An ba" in text and f"/projects/{Project.objects.get(name='Đề án Hà Tĩnh một').pk}/" in text
    # A provincial officer sees only Hà Tĩnh's cards and sums.
    response = client_for(hatinh_officer).get("/projects/board/", {"plan": plan.pk})
    columns = {c.state: c for c in response.context["columns"]}
    assert columns["approved"].count == 2 and columns["submitted"].count == 0
    assert "Đề án Nghệ An ba" not in response.content.decode()
    # Choosing a plan; an unknown plan is a 404.
    assert client_for(hatinh_officer).get("/projects/board/").status_code == 200
    assert client_for(hatinh_officer).get("/projects/board/", {"plan": "999999"}).status_code == 404
    assert client_for(hatinh_officer).get("/projects/board/", {"plan": "x"}).status_code == 404


def test_save_fills_the_province_before_2025_when_the_place_says_it(territory, hatinh_officer):
    from khuyencong.projects import actions
    from khuyencong.territory.models import Province

    project = make_project("42")
    saved = actions.save_project(user=hatinh_officer, values={"location": "Xã Kỳ Anh"}, instance=project)
    predecessors = list(Province.objects.get(code="42", valid_to__isnull=True).predecessors.all())
    assert saved.legacy_province == (predecessors[0] if len(predecessors) == 1 else None)
