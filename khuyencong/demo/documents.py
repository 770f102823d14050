"""Demo official documents: a few reports already generated, so the document centre ("Văn bản,
báo cáo") shows its list and files on a fresh demo. Each is built from the demo's own records as
the officer who would write it sees them, rendered to DOCX, PDF and Excel and logged exactly as
the generation job does (``documents.actions.record_generated``), without a worker. Idempotent:
a document already there (by its ``demo`` key) is not made again."""

from __future__ import annotations

from khuyencong.accounts.models import User
from khuyencong.documents import actions, registry
from khuyencong.documents.models import GeneratedDocument
from khuyencong.documents.services import generate_files
from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused

# (demo key, who writes it, the form as they would fill it in)
DOCUMENTS = [
    ("demo-bc-6t-2022", "cuc.chuyenvien",
     {"scope": "national", "year": "2022", "period": "h1", "number": "215/BC-CTĐP", "date": "2022-07-15",
      "signer_name": "Ngô Quang Trung"}),
    ("demo-bc-nam-2024", "cuc.chuyenvien",
     {"scope": "national", "year": "2024", "period": "year", "number": "18/BC-CTĐP", "date": "2025-01-20",
      "signer_name": "Ngô Quang Trung"}),
    ("demo-bc-nam-2024-ha-tinh", "hatinh.chuyenvien",
     {"scope": "province:42", "year": "2024", "period": "year", "number": "45/BC-SCT", "date": "2025-01-15",
      "signer_name": "Trần Văn Bình"}),
]  # fmt: skip


def load_documents() -> dict:
    kind = registry.get("periodic_report")
    if kind is None:
        return {"documents": 0, "added": 0}
    done = set(GeneratedDocument.objects.filter(params__demo__isnull=False).values_list("params__demo", flat=True))
    added = 0
    for key, username, data in DOCUMENTS:
        user = User.objects.filter(username=username).first()
        if key in done or user is None:
            continue
        try:
            params = actions.cleaned_params(user=user, kind=kind, data=data)
            with acting_as(user):
                doc = kind.build(user, params)
                actions.record_generated(user=user, kind=kind, params=params, doc=doc, files=generate_files(doc),
                                         data={**data, "demo": key})  # fmt: skip
        except ActionRefused:
            continue  # the records this report reads were not loaded (a small demo)
        added += 1
    return {"documents": GeneratedDocument.objects.count(), "added": added}
