from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "khuyencong.finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from khuyencong.finance import imports  # noqa: F401  (registers the importers)

        # The project page's money (ledger-ui).
        from khuyencong.finance.sections_project import project_money
        from khuyencong.kernel import sections

        sections.register("projects.project", project_money)
        # The home page's payments to approve / my requests (ledger-ui).
        from khuyencong.finance.home import home_money

        sections.register("web.home", home_money)
        # Acceptance and settlement after the money (finance/sections_settlement.py, home_settlement.py).
        from khuyencong.finance import home_settlement, sections_settlement

        sections.register("projects.project", sections_settlement.project_settlement)
        sections.register("web.home", home_settlement.home_settlements)
        sections_settlement.register_attachments()
        # The project's accept / settle steps are taken only through those flows (no bare button).
        from khuyencong.finance.settlement import reserve_project_steps

        reserve_project_steps()
        # Rollups: the plan page's money and the org unit page's allocations by year.
        from khuyencong.finance import sections_rollup

        sections.register("planning.plan", sections_rollup.plan_money)
        sections.register("organisation.orgunit", sections_rollup.unit_money)

        # Amendments never lower a contract below what was requested or paid against it.
        from khuyencong.contracts import actions as contract_actions
        from khuyencong.finance.actions import contract_value_check

        contract_actions.on_value_change(contract_value_check)
        # Money figures of periodic reports (reporting.sources.FINANCE_HOOKS).
        from khuyencong.finance import report_sources

        report_sources.register()
