from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "khuyencong.finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        # Acceptance and settlement (finance/sections_settlement.py, finance/home_settlement.py).
        from khuyencong.finance import home_settlement, sections_settlement
        from khuyencong.kernel import sections

        sections.register("projects.project", sections_settlement.project_settlement)
        sections.register("web.home", home_settlement.home_settlements)
        sections_settlement.register_attachments()
