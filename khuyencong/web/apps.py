from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "khuyencong.web"
    label = "web"

    def ready(self):
        from khuyencong.web import exports  # noqa: F401  (registers the export job handler)
