"""Generated documents made directly (the log rows the centre lists), with small stand-in files."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from khuyencong.documents.models import FORMATS, GeneratedDocument
from khuyencong.documents.services import digest
from khuyencong.territory.models import Province


def make_document(province_code: str | None = "42", *, title: str = "", kind: str = "periodic_report", user=None):
    province = Province.objects.current().get(code=province_code) if province_code else None
    title = title or f"Báo cáo thử {province.short_name if province else 'toàn quốc'}"
    record = GeneratedDocument(
        kind=kind, title=title, number="1/BC-THU", document_date=dt.date(2026, 7, 15), province=province,
        created_by=user, params={"scope": f"province:{province_code}" if province_code else "national"},
    )  # fmt: skip
    for fmt in FORMATS:
        content = f"{title} {fmt}".encode()
        getattr(record, f"{fmt}_file").save(f"thu.{fmt}", ContentFile(content), save=False)
        setattr(record, f"{fmt}_size", len(content))
        setattr(record, f"{fmt}_sha256", digest(content))
    record.save()
    return record
