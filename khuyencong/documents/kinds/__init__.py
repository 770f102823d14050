"""The document kinds the app registers (``DocumentsConfig.ready``). Each module exposes ``KIND``."""

from __future__ import annotations

from khuyencong.documents.kinds.periodic_report import KIND as PERIODIC_REPORT

KINDS = [PERIODIC_REPORT]
