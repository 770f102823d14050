from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "khuyencong.organisation"
    label = "organisation"

    def ready(self):
        from khuyencong.kernel.scoping import install_policy
        from khuyencong.organisation.access import RoleMatrixPolicy

        install_policy(RoleMatrixPolicy())
