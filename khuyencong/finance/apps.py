from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "khuyencong.finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        # Rollups: the plan page's money and the org unit page's allocations by year.
        from khuyencong.finance import sections_rollup
        from khuyencong.kernel import sections

        sections.register("planning.plan", sections_rollup.plan_money)
        sections.register("organisation.orgunit", sections_rollup.unit_money)
