from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "khuyencong.documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from khuyencong.documents import (
            jobs,  # noqa: F401 (registers the generation job)
            registry,
        )
        from khuyencong.documents.kinds import KINDS

        for kind in KINDS:
            registry.register(kind)
