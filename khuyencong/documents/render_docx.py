"""An :class:`OfficialDocument` as a Word file (python-docx), in the layout of Vietnamese
administrative documents (Decree 30/2020/NĐ-CP): A4, margins 2 cm top and bottom, 3 cm left,
1.5 cm right, Times New Roman 13 pt; the issuing body and the national motto side by side at the
top, each with a short rule under it; number (and "V/v …" for a letter) under the issuer, the
place and date in italics under the motto; title and subject centred; "Kính gửi"; the body with
its tables (header row repeated on every page, numbers right-aligned, totals in bold); "Nơi nhận"
at the bottom left and the signature block at the bottom right."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from khuyencong.documents import layout
from khuyencong.documents.model import Heading, OfficialDocument, Paragraph, Table

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
WIDE_TABLE_PT = 10  # tables of more than six columns (amounts of 15 digits must fit)
CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
TEXT_WIDTH_CM = 21 - 3 - 1.5


def _spacing(paragraph, before: float = 0, after: float = 0) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)


def _run(paragraph, text: str, *, bold=False, italic=False, underline=False, size: float = BODY_PT):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    return run


def _para(container, text: str = "", *, align=LEFT, bold=False, italic=False, size: float = BODY_PT,
          before: float = 0, after: float = 0, indent_cm: float = 0):  # fmt: skip
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    _spacing(paragraph, before, after)
    if indent_cm:
        paragraph.paragraph_format.first_line_indent = Cm(indent_cm)
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _first_para(cell, text: str = "", **kwargs):
    """The cell's own first paragraph, filled like :func:`_para`."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = kwargs.pop("align", CENTER)
    _spacing(paragraph, kwargs.pop("before", 0), kwargs.pop("after", 0))
    if text:
        _run(paragraph, text, **kwargs)
    return paragraph


def _rule(cell, width_cm: float, cell_width_cm: float) -> None:
    """A short centred line under a heading: an empty paragraph's bottom border, narrowed by
    indents on both sides (how a typist draws it in Word)."""
    paragraph = cell.add_paragraph()
    _spacing(paragraph, 0, 0)
    side = max((cell_width_cm - width_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = Cm(side), Cm(side)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _setup(document) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{key}"), FONT)
    style.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)


def _header(document, doc: OfficialDocument) -> None:
    left_w, right_w = 6.5, TEXT_WIDTH_CM - 6.5
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    if doc.issuer_parent:
        _first_para(left, doc.issuer_parent.upper(), size=12)
        _para(left, doc.issuer.upper(), align=CENTER, bold=True, size=12)
    else:
        _first_para(left, doc.issuer.upper(), bold=True, size=12)
    _rule(left, 2.2, left_w)
    _first_para(right, layout.MOTTO, bold=True, size=12)
    _para(right, layout.MOTTO_2, align=CENTER, bold=True, size=13)
    _rule(right, 5.6, right_w)
    number_cell, date_cell = table.cell(1, 0), table.cell(1, 1)
    _first_para(number_cell, layout.number_line(doc), size=13, before=6)
    subject = layout.subject_line(doc)
    if subject:
        _para(number_cell, subject, align=CENTER, size=12)
    _first_para(date_cell, layout.date_line(doc), italic=True, size=13, before=6)
    _widths(table, [left_w, right_w])


def _table(document, table: Table) -> None:
    if table.title:
        _para(document, table.title, align=CENTER, bold=True, size=BODY_PT, before=6, after=0)
    note = layout.unit_note(table)
    if note:
        _para(document, note, align=RIGHT, italic=True, size=TABLE_PT)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = TABLE_PT if len(table.columns) <= 6 else WIDE_TABLE_PT
    head = grid.rows[0]
    _repeat_header(head)
    for index, title in enumerate(table.columns):
        _first_para(head.cells[index], title, bold=True, size=size)
    rows = [(row, False) for row in table.rows]
    if table.total is not None:
        rows.append((table.total, True))
    for values, is_total in rows:
        cells = grid.add_row().cells
        for index, value in enumerate(values):
            align = RIGHT if index in table.numeric else (CENTER if index == 0 and not is_total else LEFT)
            _first_para(cells[index], layout.cell_text(value), bold=is_total, size=size, align=align)
    relative = table.widths or [1.0] * len(table.columns)
    total = sum(relative) or 1.0
    _widths(grid, [TEXT_WIDTH_CM * width / total for width in relative])


def _body(document, doc: OfficialDocument) -> None:
    for block in doc.blocks:
        if isinstance(block, Heading):
            _para(
                document, block.text, bold=True, before=6, after=3, align=JUSTIFY, indent_cm=1 if block.level > 1 else 0
            )
        elif isinstance(block, Paragraph):
            _para(document, block.text, bold=block.bold, italic=block.italic, align=JUSTIFY, after=3, indent_cm=1)
        elif isinstance(block, Table):
            _table(document, block)


def _footer(document, doc: OfficialDocument) -> None:
    _para(document, "")
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    lines = layout.recipient_lines(doc)
    if lines:
        _first_para(left, layout.RECIPIENTS, align=LEFT, bold=True, italic=True, size=12)
        for line in lines:
            _para(left, line, size=11)
    first = True
    for text in (doc.signer_authority, doc.signer_title):
        if text:
            if first:
                _first_para(right, text.upper(), bold=True, size=13)
                first = False
            else:
                _para(right, text.upper(), align=CENTER, bold=True, size=13)
    for _ in range(4):
        _para(right, "")
    if doc.signer_name:
        _para(right, doc.signer_name, align=CENTER, bold=True, size=13)
    _widths(table, [7.5, TEXT_WIDTH_CM - 7.5])


def render_docx(doc: OfficialDocument) -> bytes:
    document = Document()
    _setup(document)
    _header(document, doc)
    if doc.title:
        _para(document, doc.title.upper(), align=CENTER, bold=True, size=14, before=18)
        if doc.subject:
            _para(document, doc.subject, align=CENTER, bold=True, size=14)
    for index, line in enumerate(layout.addressee_lines(doc)):
        _para(document, line, align=CENTER, size=BODY_PT, before=12 if index == 0 else 0)
    _para(document, "")
    _body(document, doc)
    _footer(document, doc)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
