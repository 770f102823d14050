from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "khuyencong.inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from khuyencong.attachments.attachable import register
        from khuyencong.inspections.sections import MISSION_SLOTS, home_follow_ups, project_inspections
        from khuyencong.kernel import sections

        # The project page's "Inspections" section and the home page's open follow-ups.
        sections.register("projects.project", project_inspections)
        sections.register("web.home", home_follow_ups)
        # A mission's documents: its decision, the minutes (biên bản) and its report.
        register("inspections.inspectionmission", slots=MISSION_SLOTS)
