from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .mfa import mfa_session_start

        # the staff second factor's step, decided at each login (portal.mfa)
        user_logged_in.connect(mfa_session_start, dispatch_uid="motcua-mfa-session")
