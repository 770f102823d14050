"""System checks for the attachment settings: an unknown file type, and files kept outside the
media directory (which the backup does not carry)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks

from khuyencong.attachments.validation import TYPES


@checks.register()
def attachment_settings(app_configs=None, **kwargs):
    found = []
    unknown = sorted(set(settings.KC_ATTACHMENT_TYPES) - set(TYPES))
    if unknown:
        found.append(
            checks.Error(
                f"KC_ATTACHMENT_TYPES names file types this system cannot check: {', '.join(unknown)}.",
                hint=f"Choose among {', '.join(TYPES)}.",
                id="attachments.E001",
            )
        )
    files, media = Path(settings.KC_FILES_DIR).resolve(), Path(settings.MEDIA_ROOT).resolve()
    if media != files and media not in files.parents and settings.KC_ENV != "test":
        found.append(
            checks.Warning(
                "KC_FILES_DIR is outside KC_MEDIA_ROOT: backups (khuyencong backup) will not include attached files.",
                hint="Keep KC_FILES_DIR under KC_MEDIA_ROOT, or back that directory up separately.",
                id="attachments.W001",
            )
        )
    static = Path(settings.STATIC_ROOT).resolve()
    if files == static or static in files.parents:
        found.append(
            checks.Error("KC_FILES_DIR must not lie under STATIC_ROOT: files would be public.", id="attachments.E002")
        )
    return found
