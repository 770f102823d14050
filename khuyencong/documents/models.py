"""The log of every official document the system generated: what, for which scope, by whom, when,
from which job, and the files (DOCX, PDF, Excel) with their sizes and SHA-256 digests.

A row is reached by the province the document covers (a provincial report) or the org unit (a
unit's report); a national document (neither) only by a nationwide reach.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import ScopedQuerySetMixin

FORMATS = ("docx", "pdf", "xlsx")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class GeneratedDocumentQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


class GeneratedDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("number"), max_length=60, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    docx_file = models.FileField(_("Word file"), upload_to="documents/%Y/%m/", blank=True)
    docx_size = models.PositiveIntegerField(default=0)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_file = models.FileField(_("PDF file"), upload_to="documents/%Y/%m/", blank=True)
    pdf_size = models.PositiveIntegerField(default=0)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_file = models.FileField(_("Excel file"), upload_to="documents/%Y/%m/", blank=True)
    xlsx_size = models.PositiveIntegerField(default=0)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)

    objects = GeneratedDocumentQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = "org_unit"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["province", "-created_at"], name="gendoc_province_created")]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        from khuyencong.documents import registry

        kind = registry.get(self.kind)
        return str(kind.label) if kind else self.kind

    def file_of(self, fmt: str):
        return getattr(self, f"{fmt}_file") if fmt in FORMATS else None

    def formats(self) -> list[str]:
        return [fmt for fmt in FORMATS if self.file_of(fmt)]
