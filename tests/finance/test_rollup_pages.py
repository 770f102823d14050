"""The rollup page, its Excel export, the API and the plan / unit sections: the figures of
``finance.rollups`` in the user's reach, the export's totals equal to the page's, bad input
answered with a clear message."""

from __future__ import annotations

import io

import openpyxl
import pytest

from khuyencong.audit.models import AccessLog
from tests.finance.test_rollups import money  # noqa: F401 (fixture)
from tests.roles import CASE_IDS, CASES

pytestmark = pytest.mark.django_db
PAGE = "/finance/rollup/"
API = "/api/v1/finance/rollup"


def test_the_page_shows_the_figures_rates_and_links(money, agency_officer, client_for):  # noqa: F811
    response = client_for(agency_officer).get(PAGE, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    total = response.context["result"].total
    assert total.disbursed == 395_000_000
    assert "395.000.000 đ" in html and "39,50%" in html and "33,33%" in html
    assert "Hà Tĩnh" in html and "Nghệ An" in html
    # Every number links to the list behind it.
    assert "/finance/ledger/?year=2026&amp;province=42&amp;kind=advance&amp;status=paid" in html
    assert "/projects/?year=2026&amp;province=42" in html
    assert "/finance/allocations/?year=2026&amp;province=42" in html
    # The province's own page: the rollup narrowed to it, by unit.
    assert "?year=2026&amp;province=42&amp;group_by=unit" in html
    assert 'id="rollup-chart-data"' in html


def test_group_by_switch_and_a_province_page(money, agency_officer, client_for):  # noqa: F811
    client = client_for(agency_officer)
    for group in ("legacy_province", "region", "unit", "content", "funding_source", "level", "year"):
        response = client.get(PAGE, {"year": 2026, "group_by": group})
        assert response.status_code == 200, group
        assert response.context["result"].total.disbursed == 395_000_000, group
    province = client.get(PAGE, {"year": 2026, "province": "42"})
    assert province.context["selection"]["group_by"] == "unit"
    assert province.context["result"].total.disbursed == 315_000_000
    assert "Hà Tĩnh" in province.context["title"]


def test_bad_input_is_explained_and_shows_the_default(money, agency_officer, client_for):  # noqa: F811
    response = client_for(agency_officer).get(PAGE, {"year": "20x6", "group_by": "colour", "province": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a year between 2000 and 2100." in html or "Chọn năm" in html
    assert response.context["selection"]["group_by"] == "province"


def test_the_export_has_exactly_the_totals_on_screen(money, agency_officer, client_for):  # noqa: F811
    client = client_for(agency_officer)
    page = client.get(PAGE, {"year": 2026, "group_by": "unit"})
    export = client.get(PAGE + "export/", {"year": 2026, "group_by": "unit"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    total_row = rows[-1]
    on_screen = [cell[2] for cell in page.context["total_cells"]]
    assert list(total_row[1:8]) == on_screen
    shown = page.context["result"].total
    assert list(total_row[8:11]) == [shown.allocated_percent, shown.disbursed_percent, shown.settled_percent]
    assert len(rows) - 4 == len(page.context["lines"])
    assert AccessLog.objects.filter(target="finance.rollup", kind="export").count() == 1


def test_who_may_see_the_page(money, hatinh_officer, outsider, client_for):  # noqa: F811
    assert client_for(outsider).get(PAGE).status_code == 403
    assert client_for(outsider).get(PAGE + "export/").status_code == 403
    mine = client_for(hatinh_officer).get(PAGE, {"year": 2026})
    assert [row.codes["province"] for row in mine.context["result"].rows] == ["42"]
    assert "Nghệ An" not in mine.content.decode()
    # Asking for Nghệ An's page shows nothing of Nghệ An.
    theirs = client_for(hatinh_officer).get(PAGE, {"year": 2026, "province": "40"})
    assert theirs.context["result"].rows == [] and theirs.context["result"].total.disbursed == 0


def test_api_rollup(money, agency_officer, client_for):  # noqa: F811
    response = client_for(agency_officer).get(API, {"year": 2026, "group_by": "province,unit"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_by"] == ["province", "unit"]
    assert body["total"]["disbursed"] == 395_000_000 and body["total"]["disbursed_percent"] == "39,50%"
    hatinh = [r for r in body["rows"] if r["key"]["province"]["code"] == "42"]
    assert hatinh[0]["key"]["unit"]["code"] == "TTKC-42" and hatinh[0]["disbursed"] == 315_000_000
    assert hatinh[0]["allocated_rate"] is None  # no plan line of Hà Tĩnh: nothing to divide by


def test_api_errors_have_one_shape(money, agency_officer, outsider, client_for):  # noqa: F811
    client = client_for(agency_officer)
    unknown = client.get(API, {"group_by": "province,colour"})
    assert unknown.status_code == 422
    body = unknown.json()
    assert body["code"] == "unknown_group_by" and body["details"]["unknown"] == ["colour"]
    assert "legacy_province" in body["details"]["allowed"]
    assert client.get(API, {"province": "99"}).json()["code"] == "unknown_code"
    assert client.get(API, {"level": "galactic"}).status_code == 422
    assert client.get(API, {"years": "2026,x"}).status_code == 422
    denied = client_for(outsider).get(API)
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


def test_api_keeps_a_provincial_officer_to_their_province(money, hatinh_officer, client_for):  # noqa: F811
    client = client_for(hatinh_officer)
    body = client.get(API, {"year": 2026, "group_by": "province"}).json()
    assert [r["key"]["province"]["code"] for r in body["rows"]] == ["42"]
    out_of_scope = client.get(API, {"year": 2026, "province": "40"}).json()
    assert out_of_scope["rows"] == [] and out_of_scope["total"]["disbursed"] == 0


def test_the_plan_and_unit_pages_show_their_money(money, agency_officer, hatinh_officer, client_for):  # noqa: F811
    from khuyencong.organisation.models import OrgUnit

    plan = money["plan"]
    client = client_for(agency_officer)
    page = client.get(f"/plans/{plan.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="plan-money"' in html and "3.000.000.000 đ" in html and "33,33%" in html
    unit = OrgUnit.objects.get(code="TTKC-42")
    unit_page = client.get(f"/org-units/{unit.pk}/").content.decode()
    assert 'id="unit-money"' in unit_page and "315.000.000 đ" in unit_page and "52,50%" in unit_page
    # A Hà Tĩnh officer sees the plan's Hà Tĩnh money only.
    theirs = client_for(hatinh_officer).get(f"/plans/{plan.pk}/").content.decode()
    assert "315.000.000 đ" in theirs and "80.000.000 đ" not in theirs


# Roles and the money they read (organisation/permissions.py LEDGER, written out): who may open
# the rollup and who may export it; the rows follow the reach of the role's unit (tests/roles.py).
READERS = {"system_admin", "agency_officer", "agency_leader", "regional_officer", "provincial_officer",
           "provincial_leader", "provincial_finance", "implementer", "inspector", "viewer"}  # fmt: skip
EXPORTERS = READERS - {"viewer"}
PROVINCE_OF = {"hatinh": "42", "nghean": "40"}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_role_reads_the_rollup_of_its_reach_only(case, money, person_in_role, client_for):  # noqa: F811
    client = client_for(person_in_role(case))
    page = client.get(PAGE, {"year": 2026})
    api = client.get(API, {"year": 2026, "group_by": "province"})
    export = client.get(PAGE + "export/", {"year": 2026})
    if case.role not in READERS:
        assert page.status_code == 403 and api.status_code == 403 and api.json()["code"] == "forbidden"
        assert export.status_code == 403
        return
    wanted = sorted(PROVINCE_OF[place] for place in case.reach)
    assert sorted(r.codes["province"] for r in page.context["result"].rows if r.codes["province"]) == wanted
    assert sorted(r["key"]["province"]["code"] for r in api.json()["rows"] if r["key"]["province"]["code"]) == wanted
    assert export.status_code == (200 if case.role in EXPORTERS else 403)
