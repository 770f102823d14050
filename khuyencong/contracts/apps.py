from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "khuyencong.contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from khuyencong.kernel import sections

        # The project page's "Contracts" section, once the project is approved.
        sections.register("projects.project", project_contracts)


def project_contracts(request, project):
    from khuyencong.contracts.sections import contracts_context

    if project.approved_support is None or request is None:
        return None
    return "contracts/_project_section_body.html", contracts_context(project, request.user)
