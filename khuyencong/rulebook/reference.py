"""Reference data of the rulebook that needs the territory (loaded after it, idempotent)."""

from __future__ import annotations

from khuyencong.rulebook.models import RULE_MODELS, LegalDocument, Level
from khuyencong.territory.models import Province

# A province's own texts and the province that issued them, as it was on the issue date.
LOCAL_TEXTS = {
    "08/2024/NQ-HĐND": "87",  # Đồng Tháp before the 2025 merger
    "NQ-HĐND Đắk Lắk 2025": "66",
    "23/2025/NQ-HĐND": "25",  # Phú Thọ (after the merger)
}


def load_reference_data() -> int:
    linked = 0
    for number, code in LOCAL_TEXTS.items():
        document = LegalDocument.objects.filter(number=number, province__isnull=True).first()
        if document is None:
            continue
        on = document.effective_from or document.issued_on
        provinces = Province.objects.filter(code=code).order_by("-valid_from")
        province = next(
            (
                p
                for p in provinces
                if on is None
                or ((p.valid_from is None or p.valid_from <= on) and (p.valid_to is None or on <= p.valid_to))
            ),
            None,
        )
        if province is not None:
            document.province = province
            document.save()
            linked += 1
    link_local_rules()
    return linked


def link_local_rules() -> int:
    """Give each local rule seeded without a province the province of its resolution (saving
    recomputes its series key). A local rule without a province never applies."""
    linked = 0
    for model in RULE_MODELS:
        unlinked = model.objects.filter(
            level=Level.LOCAL, province__isnull=True, legal_document__province__isnull=False
        )
        for rule in unlinked.select_related("legal_document"):
            rule.province_id = rule.legal_document.province_id
            rule.save()
            linked += 1
    return linked
