from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "khuyencong.attachments"
    label = "attachments"
    verbose_name = _("Attached documents")

    def ready(self):
        from khuyencong.attachments import checks  # noqa: F401  (registers the system checks)
