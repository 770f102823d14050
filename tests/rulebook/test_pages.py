"""The legal-document and rulebook pages."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from khuyencong.audit.models import AccessLog
from khuyencong.rulebook.models import ActivityContent, LegalDocument, SpendingNorm
from khuyencong.rulebook.services import applicable_rule

pytestmark = pytest.mark.django_db
NEXT_MONTH = dt.date.today() + dt.timedelta(days=31)


def test_legal_document_list_searches_without_accents_and_filters(client_for, hatinh_officer):
    pages = client_for(hatinh_officer)
    body = pages.get(reverse("rulebook:legaldocument_list"), {"q": "binh chon san pham"}).content.decode()
    assert "26/2014/TT-BCT" in body and "28/2018/TT-BTC" not in body
    body = pages.get(reverse("rulebook:legaldocument_list"), {"doc_type": "decree"}).content.decode()
    assert "45/2012/NĐ-CP" in body and "36/2013/TT-BCT" not in body
    body = pages.get(reverse("rulebook:legaldocument_list"), {"year": "2018"}).content.decode()
    assert "28/2018/TT-BTC" in body and "45/2012/NĐ-CP" not in body
    bad = pages.get(reverse("rulebook:legaldocument_list"), {"year": "abc"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()


def test_legal_document_export(client_for, admin_user):
    response = client_for(admin_user).get(reverse("rulebook:legaldocument_export"), {"field": "finance"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
    assert "28/2018/TT-BTC" in text and "45/2012/NĐ-CP" not in text


def test_detail_shows_rules_relations_and_file(client_for, admin_user, hatinh_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    body = client_for(hatinh_officer).get(reverse("rulebook:legaldocument_detail", args=[tt28.pk])).content.decode()
    assert "26/2014/TTLT-BTC-BCT" in body and "64/2024/TT-BTC" in body  # replaces, amended by
    assert "Ứng dụng máy móc thiết bị tiên tiến" in body and "kc-unconfirmed" in body
    pages = client_for(admin_user)
    upload = SimpleUploadedFile("tt28.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    data = {"number": tt28.number, "doc_type": "circular", "title": tt28.title, "issuing_body": tt28.issuing_body,
            "issued_on": "28/03/2018", "effective_from": "11/05/2018", "field": "finance",
            "replaces": tt28.replaces_id, "file": upload}  # fmt: skip
    response = pages.post(reverse("rulebook:legaldocument_edit", args=[tt28.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    tt28.refresh_from_db()
    assert tt28.file.name.endswith(".pdf") and tt28.issued_on == dt.date(2018, 3, 28)
    download = pages.get(reverse("rulebook:legaldocument_file", args=[tt28.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert AccessLog.objects.filter(kind="download", target="rulebook.legaldocument").exists()


def test_provincial_officer_reads_but_cannot_edit(client_for, hatinh_officer):
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    pages = client_for(hatinh_officer)
    assert pages.get(reverse("rulebook:legaldocument_edit", args=[tt28.pk])).status_code == 403
    assert pages.get(reverse("rulebook:legaldocument_add")).status_code == 403
    rule = SpendingNorm.objects.filter(code="machinery").first()
    assert pages.get(reverse("rulebook:rule_add", args=["norm"])).status_code == 403
    assert pages.get(reverse("rulebook:rule_edit", args=["norm", rule.pk])).status_code == 403


@pytest.mark.parametrize("kind", ["norm", "advance", "dossier", "deadline"])
def test_rulebook_pages_of_each_kind(client_for, admin_user, kind):
    pages = client_for(admin_user)
    response = pages.get(reverse("rulebook:rulebook"), {"kind": kind, "on": "01/06/2020"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "01/06/2020" in body and 'id="empty-state"' not in body
    rule_url = body.split('class="kc-rule-link')[0].rsplit('href="', 1)[1].split('"')[0]
    detail = pages.get(rule_url)
    assert detail.status_code == 200 and 'id="versions"' in detail.content.decode()
    assert pages.get(reverse("rulebook:rule_add", args=[kind])).status_code == 200


def test_rulebook_shows_the_version_in_force_on_the_chosen_date(client_for, hatinh_officer):
    pages = client_for(hatinh_officer)
    content = "2012-03"
    old = pages.get(reverse("rulebook:rulebook"), {"on": "01/01/2016", "content": content}).content.decode()
    new = pages.get(reverse("rulebook:rulebook"), {"on": "01/01/2019", "content": content}).content.decode()
    assert "500.000.000 đ" in old and "1.000.000.000 đ" not in old
    assert "1.000.000.000 đ" in new and "450.000.000 đ" in new  # the full line
    local = pages.get(reverse("rulebook:rulebook"), {"on": "01/01/2026", "jurisdiction": "66"}).content.decode()
    assert "800.000.000 đ" in local and "1.000.000.000 đ" not in local
    bad = pages.get(reverse("rulebook:rulebook"), {"on": "31/02/2026"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()


def test_administrator_adds_a_version_typing_amounts_in_words(client_for, admin_user):
    pages = client_for(admin_user)
    tt28 = LegalDocument.objects.get(number="28/2018/TT-BTC")
    contents = ActivityContent.objects.filter(code__in=["2012-03", "2025-03"]).values_list("pk", flat=True)
    data = {"legal_document": tt28.pk, "code": "demonstration_model", "name": "Xây dựng mô hình trình diễn kỹ thuật",
            "level": "national", "effective_from": NEXT_MONTH.strftime("%d/%m/%Y"), "percent_cap": "30",
            "amount_cap": "1,2 tỷ", "basis": "model", "area": "any", "beneficiary": "any", "contents": list(contents),
            "year_offset": 0}  # fmt: skip
    response = pages.post(reverse("rulebook:rule_add", args=["norm"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert applicable_rule(SpendingNorm, on=NEXT_MONTH, code="demonstration_model").rule.amount_cap == 1_200_000_000
    today = applicable_rule(SpendingNorm, on=dt.date.today(), code="demonstration_model").rule
    assert today.amount_cap == 1_000_000_000
    # the same version again overlaps: a field message, nothing saved
    again = pages.post(reverse("rulebook:rule_add", args=["norm"]), {**data, "amount_cap": "1.000.000.000"})
    assert again.status_code == 200 and "invalid-feedback" in again.content.decode()
    negative = pages.post(reverse("rulebook:rule_add", args=["norm"]), {**data, "amount_cap": "-5"})
    assert negative.status_code == 200
    assert SpendingNorm.objects.filter(code="demonstration_model", level="national").count() == 3
    # no legal basis: refused on the field
    missing = pages.post(reverse("rulebook:rule_add", args=["norm"]), {**data, "legal_document": ""})
    assert missing.status_code == 200 and "invalid-feedback" in missing.content.decode()
    assert SpendingNorm.objects.filter(code="demonstration_model", level="national").count() == 3


def test_a_version_in_force_offers_no_correction(client_for, admin_user):
    rule = applicable_rule(SpendingNorm, on=dt.date.today(), code="machinery").rule
    pages = client_for(admin_user)
    body = pages.get(reverse("rulebook:rule_detail", args=["norm", rule.pk])).content.decode()
    assert reverse("rulebook:rule_edit", args=["norm", rule.pk]) not in body
    response = pages.post(reverse("rulebook:rule_edit", args=["norm", rule.pk]), {"amount_cap": "1"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.amount_cap == 300_000_000
    delete = pages.post(reverse("rulebook:rule_delete", args=["norm", rule.pk]))
    assert delete.status_code == 302 and SpendingNorm.objects.filter(pk=rule.pk).exists()


def test_legal_documents_newest_first_and_undated_last(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get(reverse("rulebook:legaldocument_list")).content.decode()
    numbers = [chunk.split("<")[0] for chunk in body.split('class="kc-row-link" href="')[1:]]
    numbers = [n.split(">", 1)[1] for n in numbers]
    assert numbers[0] == "23/2025/NQ-HĐND"  # in force 1/1/2026, the latest known date
    assert numbers.index("20/CT-BCT") < numbers.index("45/2012/NĐ-CP")
    assert numbers[-1] in {"2990/BCT-CTĐP", "17/2018/TT-BCT", "08/2024/NQ-HĐND"}  # no date known
