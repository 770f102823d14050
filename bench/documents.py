#!/usr/bin/env python
"""How long the official documents take to render, against bare baselines in the same run.

    .venv/bin/python bench/documents.py [--reps 9] [--quick]

The document is the programme summary of the whole country over 2021–2025 by the 34 provinces in
force since 1/7/2025 (``documents/kinds/programme_summary.py``): the narrative, the 34-province
table with its totals row (10 columns), the table by year and the twelve targets of the
2021–2025 programme. Its figures are synthetic (fixed seed) and the province names are the
territory's own (``territory/data/provinces.csv``), so the script needs no database: what is
timed is the rendering, the part that grows with the document, not the queries (the builder's
queries are bounded: about 20 whatever the number of projects).

Cases, each timed round-robin, median of ``--reps`` runs after a warm-up:

- **docx**: the project's DOCX renderer (python-docx, the administrative layout);
  baseline **docx-bare**: python-docx writing the same province table from a plain list into an
  empty document, nothing else;
- **pdf**: the project's PDF renderer (WeasyPrint); baseline **pdf-bare**: WeasyPrint rendering
  a trivial one-page HTML (a heading and a paragraph): WeasyPrint's fixed cost (fonts, layout
  engine) that any PDF pays;
- **xlsx**: the project's Excel renderer (xlsxwriter); baseline **xlsx-bare**: xlsxwriter writing
  the same province table from a plain list, without formats.

Prints a markdown table (ms and the ratio to the baseline) and writes it to
``bench/results/documents.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's package, not an installed one
SEED = 2026


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    os.environ.setdefault("KC_ENV", "test")  # no database is opened: the document is plain data
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress lines would drown the table
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def provinces() -> list[tuple[str, str]]:
    """(code, name) of the 34 provinces in force, in the territory's order."""
    path = ROOT / "khuyencong" / "territory" / "data" / "provinces.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [(row["code"], row["name"]) for row in csv.DictReader(handle) if not row["valid_to"]]
    return sorted(rows)


TARGETS = [
    ("Mô hình trình diễn kỹ thuật, chuyển giao công nghệ", "mô hình", 340),
    ("Máy móc thiết bị tiên tiến được hỗ trợ", "máy", 1600),
    ("Dây chuyền công nghệ được hỗ trợ", "dây chuyền", 300),
    ("Cơ sở được đánh giá sản xuất sạch hơn", "cơ sở", 300),
    ("Mô hình thí điểm sản xuất sạch hơn", "mô hình", 100),
    ("Cơ sở được hỗ trợ nâng cấp hệ thống xử lý ô nhiễm", "cơ sở", 50),
    ("Cơ sở được hỗ trợ xây dựng, đăng ký nhãn hiệu", "cơ sở", 350),
    ("Cụm công nghiệp được lập quy hoạch chi tiết", "cụm", 50),
    ("Cụm công nghiệp được hỗ trợ nâng cấp hạ tầng", "cụm", 60),
    ("Hội chợ, triển lãm trong nước", "hội chợ", 15),
    ("Hội chợ, triển lãm ở nước ngoài", "hội chợ", 5),
    ("Lao động nông thôn được đào tạo nghề", "người", 10000),
]


