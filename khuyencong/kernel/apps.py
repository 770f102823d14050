from django.apps import AppConfig
from django.core import checks


class KernelConfig(AppConfig):
    name = "khuyencong.kernel"
    label = "kernel"

    def ready(self):
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
