from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Tài liệu, tệp đính kèm"

    def ready(self) -> None:
        # The deploy check; the results register as a transition consumer.
        from . import checks, consumers  # noqa: F401
