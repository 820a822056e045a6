from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "motcua.identity"
    label = "identity"
    verbose_name = "Định danh, xác thực"
