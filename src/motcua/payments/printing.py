"""What the payments app adds to the dossier's printed forms: the VietQR of what is due, on Mẫu 01.

Registered with ``dossiers.printing.form_extra_register`` in ``PaymentsConfig.ready`` (dossiers sits below
payments). When VietQR is on and the dossier owes fees (its procedure version's fees, charged now if they were
not yet), Mẫu 01 shows the amount, the collection account and a dynamic VietQR whose purpose is the reference
of an open VietQR order (opened now, or the one already open for that amount).
"""

from __future__ import annotations

from typing import Any

from motcua.core import formatting
from motcua.dossiers.models import Dossier

from .contrib.vietqr import collection_account, payload_for


def vietqr_context(payment: Any) -> dict[str, Any]:
    """What a page or a form shows for a VietQR order: the QR image, amount, account, reference."""
    from motcua.dossiers.printing import qr_data_uri

    account = collection_account()
    return {
        "payment_qr": qr_data_uri(payload_for(payment)),
        "payment_qr_text": payload_for(payment),
        "payment_due": formatting.thousands(int(payment.amount), language="vi"),
        "payment_reference": payment.reference,
        "payment_account": account.account,
        "payment_account_name": account.account_name,
        "payment_bank": account.bank_name,
    }


def form_01_vietqr(dossier: Dossier, form: str) -> dict[str, Any]:
    if form != "01":
        return {}
    from .receipts import _fee_names
    from .services import vietqr_order_for

    payment = vietqr_order_for(dossier=dossier)
    if payment is None:
        return {}
    return {**vietqr_context(payment), "payment_fee_names": _fee_names(dossier.pk)}
