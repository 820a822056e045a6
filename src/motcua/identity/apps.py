from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "motcua.identity"
    label = "identity"
    verbose_name = "Định danh, xác thực"

    def ready(self) -> None:
        # Register every plugin (login providers, population registers) here, never lazily on first use.
        from .contrib import dvcqg, vneid  # noqa: F401
        from .contrib.sandbox import plugins  # noqa: F401
