"""Export → edit in Excel → import again (ux review P1.3): the export writes the import's columns,
cells as the importer reads them, so an unchanged file changes nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from khuyencong.registry import imports
from khuyencong.registry.models import Establishment, Gender, IndustryLine, LegalForm
from khuyencong.territory.models import Commune
from tests.registry.factories import commune_of, make_establishment, make_village
from tests.registry.fixtures.builders import tax_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def varied(territory):
    """Records that test the cells: a formula-like name, a leading-zero phone and registration
    number, a legacy commune, choices, yes/no, industry lines, a craft village, an empty record."""
    legacy = (
        Commune.objects.legacy()
        .filter(province__code="42")
        .exclude(code__in=Commune.objects.current().values_list("code", flat=True))
        .select_related("successor")
        .order_by("code")
        .first()
    )
    village = make_village(name="Làng nghề mây tre Phúc Tăng")
    weaving = IndustryLine.objects.create(code="1623", name="Sản xuất đồ mây tre đan")
    food = IndustryLine.objects.get(catalogue="VSIC-2018", code="1079")
    formula = make_establishment(
        name="=1+2", tax_code=tax_code(31), legal_form=LegalForm.HOUSEHOLD, owner_gender=Gender.FEMALE,
        phone="0912345678", registration_number="0012345", annual_revenue=2_080_000_000, founding_year=2015,
        latitude=18.3437, longitude=105.9057, women_owned=True, commune=village.commune, craft_village=village,
        workers_total=25, workers_women=18, main_products="Rổ, rá; giỏ mây",
    )  # fmt: skip
    formula.industry_lines.set([weaving, food])
    make_establishment(
        name="Cơ sở rèn Trung Lương", commune=legacy.successor, legacy_commune=legacy,
        status=Establishment.Status.SUSPENDED, legal_form=LegalForm.COOPERATIVE, disadvantaged_area=True,
    )  # fmt: skip
    make_establishment(name="Cơ sở nón lá", external_id="HT-007", commune=commune_of("42", 3), phone="02393855555")
    return formula


def export(client, fmt: str) -> bytes:
    response = client.get(reverse("registry:establishment_export"), {"format": fmt})
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return b"".join(response)


def test_an_exported_workbook_imports_back_unchanged(tmp_path, client_for, hatinh_officer, varied):
    content = export(client_for(hatinh_officer), "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [c.header for c in imports.COLUMNS]
    by_name = {r[0].value: {c.header: v.value for c, v in zip(imports.COLUMNS, r, strict=True)}
               for r in sheet.iter_rows(min_row=2)}  # fmt: skip
    formula = by_name["=1+2"]
    assert formula["Điện thoại"] == "0912345678" and formula["Số ĐKKD"] == "0012345"
    assert formula["Loại hình"] == "Hộ kinh doanh" and formula["Chủ là nữ"] == "Có"
    assert formula["Ngành nghề"] == "1079; 1623" and formula["Làng nghề"] == "Làng nghề mây tre Phúc Tăng"
    assert sheet.cell(2, 1).data_type == "s"  # the name stays text, not a formula
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)

    report = imports.dry_run(path, hatinh_officer)
    assert report.counts["unchanged"] == 3, report.to_dict()
    assert report.counts["rejected"] == report.counts["new"] == report.counts["updated"] == 0

    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == "Cơ sở nón lá":
            cells[[c.field for c in imports.COLUMNS].index("workers_total")].value = 40
    book.save(path)
    report = imports.dry_run(path, hatinh_officer)
    assert (report.counts["updated"], report.counts["unchanged"], report.counts["rejected"]) == (1, 2, 0)


def test_an_exported_csv_imports_back_unchanged(tmp_path, client_for, hatinh_officer, varied):
    content = export(client_for(hatinh_officer), "csv")
    assert "'=1+2" in content.decode("utf-8-sig")  # guarded against formula evaluation
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    report = imports.dry_run(path, hatinh_officer)
    assert report.counts["unchanged"] == 3 and report.counts["rejected"] == 0, report.to_dict()

    path.write_bytes(content.replace("Rổ, rá; giỏ mây".encode(), "Rổ, rá".encode()))
    report = imports.dry_run(path, hatinh_officer)
    assert (report.counts["updated"], report.counts["unchanged"]) == (1, 2)


def test_an_english_user_exports_the_same_vietnamese_file(client_for, hatinh_officer, varied, settings):
    client = client_for(hatinh_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    book = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx")))
    header = [c.value for c in book.active[1]]
    assert header[:3] == ["Tên cơ sở", "Loại hình", "Mã số thuế"]
    assert "Hộ kinh doanh" in [c.value for c in book.active["B"]]
