from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "khuyencong.registry"
    label = "registry"

    def ready(self):
        from khuyencong.registry import jobs  # noqa: F401  (registers job handlers)
