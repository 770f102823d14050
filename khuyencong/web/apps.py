from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "khuyencong.web"
    label = "web"

    def ready(self):
        from khuyencong.web import exports, imports  # noqa: F401  (register the export and import job handlers)
