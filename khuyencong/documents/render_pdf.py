"""An :class:`OfficialDocument` as PDF: an HTML page in the same layout as the Word file
(``documents/official.html``) rendered by WeasyPrint. The font asked for is Times New Roman;
where it is not installed, Liberation Serif (fonts-liberation2, metric-compatible and complete
for Vietnamese) answers to it and is embedded."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from khuyencong.documents import layout
from khuyencong.documents.model import Heading, OfficialDocument, Paragraph, Table


def _table_context(table: Table) -> dict:
    relative = table.widths or [1.0] * len(table.columns)
    total = sum(relative) or 1.0
    columns = [
        {"title": title, "width": f"{100 * width / total:.2f}", "numeric": index in table.numeric}
        for index, (title, width) in enumerate(zip(table.columns, relative, strict=False))
    ]

    def cells(values, is_total=False):
        return [
            {
                "text": layout.cell_text(value),
                "align": "right" if index in table.numeric else ("center" if index == 0 and not is_total else "left"),
            }
            for index, value in enumerate(values)
        ]

    return {
        "title": table.title,
        "wide": len(table.columns) > 6,
        "columns": columns,
        "unit_note": layout.unit_note(table),
        "rows": [cells(row) for row in table.rows],
        "total": cells(table.total, True) if table.total is not None else None,
    }


def html_of(doc: OfficialDocument) -> str:
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            blocks.append({"type": "heading", "text": block.text, "level": block.level})
        elif isinstance(block, Paragraph):
            blocks.append({"type": "paragraph", "text": block.text, "bold": block.bold, "italic": block.italic})
        elif isinstance(block, Table):
            blocks.append({"type": "table", **_table_context(block)})
    context = {
        "doc": doc,
        "motto": layout.MOTTO,
        "motto_2": layout.MOTTO_2,
        "number_line": layout.number_line(doc),
        "subject_line": layout.subject_line(doc),
        "date_line": layout.date_line(doc),
        "addressees": layout.addressee_lines(doc),
        "recipients_label": layout.RECIPIENTS,
        "recipients": layout.recipient_lines(doc),
        "blocks": blocks,
    }
    return render_to_string("documents/official.html", context)


def render_pdf(doc: OfficialDocument) -> bytes:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO lines name every step
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML  # imported late: loading Pango costs time at start-up

    return HTML(string=html_of(doc)).write_pdf()
