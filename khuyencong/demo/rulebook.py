"""Demo rulebook records: Hà Tĩnh's local norms, so the local-norm pages have a second province.

The national texts and norms come from the migrations (DOMAIN.md §4). The Hà Tĩnh resolution
here is illustrative, not a real text: its number says so and every figure is marked unconfirmed.
Idempotent: the resolution is keyed by its number.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level, SpendingNorm
from khuyencong.territory.models import Province

NUMBER = "DEMO-01/2024/NQ-HĐND Hà Tĩnh"
NOTE = "Số liệu minh họa của bộ dữ liệu demo, không phải nghị quyết thật."
NORMS = [
    ("demonstration_model", "Xây dựng mô hình trình diễn kỹ thuật", "model", 30, 500_000_000, None),
    ("machinery", "Ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ", "establishment", 50, 250_000_000, 1.5),
]


def load_rulebook() -> dict:
    if LegalDocument.objects.filter(number=NUMBER).exists():
        return {"norms": 0}
    ha_tinh = Province.objects.current().filter(code="42").first()
    if ha_tinh is None:
        return {"norms": 0}
    contents = list(ActivityContent.objects.filter(code__in=["2012-03", "2025-03"]))
    with transaction.atomic():
        resolution = LegalDocument.objects.create(
            number=NUMBER, doc_type=LegalDocument.Type.RESOLUTION, issuing_body="HĐND tỉnh Hà Tĩnh",
            title="Nghị quyết quy định mức chi khuyến công địa phương tỉnh Hà Tĩnh (minh họa)",
            field=LegalDocument.Field.FINANCE, province=ha_tinh, effective_from=dt.date(2024, 1, 1), to_confirm=NOTE,
        )  # fmt: skip
        for code, name, basis, percent, cap, multiplier in NORMS:
            norm = SpendingNorm.objects.create(
                code=code, name=name, level=Level.LOCAL, province=ha_tinh, legal_document=resolution,
                effective_from=dt.date(2024, 1, 1), basis=basis, percent_cap=percent, amount_cap=cap,
                line_multiplier=multiplier, unconfirmed=True, unconfirmed_note=NOTE,
            )  # fmt: skip
            norm.contents.set(contents)
    return {"norms": len(NORMS)}
