"""The pure rules: names, sizes and what the bytes say."""

import io

import pytest

from khuyencong.attachments import validation as v
from khuyencong.kernel.lifecycle import ActionRefused
from tests.attachments.conftest import EXE, PDF, PNG, office

ALLOWED = ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"]


def check(name, data, max_bytes=20 * 1024 * 1024):
    return v.check_upload(name=name, size=len(data), head=data[: v.HEAD_BYTES], max_bytes=max_bytes, allowed=ALLOWED)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\Quyết định.pdf", "Quyết định.pdf"),
        ("Quye\u0302\u0301t.pdf", "Quyết.pdf"),  # NFD from a Mac becomes NFC
        ("a\x00b<>|?.pdf", "ab.pdf"),
        ("", "tep"),
        ("...", "tep"),
    ],
)
def test_names_are_cleaned(raw, clean):
    assert v.clean_filename(raw) == clean


def test_long_names_keep_their_extension():
    name = v.clean_filename("x" * 500 + ".docx")
    assert len(name) == v.MAX_NAME and name.endswith(".docx")


def test_the_bytes_must_agree_with_the_extension():
    assert check("a.pdf", PDF).media_type == "application/pdf"
    assert check("a.PNG", PNG).extension == "png"
    for name, data in [("setup.pdf", EXE), ("a.png", PDF), ("a.exe", EXE), ("a", PDF), ("a.txt", b"hello")]:
        with pytest.raises(ActionRefused) as refused:
            check(name, data)
        assert refused.value.code == "forbidden_type" and refused.value.status == 422


def test_empty_and_too_large():
    with pytest.raises(ActionRefused) as refused:
        check("a.pdf", b"")
    assert refused.value.code == "empty_file"
    with pytest.raises(ActionRefused) as refused:
        check("a.pdf", PDF, max_bytes=20)
    assert refused.value.code == "too_large"


def test_the_size_limit_is_named_in_vietnamese():
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ActionRefused) as refused:
        v.check_upload(name="a.pdf", size=21 * 1024 * 1024, head=PDF, max_bytes=20 * 1024 * 1024, allowed=ALLOWED)
    assert refused.value.message == "Tệp vượt quá 20 MB."


def test_office_files_must_hold_their_part():
    v.check_zip_parts(v.TYPES["docx"], io.BytesIO(office("word/")), ALLOWED)
    v.check_zip_parts(v.TYPES["xlsx"], io.BytesIO(office("xl/")), ALLOWED)
    for kind, data in [("docx", office("xl/")), ("xlsx", b"PK\x03\x04 not a zip")]:
        with pytest.raises(ActionRefused) as refused:
            v.check_zip_parts(v.TYPES[kind], io.BytesIO(data), ALLOWED)
        assert refused.value.code == "forbidden_type"


def test_sizes_and_hints():
    assert v.format_size(20 * 1024 * 1024) == "20 MB"
    assert v.format_size(1536 * 1024) == "1,5 MB"
    assert v.allowed_hint(ALLOWED) == "PDF, Word, Excel, JPG, PNG"
    assert v.accept_attribute(["pdf", "png"]) == ".pdf,.png"


@pytest.mark.parametrize("slot, ok", [("decision", True), ("don_de_nghi.1", True), ("", False), ("A B", False),
                                      ("x" * 61, False)])  # fmt: skip
def test_slots_are_short_codes(slot, ok):
    assert (v.slot_error(slot) is None) == ok
