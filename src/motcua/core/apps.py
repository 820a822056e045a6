from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers the start-up check of every plugin)
        from .collation import sqlite_collation_register
        from .refcache import connect_signals

        connect_signals()
        # Vietnamese order in SQL on SQLite too (core/collation.py); PostgreSQL has vi-x-icu itself.
        connection_created.connect(sqlite_collation_register, dispatch_uid="motcua_vi_collation")
