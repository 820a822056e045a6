"""Payment gateways as plugins (docs/architecture.md, "Plugins: how to add a provider").

A gateway takes an order (a ``Payment``) and gives the payer an address to pay at (``pay_url``); it later
tells motcua the outcome by a server-to-server notice whose handling lives with the gateway
(VNPay: ``contrib.vnpay``, the IPN). ``MOTCUA_PAYMENT_GATEWAYS`` (comma-separated identifiers) turns gateways
on; in the sandbox the default is ``vnpay`` pointed at motcua's own sandbox gateway (``/sandbox/vnpay/``).
"""

from __future__ import annotations

from django.conf import settings

from motcua.core.registry import Plugin, Registry

from .models import Payment


class GatewayUnavailable(Exception):
    """The gateway could not be asked (network, a bad or unsigned answer): try again later."""


class PaymentGateway(Plugin):
    """Base of payment gateways; ``@payment_gateways.register("identifier")`` (the payment method's name)."""

    def is_requested(self) -> bool:
        return self.identifier in requested_gateways()

    def pay_url(self, payment: Payment, *, client_ip: str) -> str:
        """The address where the payer pays ``payment`` (signed as the gateway wants)."""
        raise NotImplementedError

    def query(self, payment: Payment, *, client_ip: str = "127.0.0.1") -> dict[str, str]:
        """What the gateway knows of ``payment`` (its answer, checked). Raises ``GatewayUnavailable``."""
        raise NotImplementedError

    def settle_from_query(self, answer: dict[str, str], payment: Payment) -> str:
        """Read ``query``'s answer: ``succeeded`` (paid, this amount), ``failed``, ``not_found`` (nobody paid
        it), ``pending`` (in progress, or paid another amount: an operator looks). Reconciliation settles on it."""
        raise NotImplementedError

    supports_refund = False

    def refund(
        self, payment: Payment, *, amount: int, full: bool, request_id: str, created_by: str, client_ip: str
    ) -> tuple[bool, str, dict[str, str]]:
        """Ask the gateway to give back ``amount`` of ``payment``: ``(accepted, code, answer)``.

        Raises ``GatewayUnavailable`` when no checked answer came (the refund may or may not have been made)."""
        raise NotImplementedError

    def refund_outcome(self, code: str, answer: dict[str, str]) -> tuple[str, str]:
        """What the refund's answer says, for the record: ``(message in Vietnamese, the refund's transaction
        number at the gateway)``. ``answer`` may be an officer's manual confirmation (the admin)."""
        return answer.get("vnp_Message", "") or answer.get("MoTa", ""), ""


payment_gateways: Registry[PaymentGateway] = Registry("payment gateway")


def requested_gateways() -> list[str]:
    raw = str(getattr(settings, "MOTCUA_PAYMENT_GATEWAYS", "") or "")
    return [part.strip() for part in raw.split(",") if part.strip()]


from .contrib import paygov, vietqr, vnpay  # noqa: E402, F401  (registers the gateway plugins)
