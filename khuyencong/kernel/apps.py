from django.apps import AppConfig
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
