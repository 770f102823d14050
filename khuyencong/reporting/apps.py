from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "khuyencong.reporting"
    verbose_name = _("Periodic reports")

    def ready(self) -> None:
        from khuyencong.kernel import sections
        from khuyencong.reporting import project_sources  # noqa: F401 (registers the project figures)
        from khuyencong.reporting.home import home_reports

        # The home page's "Reports" card: due, missing and returned reports of the user's units.
        sections.register("web.home", home_reports)
        # The dashboards' "missing reports" card and its figure in GET /api/v1/dashboard.
        from khuyencong.dashboards import extensions
        from khuyencong.reporting import dashboard

        sections.register("dashboards.kpis", dashboard.missing_reports_card)
        extensions.register("reports", dashboard.figures)
