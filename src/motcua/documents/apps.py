from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Tài liệu, tệp đính kèm"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
