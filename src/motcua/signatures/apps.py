from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "motcua.signatures"
    label = "signatures"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        # Registers the signer plugins and the transition consumer that signs the issued forms.
        from . import consumers, signers  # noqa: F401
