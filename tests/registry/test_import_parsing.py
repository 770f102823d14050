"""Cell parsers and header matching of the establishment import (no database)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from khuyencong import tabular
from khuyencong.registry.imports import COLUMNS
from khuyencong.tabular.cells import Invalid, key
from khuyencong.tabular.columns import header_key

COLUMN = {c.field: c for c in COLUMNS}

pytestmark = pytest.mark.usefixtures("vietnamese")


def parse(field, raw):
    column = COLUMN[field]
    return column.parse(raw, column)


def error(field, raw) -> str:
    with pytest.raises(Invalid) as info:
        parse(field, raw)
    return str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.080.000.000", 2_080_000_000),
        ("2080000000", 2_080_000_000),
        ("2.080.000.000 đ", 2_080_000_000),
        ("2.080.000.000đ", 2_080_000_000),
        ("2 080 000 000 VNĐ", 2_080_000_000),
        ("2\u00a0080\u00a0000\u00a0000 đồng", 2_080_000_000),
        ("2,080,000,000", 2_080_000_000),
        (2080000000.0, 2_080_000_000),  # calamine gives every number as a float
        ("1.500", 1_500),
        ("12,00", 12),
        (unicodedata.normalize("NFD", "950.000.000 đồng"), 950_000_000),
    ],
)
def test_vietnamese_numbers(raw, expected):
    assert parse("annual_revenue", raw) == expected


@pytest.mark.parametrize("raw", ["12,5", "abc", 12.5, "1.5.0", True])
def test_not_a_whole_number(raw):
    assert "không phải số nguyên" in error("workers_total", raw)


def test_negative_count():
    message = error("workers_total", "-3")
    assert message.startswith("Tổng lao động") and "số âm" in message


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("15/05/2020", 2020),
        ("5/5/2020", 2020),
        ("15-05-2020", 2020),
        ("05/2020", 2020),
        ("2020-05-15", 2020),
        (dt.date(2020, 5, 15), 2020),
        (dt.datetime(1998, 1, 2, 0, 0), 1998),
        (2015.0, 2015),
        ("2015", 2015),
    ],
)
def test_dates_and_years(raw, year):
    assert parse("founding_year", raw) == year


@pytest.mark.parametrize("raw", ["31/02/2020", "năm ngoái", "13/2020"])
def test_bad_dates(raw):
    assert "không phải năm hoặc ngày hợp lệ" in error("founding_year", raw)


def test_year_out_of_range():
    assert "1800" in error("founding_year", "1700")


def test_tax_codes():
    assert parse("tax_code", "0100112437") == "0100112437"
    assert parse("tax_code", "0100112437-001") == "0100112437001"
    assert parse("tax_code", "0100112437 001") == "0100112437001"
    assert parse("tax_code", 100112437.0) == "0100112437"  # Excel dropped the leading zero
    assert "sai chữ số kiểm tra" in error("tax_code", "0100112438")
    assert "10 chữ số" in error("tax_code", "12345")
    assert "10 chữ số" in error("tax_code", "0100112437-000")


def test_commune_codes_from_numbers_and_text():
    assert parse("commune", 18073.0) == "18073"
    assert parse("commune", 4.0) == "00004"
    assert parse("commune", " 18073 ") == "18073"
    assert "5 chữ số" in error("commune", "Thạch Hà")


def test_listed_values_accept_labels_and_folded_forms():
    assert parse("legal_form", "Hộ kinh doanh") == "household"
    assert parse("legal_form", "ho kinh doanh") == "household"
    assert parse("legal_form", "HỢP TÁC XÃ") == "cooperative"
    assert parse("legal_form", unicodedata.normalize("NFD", "Tổ hợp tác")) == "cooperative_group"
    assert parse("legal_form", "household") == "household"
    assert parse("status", "Tạm ngừng hoạt động") == "suspended"
    assert parse("owner_gender", "nữ") == "female"
    message = error("legal_form", "Công ty cổ phần lớn")
    assert "không thuộc các giá trị hợp lệ" in message and "Hộ kinh doanh" in message


@pytest.mark.parametrize(("raw", "value"), [("Có", True), ("x", True), (1.0, True), ("không", False), (False, False)])
def test_yes_no(raw, value):
    assert parse("women_owned", raw) is value


def test_text_is_nfc_and_trimmed():
    nfd = unicodedata.normalize("NFD", "  Cơ sở   mây tre đan ")
    assert parse("name", nfd) == "Cơ sở mây tre đan"
    assert unicodedata.is_normalized("NFC", parse("name", nfd))
    assert "quá dài" in error("registration_number", "x" * 41)


def test_phone_and_coordinates():
    assert parse("phone", 912345678.0) == "0912345678"
    assert parse("latitude", "18,3437") == pytest.approx(18.3437)
    assert "8" in error("latitude", 45)
    assert "không phải địa chỉ email" in error("email", "coso@")


def test_header_keys_ignore_case_accents_spaces_and_marks():
    assert header_key("  TÊN  CƠ SỞ ") == header_key("ten co so") == key("Tên cơ sở")
    assert header_key(unicodedata.normalize("NFD", "Mã xã")) == key("Mã xã")
    assert header_key("Tên cơ sở*") == header_key("Tên cơ sở (*)") == key("Tên cơ sở")
    assert header_key("Doanh thu năm (đồng)") == "doanh thu nam dong"


def test_column_letters():
    assert [tabular.sheet.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
