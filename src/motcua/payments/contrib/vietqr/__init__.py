"""VietQR as a payment gateway plugin: a dynamic EMVCo QR for a transfer to the province's collection account.

The QR carries the amount and, as the transfer's purpose, the payment's reference (``MC…``). No server tells
motcua about the transfer: the bank statement import (``payments.bank``, ``motcua import-bank-statement``)
finds the reference in the line's description and credits the payment. A VietQR order does not expire (the
statement comes the next day); asking again for the same amount hands out the same order.

Settings: ``MOTCUA_VIETQR_BANK_BIN`` (NAPAS BIN, 6 digits: VietinBank 970415, Vietcombank 970436, BIDV 970418,
Agribank 970405), ``MOTCUA_VIETQR_ACCOUNT``, ``MOTCUA_VIETQR_ACCOUNT_NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from ...gateways import GatewayUnavailable, PaymentGateway, payment_gateways
from ...models import Payment
from . import protocol

BANK_NAMES = {
    "970415": "VietinBank",
    "970436": "Vietcombank",
    "970418": "BIDV",
    "970405": "Agribank",
}


@dataclass(frozen=True)
class CollectionAccount:
    bank_bin: str
    account: str
    account_name: str

    @property
    def bank_name(self) -> str:
        return BANK_NAMES.get(self.bank_bin, f"Ngân hàng {self.bank_bin}")


def collection_account() -> CollectionAccount:
    return CollectionAccount(
        bank_bin=str(getattr(settings, "MOTCUA_VIETQR_BANK_BIN", "") or ""),
        account=str(getattr(settings, "MOTCUA_VIETQR_ACCOUNT", "") or ""),
        account_name=str(getattr(settings, "MOTCUA_VIETQR_ACCOUNT_NAME", "") or ""),
    )


def payload_for(payment: Payment) -> str:
    """The VietQR string of ``payment``: its amount, its reference as the purpose."""
    account = collection_account()
    return protocol.payload(
        bank_bin=account.bank_bin,
        account=account.account,
        amount=int(payment.amount),
        purpose=payment.reference,
    )


@payment_gateways.register("vietqr")
class VietqrGateway(PaymentGateway):
    label = "Chuyển khoản bằng mã VietQR"

    def check(self) -> list[str]:
        account = collection_account()
        problems = []
        if not (account.bank_bin.isdigit() and len(account.bank_bin) == 6):
            problems.append(f"MOTCUA_VIETQR_BANK_BIN must be a 6-digit NAPAS BIN, got {account.bank_bin!r}")
        if not account.account.isalnum():
            problems.append("MOTCUA_VIETQR_ACCOUNT is empty or not letters and digits")
        if not account.account_name:
            problems.append("MOTCUA_VIETQR_ACCOUNT_NAME is empty")
        return problems

    def pay_url(self, payment: Payment, *, client_ip: str) -> str:
        return ""  # the payer scans the QR (payload_for) in their bank's app: no page to go to

    def query(self, payment: Payment, *, client_ip: str = "127.0.0.1") -> dict[str, str]:
        raise GatewayUnavailable("VietQR transfers are settled by the bank statement import")
