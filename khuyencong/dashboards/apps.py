from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "khuyencong.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from khuyencong.kernel import sections

        from .scorecards_views import orgunit_section

        sections.register("organisation.orgunit", orgunit_section)
