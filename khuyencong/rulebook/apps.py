from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulebookConfig(AppConfig):
    name = "khuyencong.rulebook"
    label = "rulebook"
    verbose_name = _("Legal documents and rulebook")

    def load_reference_data(self) -> None:
        from khuyencong.rulebook.reference import load_reference_data

        load_reference_data()
