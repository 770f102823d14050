from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "khuyencong.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Every app may declare reminder providers in its ``reminders.py`` (``@reminder_provider``);
        # importing them here registers them for the daily job without this app importing any domain.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reminders")
