"""Demo documents: the signed decisions of Hà Tĩnh's approved local plans and the business
registration certificates of a few Hà Tĩnh establishments (one with a second version), attached
through ``attachments.actions`` by the province's officer. Small generated PDFs; idempotent: an
owner that already holds a document in the slot is left alone."""

from __future__ import annotations

from django.core.files.base import ContentFile

from khuyencong.accounts.models import User
from khuyencong.attachments import actions
from khuyencong.attachments.models import Attachment
from khuyencong.kernel.context import acting_as
from khuyencong.planning.models import AnnualPlan, PlanVersion
from khuyencong.registry.models import Establishment


def pdf(title: str) -> bytes:
    """A one-page PDF showing ``title`` (ASCII letters only: the standard fonts have no Vietnamese)."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _has(owner, slot: str) -> bool:
    from django.contrib.contenttypes.models import ContentType

    owner_type = ContentType.objects.get_for_model(owner)
    return Attachment.objects.filter(owner_type=owner_type, object_id=owner.pk, slot=slot).exists()


def _attach(user, owner, slot: str, name: str, title: str, body_title: str) -> int:
    upload = ContentFile(pdf(body_title), name=name)
    upload.size = len(upload)
    actions.attach(user=user, owner=owner, slot=slot, upload=upload, title=title)
    return 1


def load_attachments() -> dict:
    officer = User.objects.filter(username="hatinh.chuyenvien").first()
    if officer is None:
        return {"documents": 0}
    added = 0
    with acting_as(officer):
        versions = PlanVersion.objects.filter(
            plan__province__code="42", plan__level="local", status=PlanVersion.Status.APPROVED
        ).select_related("plan")
        for version in versions.order_by("plan__year", "sequence"):
            if _has(version, "decision"):
                continue
            added += _attach(
                officer,
                version,
                "decision",
                f"QĐ phê duyệt kế hoạch khuyến công {version.plan.year} (bản ký).pdf",
                f"Quyết định phê duyệt kế hoạch khuyến công tỉnh Hà Tĩnh năm {version.plan.year}",
                f"QD phe duyet ke hoach khuyen cong tinh Ha Tinh nam {version.plan.year}",
            )
        establishments = Establishment.objects.filter(province__code="42", merged_into__isnull=True)
        for index, establishment in enumerate(establishments.order_by("id")[:5]):
            if _has(establishment, "business_registration"):
                continue
            for edition in range(1, 3 if index == 0 else 2):
                added += _attach(
                    officer,
                    establishment,
                    "business_registration",
                    f"Giấy chứng nhận ĐKKD – {establishment.name} (lần {edition}).pdf",
                    f"Giấy chứng nhận đăng ký kinh doanh (thay đổi lần {edition})",
                    f"Giay chung nhan dang ky kinh doanh - lan {edition}",
                )
    return {"documents": added, "plans": AnnualPlan.objects.filter(province__code="42").count()}
