from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "khuyencong.projects"
    verbose_name = _("Projects")

    def ready(self):
        from khuyencong.projects import imports  # noqa: F401  (registers the project importer for the import jobs)
