from django.apps import AppConfig
from django.core import checks
from django.db.backends.signals import connection_created


def _add_vietnamese_collation(sender, connection, **kwargs):
    """SQLite has no ICU; give it a collation of the same name PostgreSQL's ICU provides."""
    if connection.vendor == "sqlite":
        from khuyencong.kernel.text import VI_COLLATION, compare_vietnamese

        connection.connection.create_collation(VI_COLLATION, compare_vietnamese)


class KernelConfig(AppConfig):
    name = "khuyencong.kernel"
    label = "kernel"

    def ready(self):
        connection_created.connect(_add_vietnamese_collation, dispatch_uid="kc-vietnamese-collation")
        checks.register(access_policy_installed)


def access_policy_installed(app_configs=None, **kwargs):
    """Every start-up command (`check`, `migrate`, `serve`) says so when no app installed the policy."""
    from khuyencong.kernel import scoping

    if scoping._policy is None:
        return [
            checks.Error(
                "No access policy is installed, so every scoped query would fail.",
                hint="Keep khuyencong.organisation in INSTALLED_APPS: its AppConfig.ready() installs it.",
                id="kernel.E001",
            )
        ]
    return []
