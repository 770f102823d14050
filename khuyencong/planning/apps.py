from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "khuyencong.planning"
    label = "planning"
    verbose_name = _("Programmes and annual plans")

    def ready(self):
        from khuyencong.attachments.attachable import Slot, register

        # A plan version's signed decision (the scan of the decision that approved it).
        register(
            "planning.planversion",
            slots=lambda version: [
                Slot("decision", _("Signed approval decision"), required=not version.is_draft),
                Slot("other", _("Other documents")),
            ],
        )
