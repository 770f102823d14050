from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "khuyencong.territory"
    label = "territory"
