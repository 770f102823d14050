from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "khuyencong.adjustments"
    verbose_name = _("Adjustments")

    def ready(self) -> None:
        if apps.is_installed("khuyencong.contracts"):
            from khuyencong.adjustments.commitments import contracted
            from khuyencong.projects.adjust import _COMMITMENTS, register_commitment

            if contracted not in _COMMITMENTS:
                register_commitment(contracted)
        from khuyencong.kernel import sections

        # The project page's "Adjustments" section, once the project is approved.
        sections.register("projects.project", project_adjustments)


def project_adjustments(request, project):
    from khuyencong.adjustments.views import adjustments_context

    if project.approved_support is None or request is None:
        return None
    return "adjustments/_project_section.html", adjustments_context(project, request.user)
