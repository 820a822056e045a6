from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Tài liệu, tệp đính kèm"

    def ready(self) -> None:
        # The deploy check; the results register as a transition consumer; a certified electronic copy is
        # signed (registered here: the signatures app sits below this one and cannot import it).
        from motcua.signatures.services import certified_copy_sign

        from . import checks, consumers  # noqa: F401
        from .digitisation import certified_copy_hook_register

        certified_copy_hook_register(certified_copy_sign)
