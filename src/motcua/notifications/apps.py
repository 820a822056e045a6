from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        from . import consumers  # noqa: F401  (registers the applicant notifications as a transition consumer)
        from .contrib import django_mail, sandbox  # noqa: F401  (registers the channel plugins)
