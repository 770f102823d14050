"""Rendering an official document into its files, and the generation job's work.

:func:`generate_files` is the pure part (an :class:`OfficialDocument` in, the DOCX, PDF and Excel
bytes out) that benchmarks time; :func:`run_generation` is what the job does: rebuild the document
from the records as the owner sees them now, render it, and log the files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from khuyencong.documents.model import OfficialDocument

Progress = Callable[[int, str], None]


def generate_files(doc: OfficialDocument, progress: Progress | None = None) -> dict[str, bytes]:
    """The document as ``{"docx": …, "pdf": …, "xlsx": …}`` bytes."""
    from khuyencong.documents.render_docx import render_docx
    from khuyencong.documents.render_pdf import render_pdf
    from khuyencong.documents.render_xlsx import render_xlsx

    files: dict[str, bytes] = {}
    steps: list[tuple[str, Callable[[OfficialDocument], bytes], int]] = [
        ("docx", render_docx, 40),
        ("pdf", render_pdf, 80),
        ("xlsx", render_xlsx, 90),
    ]
    for fmt, render, done in steps:
        files[fmt] = render(doc)
        if progress is not None:
            progress(done, fmt.upper())
    return files


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
