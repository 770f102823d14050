from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "khuyencong.jobs"
    label = "jobs"
