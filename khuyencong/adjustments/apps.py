from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "khuyencong.adjustments"
    verbose_name = _("Adjustments")
