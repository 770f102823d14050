#!/usr/bin/env python
"""Generate a sample establishment registry workbook (or CSV) in the import format.

    .venv/bin/python bench/gen_establishments.py OUT.xlsx --rows 100000 [--province 42] [--seed 1]

Rows are valid by default: unique tax codes with correct check digits, current commune codes of
the chosen provinces (from the shipped territory data, no database needed), worker counts that add
up. Use ``--province`` several times or omit it for the whole country. Needs no Django settings.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
from pathlib import Path

import xlsxwriter
from stdnum.vn import mst

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = ROOT / "khuyencong" / "territory" / "data" / "communes.csv.gz"

HEADERS = [
    "Tên cơ sở",
    "Loại hình",
    "Mã số thuế",
    "Số ĐKKD",
    "Mã ngoài",
    "Chủ cơ sở",
    "Giới tính chủ cơ sở",
    "Địa chỉ",
    "Mã xã",
    "Làng nghề",
    "Ngành nghề",
    "Sản phẩm chính",
    "Tổng lao động",
    "Lao động nữ",
    "Lao động DTTS",
    "Doanh thu năm (đồng)",
    "Năm thành lập",
    "Điện thoại",
    "Email",
    "Vĩ độ",
    "Kinh độ",
    "Trạng thái",
    "Chủ là nữ",
    "Có lao động DTTS",
    "Vùng khó khăn",
]
LEGAL_FORMS = ["Hộ kinh doanh", "Hợp tác xã", "Doanh nghiệp nhỏ và vừa", "Tổ hợp tác"]
CRAFTS = ["Mây tre đan", "Mộc mỹ nghệ", "Chế biến nông sản", "Dệt thổ cẩm", "Gốm sứ", "Rèn", "Nón lá", "Nước mắm"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Hữu Đức", "Thị Hoa", "Minh Khang", "Thị Lan"]


def current_communes(provinces: list[str]) -> list[tuple[str, str]]:
    with gzip.open(COMMUNES, "rt", encoding="utf-8", newline="") as fh:
        return [
            (row["code"], row["name"])
            for row in csv.DictReader(fh)
            if not row["valid_to"] and (not provinces or row["province"] in provinces)
        ]


def tax_codes():
    """Distinct valid 10-digit tax codes (bases whose check digit would be 10 are skipped)."""
    serial = 0
    while True:
        serial += 1
        base = f"{30 + serial // 10_000_000:02d}{serial % 10_000_000:07d}"
        digit = mst.calc_check_digit(base)
        if len(digit) == 1:
            yield base + digit


def rows(count: int, provinces: list[str], seed: int):
    rnd = random.Random(seed)
    communes = current_communes(provinces)
    codes = tax_codes()
    for i in range(count):
        code, commune = rnd.choice(communes)
        craft = rnd.choice(CRAFTS)
        total = rnd.randint(1, 200)
        women = rnd.randint(0, total)
        ethnic = rnd.randint(0, total) if rnd.random() < 0.2 else 0
        owner_female = rnd.random() < 0.4
        yield [
            f"Cơ sở {craft.lower()} số {i + 1}",
            rnd.choice(LEGAL_FORMS),
            next(codes),
            f"28A{8000000 + i}",
            f"EXT-{i + 1:07d}",
            f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}",
            "Nữ" if owner_female else "Nam",
            f"Thôn {rnd.randint(1, 12)}, {commune}",
            int(code),
            "",
            "",
            craft,
            total,
            women,
            ethnic,
            rnd.randint(50, 50_000) * 1_000_000,
            rnd.randint(1960, 2024),
            f"09{rnd.randint(10_000_000, 99_999_999)}",
            f"coso{i + 1}@example.vn" if rnd.random() < 0.3 else "",
            round(rnd.uniform(17.9, 18.8), 5),
            round(rnd.uniform(105.1, 106.5), 5),
            "Đang hoạt động",
            "Có" if owner_female else "Không",
            "Có" if ethnic else "Không",
            "Không",
        ]


def write_xlsx(path: Path, data, *, inline_strings: bool = False) -> None:
    """Shared strings like Excel writes them by default; ``inline_strings`` streams (xlsxwriter's
    constant-memory mode, which writes every text in its cell)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": inline_strings})
    sheet = workbook.add_worksheet("Cơ sở CNNT")
    sheet.write_row(0, 0, HEADERS)
    for index, row in enumerate(data, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()


def write_csv(path: Path, data, delimiter: str = ",", bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(HEADERS)
        writer.writerows(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--province", action="append", default=[], help="province code, e.g. 42 (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inline-strings", action="store_true", help="texts in their cells, not shared")
    args = parser.parse_args()
    data = rows(args.rows, args.province, args.seed)
    if args.out.suffix.lower() == ".csv":
        write_csv(args.out, data)
    else:
        write_xlsx(args.out, data, inline_strings=args.inline_strings)
    print(f"{args.out}: {args.rows} rows")


if __name__ == "__main__":
    main()
