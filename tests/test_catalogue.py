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
        ("Jobs", "Tiến trình xuất/nhập"),
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


def _lint_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_catalogue", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_catalogue", module)  # dataclasses look their module up
    spec.loader.exec_module(sys.modules["check_catalogue"])
    return sys.modules["check_catalogue"]


HIDDEN_FROM_MAKEMESSAGES = """
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as tr

T = gettext_lazy
GREETING = translation.gettext("Hello")


class Thing(models.Model):
    name = models.CharField("full name", max_length=10)
    code = models.CharField(verbose_name="code", max_length=10)
    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE)

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", gettext_lazy("Closed")
"""


def test_source_lint_finds_every_hidden_string(tmp_path):
    problems = _lint_module().lint_python(tmp_path / "thing.py", HIDDEN_FROM_MAKEMESSAGES)
    text = "\n".join(problems)
    assert "imported as 'tr'" in text
    assert "alias of gettext_lazy" in text
    assert "translation.gettext(...)" in text
    assert "'full name'" in text
    assert "verbose_name='code'" in text
    assert "choice label 'Active'" in text
    assert "Closed" not in text  # marked, so fine
    assert "accounts.User" not in text  # a relation's model is not a label
    assert len(problems) == 6


def test_source_lint_finds_english_in_templates(tmp_path):
    template = (
        '{% load i18n %}<h1>{% translate "Establishments" %}</h1>\n'
        '<input placeholder="Search here" aria-label="{% translate \'Search\' %}">\n'
        "<p>No records yet</p><p>Trang chủ · Khuyến công</p><a>Excel</a>\n"
        "{% blocktranslate %}Showing {{ n }}{% endblocktranslate %}"
    )
    problems = _lint_module().lint_template(tmp_path / "page.html", template)
    assert problems == [
        f"{tmp_path / 'page.html'}:2: placeholder='Search here' is not translated",
        f"{tmp_path / 'page.html'}:3: text 'No records yet' is not translated",
    ]


def test_package_has_no_hidden_strings():
    assert _lint_module().lint_sources() == []
