from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "khuyencong.registry"
    label = "registry"

    def ready(self):
        from khuyencong.attachments.attachable import Slot, register
        from khuyencong.registry import jobs  # noqa: F401  (registers job handlers)

        # An establishment's own papers, read with the record and kept by those who change it.
        register(
            "registry.establishment",
            slots=[
                Slot("business_registration", _("Business registration certificate")),
                Slot("other", _("Other documents")),
            ],
        )
