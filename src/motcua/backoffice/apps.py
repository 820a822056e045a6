from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "motcua.backoffice"
    label = "backoffice"
    verbose_name = "Một cửa"
