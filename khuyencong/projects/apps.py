from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "khuyencong.projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from khuyencong.attachments.attachable import register
        from khuyencong.kernel import sections
        from khuyencong.projects import imports  # noqa: F401  (registers the project importer for the import jobs)
        from khuyencong.projects.pages import dossier_slots, establishment_projects

        # The establishment's 360° page lists the projects and supports it received.
        sections.register("registry.establishment", establishment_projects)
        # A project's documents: the dossier the rulebook lists for its content, then any other.
        register("projects.project", slots=dossier_slots)
