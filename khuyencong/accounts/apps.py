from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "khuyencong.accounts"
    label = "accounts"

    def ready(self):
        from khuyencong.accounts import signals  # noqa: F401
