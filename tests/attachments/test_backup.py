"""Attached files live under MEDIA_ROOT by default, so a backup carries them and a restore brings
them back; a KC_FILES_DIR outside it is reported by a system check."""

import hashlib
import tarfile

import pytest

from khuyencong.attachments import actions
from khuyencong.attachments.checks import attachment_settings
from khuyencong.kernel.backup import create_backup
from tests.attachments.conftest import PDF, upload
from tests.registry.factories import make_establishment


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_every_attached_file(hatinh_officer, territory, tmp_path):
    owner = make_establishment("42")
    a = actions.attach(user=hatinh_officer, owner=owner, slot="other", upload=upload())
    manifest = create_backup(tmp_path / "kc.tar.gz", log=lambda _t: None)
    member = f"media/attachments/{a.path}"
    assert manifest.files[member]["sha256"] == a.sha256 == hashlib.sha256(PDF).hexdigest()
    with tarfile.open(tmp_path / "kc.tar.gz") as archive:
        assert archive.extractfile(member).read() == PDF


def test_settings_are_checked(settings, tmp_path):
    assert attachment_settings() == []
    settings.KC_ENV = "production"
    settings.KC_FILES_DIR = tmp_path / "elsewhere"
    assert [c.id for c in attachment_settings()] == ["attachments.W001"]
    settings.KC_FILES_DIR = settings.STATIC_ROOT / "files"
    settings.KC_ATTACHMENT_TYPES = ["pdf", "exe"]
    assert {c.id for c in attachment_settings()} == {"attachments.E001", "attachments.W001", "attachments.E002"}
