"""The Vietnamese catalogue is complete and actually used (no database needed).

``scripts/check_catalogue.py`` re-extracts every translatable string, fails on anything missing,
untranslated or fuzzy in ``khuyencong/locale/vi/LC_MESSAGES/django.po`` and recompiles
``django.mo``. When this fails: run ``make messages``, translate the new entries, commit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.translation import gettext, override
from django.utils.translation.reloader import translation_file_changed

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_catalogue.py"
PO_FILE = ROOT / "khuyencong" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogue_check() -> subprocess.CompletedProcess[str]:
    """Run the check once per module; it also compiles a fresh django.mo."""
    before = PO_FILE.read_bytes()
    proc = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert PO_FILE.read_bytes() == before, "check_catalogue.py must leave django.po untouched"
    # Drop Django's cached catalogues so the freshly compiled django.mo is read.
    translation_file_changed(sender=None, file_path=PO_FILE.with_suffix(".mo"))
    return proc


def test_vietnamese_catalogue_is_complete(catalogue_check):
    assert catalogue_check.returncode == 0, (
        "Vietnamese catalogue is incomplete; run `make messages` and translate:\n"
        + catalogue_check.stdout
        + catalogue_check.stderr
    )
    assert "all translated" in catalogue_check.stdout


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Log in", "Đăng nhập"),
        ("Log out", "Đăng xuất"),
        ("Change log", "Nhật ký thay đổi"),
        ("Export Excel", "Xuất Excel"),
        ("Jobs", "Tác vụ nền"),
        ("Org units", "Đơn vị"),
        ("Province", "Tỉnh/thành phố"),
        ("Commune", "Xã/phường/đặc khu"),
        ("Establishment", "Cơ sở CNNT"),
        ("Agency officer", "Chuyên viên Cục"),
        ("Provincial officer", "Chuyên viên Sở Công Thương"),
        ("Regional centre", "Trung tâm khuyến công vùng"),
    ],
)
def test_known_messages_are_vietnamese(catalogue_check, msgid, expected):
    with override("vi"):
        assert gettext(msgid) == expected
    with override("en"):
        assert gettext(msgid) == msgid


def test_placeholders_survive_translation(catalogue_check):
    with override("vi"):
        assert gettext("Saved “%(obj)s”.") % {"obj": "Sở Công Thương Hà Tĩnh"} == "Đã lưu “Sở Công Thương Hà Tĩnh”."
        assert gettext("Welcome, %(name)s") % {"name": "An"} == "Xin chào, An"


def test_lazy_model_labels_are_vietnamese(catalogue_check):
    from khuyencong.organisation.models import OrgUnit, Role

    with override("vi"):
        assert str(Role.IMPLEMENTER.label) == "Đơn vị thực hiện"
        assert str(OrgUnit._meta.verbose_name_plural) == "đơn vị"
