"""The three renderers read back: the Word file's header, number, date, recipients and table
totals; the PDF's Vietnamese text, embedded Liberation Serif and a header that is drawn; the
Excel totals equal the Word file's."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from docx import Document

from khuyencong.documents import layout
from khuyencong.documents.render_docx import render_docx
from khuyencong.documents.render_pdf import render_pdf
from khuyencong.documents.render_xlsx import render_xlsx
from khuyencong.documents.services import generate_files
from tests.documents.samples import sample

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdftoppm) not installed")


def _docx_text(content: bytes) -> tuple[list[str], list]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(p.text for p in cell.paragraphs)
    return paragraphs, document


def test_docx_has_the_administrative_layout():
    content = render_docx(sample())
    texts, document = _docx_text(content)
    joined = "\n".join(texts)
    for expected in ("BỘ CÔNG THƯƠNG", "CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG", layout.MOTTO, layout.MOTTO_2,
                     "Số: 123/BC-CTĐP", "Hà Nội, ngày 15 tháng 7 năm 2022", "BÁO CÁO",
                     "Kết quả thực hiện hoạt động khuyến công 6 tháng đầu năm 2022", "Nơi nhận:",
                     "- Bộ trưởng (để báo cáo);", "- Lưu: VT, KCĐP.", "KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG",
                     "Nguyễn Văn An", "Đơn vị tính: đồng"):  # fmt: skip
        assert expected in joined, expected
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.right_margin.cm, 1) == 1.5
    assert round(section.top_margin.cm, 1) == 2.0 and round(section.bottom_margin.cm, 1) == 2.0
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 13
    # the header table: issuer at left, motto at right; the date in italics
    header = document.tables[0]
    assert "CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG" in header.cell(0, 0).text and layout.MOTTO in header.cell(0, 1).text
    date_run = header.cell(1, 1).paragraphs[0].runs[0]
    assert date_run.italic and date_run.text == "Hà Nội, ngày 15 tháng 7 năm 2022"
    # the data table: header repeated, numbers right-aligned and grouped, the total in bold
    data = document.tables[1]
    assert data.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    assert [c.text for c in data.rows[1].cells] == ["1", "Hà Tĩnh", "2.080.000.000", "1.400.000.000", "67,31"]
    total = data.rows[-1]
    assert total.cells[2].text == "4.230.000.000" and total.cells[2].paragraphs[0].runs[0].bold
    assert total.cells[2].paragraphs[0].alignment == 2  # RIGHT
    recipients = document.tables[2].cell(0, 0).paragraphs[0].runs[0]
    assert recipients.text == "Nơi nhận:" and recipients.bold and recipients.italic and recipients.font.size.pt == 12


def test_a_letter_has_its_subject_under_the_number_and_its_addressees():
    texts, _document = _docx_text(render_docx(sample(letter=True)))
    joined = "\n".join(texts)
    assert "V/v Kết quả thực hiện hoạt động khuyến công 6 tháng đầu năm 2022" in joined
    assert "Kính gửi:" in joined and "- Sở Công Thương tỉnh Hà Tĩnh;" in joined
    assert "- Sở Công Thương tỉnh Nghệ An." in joined
    assert "BÁO CÁO" not in joined


def test_a_blank_number_keeps_room_to_write_it_by_hand():
    doc = sample()
    doc.number = "      /BC-KC"
    assert layout.number_line(doc) == "Số: " + "\u00a0" * 6 + "/BC-KC"


def test_cells_are_written_as_vietnamese_documents_write_them():
    assert layout.cell_text(2_080_000_000) == "2.080.000.000"
    assert layout.cell_text(-1_500) == "-1.500"
    assert layout.cell_text(Decimal("5.74")) == "5,74"
    assert layout.cell_text(Decimal("100")) == "100,00"
    assert layout.cell_text(Decimal("1234.5")) == "1.234,50"
    assert layout.cell_text(None) == ""


def test_excel_totals_equal_the_word_totals():
    doc = sample()
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))
    assert len(book.sheetnames) == len(doc.tables())
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = rows.index(tuple(doc.tables()[0].columns))
    body, total = rows[header_index + 1 : -1], rows[-1]
    assert total[1] == "Tổng cộng" and total[2] == 4_230_000_000 and total[3] == 1_850_000_000
    assert sum(row[2] for row in body) == total[2]
    assert sheet.cell(header_index + 2, 3).number_format == "#,##0"
    _texts, document = _docx_text(render_docx(doc))
    word_total = [c.text for c in document.tables[1].rows[-1].cells]
    assert word_total[2] == layout.cell_text(total[2]) and word_total[3] == layout.cell_text(total[3])


def test_excel_keeps_formula_like_text_as_text():
    doc = sample()
    doc.tables()[0].rows[0][1] = "=HYPERLINK(1)"
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc))).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "=HYPERLINK(1)" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_generate_files_gives_the_three_formats():
    files = generate_files(sample())
    assert set(files) == {"docx", "pdf", "xlsx"}
    assert files["docx"][:2] == b"PK" and files["xlsx"][:2] == b"PK" and files["pdf"][:5] == b"%PDF-"


@needs_poppler
def test_pdf_text_fonts_and_header_are_right(tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(render_pdf(sample(letter=True)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kính gửi",
                     "Hà Tĩnh", "Thừa Thiên Huế", "Hà Nội, ngày 15 tháng 7 năm 2022", "Nơi nhận:",
                     "2.080.000.000", "Nguyễn Văn An"):  # fmt: skip
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    lines = [line for line in fonts.splitlines() if "Liberation" in line]
    assert lines, fonts
    assert all(" yes " in line for line in lines), fonts  # embedded
    _assert_header_drawn(pdf, tmp_path)


def _assert_header_drawn(pdf, tmp_path) -> None:
    """Page 1 at 50 dpi: the top-left (issuer) and top-right (motto) areas have dark pixels."""
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
                   check=True)  # fmt: skip
    png = next(tmp_path.glob("p*.png"))
    width, height, pixels = _read_gray_png(png.read_bytes())
    assert width > 300 and height > 500

    def dark(x0, x1, y0, y1) -> int:
        return sum(1 for y in range(y0, y1) for x in range(x0, x1) if pixels[y][x] < 128)

    top = int(height * 0.12)
    assert dark(int(width * 0.12), int(width * 0.45), int(height * 0.05), top) > 50  # issuer
    assert dark(int(width * 0.5), int(width * 0.95), int(height * 0.05), top) > 50  # motto
    assert dark(0, width, int(height * 0.95), height) == 0  # the bottom margin is blank


def _read_gray_png(data: bytes) -> tuple[int, int, list[list[int]]]:
    """A minimal reader of the 8-bit PNG pdftoppm writes (greyscale or RGB, no image library
    needed): each pixel as its darkest channel."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = depth = colour = 0
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    assert depth == 8, depth
    raw = zlib.decompress(idat)
    stride = width * bpp + 1
    previous = bytearray(width * bpp)
    rows: list[list[int]] = []
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 0xFF
        channels = min(bpp, 3)
        rows.append([min(line[x * bpp : x * bpp + channels]) for x in range(width)])
        previous = line
    return width, height, rows
