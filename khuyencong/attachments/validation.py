"""Pure rules for an uploaded document: its name, its size, and what its bytes say it is.

The extension a person gives a file is a claim; the first bytes are the evidence. A file is
accepted only when both agree on one of :data:`TYPES` (a renamed program is refused as
``forbidden_type``), it is not empty (``empty_file``) and not larger than the limit (``too_large``).
Office files of 2007 and later are ZIP archives: the archive must hold the part a Word document
(``word/``) or a workbook (``xl/``) has. No database, no settings: callers pass the limits.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from khuyencong.kernel.lifecycle import ActionRefused

# How many leading bytes the sniff reads.
HEAD_BYTES = 16

PDF, OLE, ZIP, JPEG, PNG = "pdf", "ole", "zip", "jpeg", "png"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),  # Word 97–2003, Excel 97–2003
    (b"PK\x03\x04", ZIP),  # Word and Excel 2007+ (checked further: word/ or xl/ inside)
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)


@dataclass(frozen=True)
class FileType:
    extension: str
    media_type: str
    magic: str  # what the first bytes must be
    zip_part: str = ""  # for Office Open XML: a folder the archive must hold
    family: str = ""  # the format's own name (PDF, Word…), the same in every language


TYPES: dict[str, FileType] = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", PDF, family="PDF"),
        FileType("doc", "application/msword", OLE, family="Word"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ZIP,
            "word/",
            family="Word",
        ),
        FileType("xls", "application/vnd.ms-excel", OLE, family="Excel"),
        FileType(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/", family="Excel"
        ),
        FileType("jpg", "image/jpeg", JPEG, family="JPG"),
        FileType("jpeg", "image/jpeg", JPEG, family="JPG"),
        FileType("png", "image/png", PNG, family="PNG"),
    )
}

SLOT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,59}$")
MAX_NAME = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def sniff(head: bytes) -> str | None:
    """What the first bytes of a file say it is (one of the magic kinds), or None."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def clean_filename(name: str) -> str:
    """The last part of ``name`` (no folders from either kind of separator), NFC, without control
    or reserved characters, at most 200 characters keeping the extension."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("", name).strip().strip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or "tep"


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def format_size(size: int) -> str:
    """A size as people say it: ``20 MB``, ``512 KB``, ``1,5 MB`` (decimal comma)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} B"


def allowed_hint(allowed: list[str] | tuple[str, ...]) -> str:
    """``PDF, Word, Excel, JPG, PNG`` for the allowed extensions, in the order of :data:`TYPES`."""
    labels: list[str] = []
    for ext, kind in TYPES.items():
        if ext in allowed and kind.family not in labels:
            labels.append(kind.family)
    return ", ".join(labels)


def accept_attribute(allowed: list[str] | tuple[str, ...]) -> str:
    """The ``accept`` attribute of a file input: extensions the browser offers first."""
    return ",".join(f".{ext}" for ext in TYPES if ext in allowed)


def forbidden_type(allowed: list[str] | tuple[str, ...]) -> ActionRefused:
    return ActionRefused(
        "forbidden_type",
        _("This kind of file is not accepted. Accepted: %(types)s.") % {"types": allowed_hint(allowed)},
        field="file",
        status=422,
    )


def check_upload(
    *, name: str, size: int, head: bytes, max_bytes: int, allowed: list[str] | tuple[str, ...]
) -> FileType:
    """The file's type when ``name`` (already cleaned), ``size`` and ``head`` (its first bytes) pass;
    else :class:`ActionRefused` ``empty_file``, ``too_large`` or ``forbidden_type`` (422, field ``file``)."""
    if size <= 0 or not head:
        raise ActionRefused("empty_file", _("The file is empty."), field="file", status=422)
    if size > max_bytes:
        raise ActionRefused(
            "too_large",
            _("The file is larger than %(limit)s.") % {"limit": format_size(max_bytes)},
            field="file",
            status=422,
        )
    kind = TYPES.get(extension_of(name))
    if kind is None or kind.extension not in allowed or sniff(head) != kind.magic:
        raise forbidden_type(allowed)
    return kind


def check_zip_parts(kind: FileType, stream: IO[bytes], allowed: list[str] | tuple[str, ...]) -> None:
    """For a Word or Excel 2007+ file, refuse an archive that is not one (``forbidden_type``)."""
    if not kind.zip_part:
        return
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise forbidden_type(allowed) from None
    if "[Content_Types].xml" not in names or not any(n.startswith(kind.zip_part) for n in names):
        raise forbidden_type(allowed)


def slot_error(slot: str) -> ActionRefused | None:
    if not SLOT_PATTERN.match(slot or ""):
        return ActionRefused("invalid_slot", _("Choose which document this is."), field="slot", status=422)
    return None
