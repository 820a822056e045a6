from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "motcua.organisations"
    label = "organisations"
    verbose_name = "Tổ chức, đơn vị"
