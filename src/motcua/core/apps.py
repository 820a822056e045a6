from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from .refcache import connect_signals

        connect_signals()
