from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "khuyencong.kernel"
    label = "kernel"
