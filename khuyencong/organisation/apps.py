from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "khuyencong.organisation"
    label = "organisation"
