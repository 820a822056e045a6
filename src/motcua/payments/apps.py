from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thu phí, lệ phí"

    def ready(self) -> None:
        # Registers the VNPay gateway plugin and the transition consumer that posts the fees' charges.
        from motcua.dossiers.actions.payment_received import settlement_check_register

        from . import consumers, gateways  # noqa: F401
        from .services import payment_received_check

        # payment-received needs a zero balance (or the cash taken with it): docs/payments.md.
        settlement_check_register(payment_received_check)

        from motcua.dossiers.printing import form_extra_register

        from .printing import form_01_vietqr

        form_extra_register(form_01_vietqr)  # the VietQR of what is due, on Mẫu 01
