from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the start-up check of every plugin)
        from .refcache import connect_signals

        connect_signals()
