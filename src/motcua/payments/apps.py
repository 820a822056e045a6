from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thu phí, lệ phí"

    def ready(self) -> None:
        # Registers the VNPay gateway plugin and the transition consumer that posts the fees' charges.
        from . import consumers, gateways  # noqa: F401
