"""The document kinds the app registers (``DocumentsConfig.ready``). Each module exposes ``KIND``."""

from __future__ import annotations

from khuyencong.documents.kinds.periodic_report import KIND as PERIODIC_REPORT
from khuyencong.documents.kinds.programme_summary import KIND as PROGRAMME_SUMMARY
from khuyencong.documents.kinds.reminder_letter import KIND as REMINDER_LETTER

KINDS = [PERIODIC_REPORT, REMINDER_LETTER, PROGRAMME_SUMMARY]
