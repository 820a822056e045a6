from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import staff_session_start

        user_logged_in.connect(staff_session_start, dispatch_uid="motcua-staff-session")
