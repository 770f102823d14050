from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "khuyencong.adjustments"
    verbose_name = _("Adjustments")

    def ready(self) -> None:
        if apps.is_installed("khuyencong.contracts"):
            from khuyencong.adjustments.commitments import contracted
            from khuyencong.projects.adjust import _COMMITMENTS, register_commitment

            if contracted not in _COMMITMENTS:
                register_commitment(contracted)