def summary_document():
    """The 34-province summary of 2021–2025 as the builder would return it (synthetic figures)."""
    from khuyencong.dashboards.scope import NATIONAL, DashboardScope
    from khuyencong.documents.issuer import Issuer
    from khuyencong.documents.kinds import programme_summary as kind
    from khuyencong.planning.models import Programme

    rng = random.Random(SEED)
    lines = []
    for number, (_code, name) in enumerate(provinces(), 1):
        projects = rng.randint(8, 60)
        support = projects * rng.randint(150, 400) * 1_000_000
        allocated = int(support * rng.uniform(0.8, 1.05))
        disbursed = int(allocated * rng.uniform(0.3, 0.98))
        lines.append(
            kind.Line(number, name, projects=projects, done=int(projects * 0.7), beneficiaries=projects * 3,
                      support=support, allocated=allocated, disbursed=disbursed, settled=int(disbursed * 0.8))
        )  # fmt: skip
    total = kind.Line(None, kind.TOTAL)
    for line in lines:
        total.add(line)
    years = list(range(2021, 2026))
    by_year = [kind.Line(y, str(y), projects=total.projects // 5, support=total.support // 5,
                         plan=total.allocated // 4, allocated=total.allocated // 5,
                         disbursed=total.disbursed // 5, settled=total.settled // 5) for y in years]  # fmt: skip
    programme = Programme(name="Chương trình khuyến công quốc gia giai đoạn 2021–2025", start_year=2021, end_year=2025)
    targets = [
        {"name": name, "unit": unit, "target": value, "achieved": int(value * 0.8) if unit in ("mô hình", "cơ sở")
         else None, "under_way": 12 if unit == "mô hình" else None, "percent": "80,0%" if unit in ("mô hình", "cơ sở")
         else "", "basis": "số đề án thuộc nội dung này đã nghiệm thu tại cơ sở"}
        for name, unit, value in TARGETS
    ]  # fmt: skip
    issuer = Issuer(parent="BỘ CÔNG THƯƠNG", name="CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG", short="Cục",
                    place="Hà Nội", symbol="ĐMST", signer_authority="KT. CỤC TRƯỞNG", signer_title="PHÓ CỤC TRƯỞNG",
                    head="Cục trưởng", national=True)  # fmt: skip
    summary = kind.Summary(scope=DashboardScope(NATIONAL, label="Toàn quốc"), issuer=issuer, years=years,
                           generation=kind.CURRENT, provinces=lines, by_year=by_year, total=total, money=True,
                           rollup_total=None, programme=programme, targets=targets)  # fmt: skip
    return kind.document(summary, date=dt.date(2025, 12, 15))


# --- the cases -----------------------------------------------------------------------------------


def renderers():
    """name -> function(document) -> bytes, from the documents app's renderers."""
    from khuyencong.documents.render_docx import render_docx
    from khuyencong.documents.render_pdf import render_pdf
    from khuyencong.documents.render_xlsx import render_xlsx

    return {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx}


def docx_bare(table) -> bytes:
    from docx import Document

    document = Document()
    grid = document.add_table(rows=1, cols=len(table.columns))
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = text
    for row in [*table.rows, table.total]:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TRIVIAL_HTML = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><body style='font-family: \"Times New Roman\"'>"
    "<h1>BÁO CÁO</h1><p>Tổng kết thực hiện Chương trình khuyến công giai đoạn 2021–2025.</p></body></html>"
)


def pdf_bare(_table) -> bytes:
    from weasyprint import HTML

    return HTML(string=TRIVIAL_HTML).write_pdf()


def xlsx_bare(table) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([table.columns, *table.rows, table.total]):
        for c, value in enumerate(row):
            sheet.write(r, c, "" if value is None else value)
    book.close()
    return out.getvalue()


def pdf_pages(content: bytes) -> int:
    """The page count from poppler's ``pdfinfo`` (0 when it is not installed)."""
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("pdfinfo"):
        return 0
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=False).stdout
    found = [line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")]
    return int(found[0]) if found else 0


def measure(cases: dict, reps: int, warmup: int) -> dict[str, list[float]]:
    for _round in range(warmup):
        for run in cases.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _round in range(reps):
        for name, run in cases.items():  # round-robin: load on the machine hits every case alike
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 runs after 1 warm-up")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.warmup = 3, 1
    setup_django()
    document = summary_document()
    table = document.tables()[0]
    assert len(table.rows) == 34, len(table.rows)
    render = renderers()
    files = {name: function(document) for name, function in render.items()}
    sizes = {name: len(content) for name, content in files.items()}
    pages = pdf_pages(files["pdf"])
    cases = {
        "docx": lambda: render["docx"](document),
        "docx-bare": lambda: docx_bare(table),
        "pdf": lambda: render["pdf"](document),
        "pdf-bare": lambda: pdf_bare(table),
        "xlsx": lambda: render["xlsx"](document),
        "xlsx-bare": lambda: xlsx_bare(table),
    }
    times = measure(cases, args.reps, args.warmup)
    median = {name: statistics.median(values) for name, values in times.items()}
    report = markdown(median, sizes, args, pages)
    print(report)
    out = ROOT / "bench" / "results" / "documents.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


LABELS = {
    "docx": ("DOCX (python-docx, administrative layout)", "python-docx, the same table from a list"),
    "pdf": ("PDF (WeasyPrint)", "WeasyPrint, a trivial one-page HTML"),
    "xlsx": ("Excel (xlsxwriter, one sheet per table)", "xlsxwriter, the same table from a list"),
}


def markdown(median: dict[str, float], sizes: dict[str, int], args, pages: int = 0) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    lines = [
        "# Official documents: rendering the 34-province programme summary",
        "",
        f"Run of {dt.date.today():%Y-%m-%d} on {platform.node() or 'this machine'} (Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}); median of {args.reps} "
        f"runs after {args.warmup} warm-up, in ms; `python bench/documents.py{' --quick' if args.quick else ''}`.",
        "",
        "| format | renderer | ms | baseline | baseline ms | ratio | file size |",
        "|---|---|--:|---|--:|--:|--:|",
    ]
    for name, (label, baseline) in LABELS.items():
        ratio = median[name] / median[f"{name}-bare"] if median[f"{name}-bare"] else float("nan")
        lines.append(
            f"| {name} | {label} | {median[name]:,.0f} | {baseline} | {median[f'{name}-bare']:,.0f} | "
            f"{ratio:.1f}× | {sizes[name] / 1024:,.0f} KB |"
        )
    lines += [
        "",
        f"The document: letterhead, narrative, the 34-province table (9 columns, totals row), the table "
        f"by year and the 12 targets of the 2021–2025 programme; {pages} pages of A4 as PDF. Ratios are within "
        "this run, so the machine's load cancels out; read them rather than the absolute times.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
