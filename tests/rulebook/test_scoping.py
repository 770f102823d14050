"""Legal documents and rules in the scoping suite: read by every role, written by jurisdiction."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse

from khuyencong.organisation.models import Role
from khuyencong.rulebook.models import LegalDocument, Level, SpendingNorm
from khuyencong.territory.models import Province
from tests.scoping import JurisdictionSuite

R = Role
WRITES = {R.SYSTEM_ADMIN: {"national", "local"}, R.AGENCY_LEADER: {"national"}, R.PROVINCIAL_LEADER: {"local"}}
_serial = itertools.count(1)


def _province(code):
    return Province.objects.current().get(code=code) if code else None


class TestLegalDocumentScoping(JurisdictionSuite):
    model = LegalDocument
    page_list_url = "/rulebook/legal-documents/"
    api_list_url = "/api/v1/legal-documents"
    writes = WRITES

    def make_record(self, province_code):
        return LegalDocument.objects.create(
            number=f"{next(_serial)}/2026/PV-{province_code or 'TW'}", doc_type="resolution",
            issuing_body="Cơ quan thử", title="Văn bản phạm vi", province=_province(province_code),
        )  # fmt: skip

    def api_body(self, province_code):
        return {"number": f"{next(_serial)}/2026/API-{province_code or 'TW'}", "doc_type": "resolution",
                "issuing_body": "Cơ quan thử", "title": "Văn bản qua API", "province_code": province_code}  # fmt: skip

    def page_detail_url(self, obj):
        return reverse("rulebook:legaldocument_detail", args=[obj.pk])

    def api_detail_url(self, obj):
        return f"/api/v1/legal-documents/{obj.pk}"


class TestSpendingNormScoping(JurisdictionSuite):
    model = SpendingNorm
    page_list_url = "/rulebook/rules/"
    api_list_url = "/api/v1/rules"
    writes = WRITES

    def _document(self, province_code):
        number = f"PV-{province_code or 'TW'}/NQ"
        return LegalDocument.objects.get_or_create(
            number=number, defaults={"doc_type": "resolution", "issuing_body": "HĐND thử", "title": "Định mức thử",
                                     "province": _province(province_code)},
        )[0]  # fmt: skip

    def make_record(self, province_code):
        return SpendingNorm.objects.create(
            code=f"scope-{next(_serial)}", name="Định mức phạm vi", legal_document=self._document(province_code),
            level=Level.LOCAL if province_code else Level.NATIONAL, province=_province(province_code),
            effective_from=dt.date(2026, 1, 1), amount_cap=100_000_000,
        )  # fmt: skip

    def api_body(self, province_code):
        return {"kind": "norm", "code": f"scope-api-{next(_serial)}", "name": "Định mức qua API",
                "level": "local" if province_code else "national", "province_code": province_code,
                "legal_document_id": self._document(province_code).pk, "effective_from": "2027-01-01",
                "values": {"amount_cap": 200_000_000}}  # fmt: skip

    def page_detail_url(self, obj):
        return reverse("rulebook:rule_detail", args=["norm", obj.pk])

    def api_detail_url(self, obj):
        return f"/api/v1/rules/norm/{obj.pk}"
