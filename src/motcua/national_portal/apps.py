from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    name = "motcua.national_portal"
    label = "national_portal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        from . import client, consumers  # noqa: F401  (registers the client plugin and the transition consumer)
