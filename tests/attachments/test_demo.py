"""The demo attaches signed decisions to Hà Tĩnh's approved plans and registration certificates to a
few of its establishments, once."""

import pytest

from khuyencong.attachments.models import Attachment
from khuyencong.demo.attachments import load_attachments, pdf
from khuyencong.demo.planning import load_planning
from khuyencong.demo.registry import load_registry
from khuyencong.organisation.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_documents_are_attached_once(territory, files_dir):
    load_demo()
    load_registry(establishments=20)
    load_planning()
    first = load_attachments()
    assert first["documents"] >= 7
    assert Attachment.objects.filter(slot="decision").exists()
    assert Attachment.objects.filter(slot="business_registration", version=2).count() == 1
    assert load_attachments()["documents"] == 0


def test_the_generated_pdf_is_a_pdf():
    assert pdf("QD (1)").startswith(b"%PDF-1.4") and pdf("x").rstrip().endswith(b"%%EOF")
