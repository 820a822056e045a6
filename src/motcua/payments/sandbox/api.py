"""The sandbox VNPay merchant API (``POST /sandbox/vnpay/merchant_webapi/api/transaction``): QueryDR, refund.

Checks the request's pipe-joined signature and answers, signed the same way, what the sandbox gateway knows of
the order: ``00`` with its transaction (status ``00`` paid, ``02`` failed), or ``91`` when no buyer ever paid it.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction as db_transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core import clock

from ..contrib.vnpay import protocol
from ..models import SandboxVnpayTransaction
from .services import secret


def _answer(fields: dict[str, str]) -> JsonResponse:
    fields["vnp_SecureHash"] = protocol.sign_pipe(fields, protocol.QUERYDR_RESPONSE_FIELDS, secret())
    return JsonResponse(fields)


@csrf_exempt
@require_POST
def transaction(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
        params = {str(k): str(v) for k, v in body.items()}
    except (ValueError, AttributeError):
        return JsonResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid request"})
    base = {
        "vnp_ResponseId": params.get("vnp_RequestId", ""),
        "vnp_Command": params.get("vnp_Command", ""),
        "vnp_TmnCode": params.get("vnp_TmnCode", ""),
        "vnp_TxnRef": params.get("vnp_TxnRef", ""),
    }
    if params.get("vnp_TmnCode") != settings.MOTCUA_SANDBOX_VNPAY_TMN_CODE:
        return _answer({**base, "vnp_ResponseCode": "02", "vnp_Message": "Merchant is not valid"})
    if params.get("vnp_Command") == "refund":
        return _refund(params, base)
    if not protocol.verify_pipe(params, protocol.QUERYDR_REQUEST_FIELDS, secret()):
        return _answer({**base, "vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"})
    if params.get("vnp_Command") != "querydr":
        return _answer({**base, "vnp_ResponseCode": "03", "vnp_Message": "Unsupported command"})
    txn = SandboxVnpayTransaction.objects.filter(
        tmn_code=params["vnp_TmnCode"], txn_ref=params.get("vnp_TxnRef", "")
    ).first()
    if txn is None:
        return _answer({**base, "vnp_ResponseCode": protocol.QUERYDR_NOT_FOUND, "vnp_Message": "Not found"})
    result = txn.params
    return _answer(
        {
            **base,
            "vnp_ResponseCode": protocol.OK,
            "vnp_Message": "QueryDR Success",
            "vnp_Amount": result.get("vnp_Amount", ""),
            "vnp_BankCode": result.get("vnp_BankCode", ""),
            "vnp_PayDate": result.get("vnp_PayDate", protocol.format_time(clock.now())),
            "vnp_TransactionNo": result.get("vnp_TransactionNo", ""),
            "vnp_TransactionType": "01",
            "vnp_TransactionStatus": result.get("vnp_TransactionStatus", ""),
            "vnp_OrderInfo": result.get("vnp_OrderInfo", ""),
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
        }
    )


def _refund_answer(fields: dict[str, str]) -> JsonResponse:
    fields["vnp_SecureHash"] = protocol.sign_pipe(fields, protocol.REFUND_RESPONSE_FIELDS, secret())
    return JsonResponse(fields)


def _refund(params: dict[str, str], base: dict[str, str]) -> JsonResponse:
    """``vnp_Command=refund`` as VNPay answers it: 97 checksum, 03 format (type, amount), 94 a request id seen
    before, 91 no such transaction, 95 a transaction that did not succeed, else 00 (the refund recorded)."""
    base = {**base, "vnp_Command": "refund"}

    def refuse(code: str, message: str) -> JsonResponse:
        return _refund_answer({**base, "vnp_ResponseCode": code, "vnp_Message": message})

    if not protocol.verify_pipe(params, protocol.REFUND_REQUEST_FIELDS, secret()):
        return refuse("97", "Invalid checksum")
    kind, amount = params.get("vnp_TransactionType", ""), params.get("vnp_Amount", "")
    if (
        kind not in (protocol.REFUND_FULL, protocol.REFUND_PARTIAL)
        or not amount.isdigit()
        or int(amount) <= 0
    ):
        return refuse("03", "Invalid data format")
    if not params.get("vnp_RequestId") or not params.get("vnp_CreateBy"):
        return refuse("03", "Invalid data format")
    with db_transaction.atomic():
        txn = (
            SandboxVnpayTransaction.objects.select_for_update()
            .filter(tmn_code=params["vnp_TmnCode"], txn_ref=params.get("vnp_TxnRef", ""))
            .first()
        )
        if txn is None:
            return refuse("91", "Transaction not found")
        if params["vnp_RequestId"] in txn.refund_request_ids:
            return refuse("94", "Duplicate request")
        if txn.params.get("vnp_TransactionStatus") != protocol.OK:
            return refuse("95", "Transaction is not successful")
        paid, wanted = int(txn.params.get("vnp_Amount", "0")), int(amount)
        left = paid - txn.refunded_amount * 100
        full_ok = kind == protocol.REFUND_FULL and wanted == paid and txn.refunded_amount == 0
        partial_ok = kind == protocol.REFUND_PARTIAL and wanted <= left and wanted < paid
        if not (full_ok or partial_ok):
            return refuse("03", "Invalid amount")
        txn.refunded_amount += wanted // 100
        txn.refund_request_ids = [*txn.refund_request_ids, params["vnp_RequestId"]]
        txn.save(update_fields=["refunded_amount", "refund_request_ids"])
    return _refund_answer(
        {
            **base,
            "vnp_ResponseCode": protocol.OK,
            "vnp_Message": "Refund success",
            "vnp_Amount": amount,
            "vnp_BankCode": txn.params.get("vnp_BankCode", ""),
            "vnp_PayDate": protocol.format_time(clock.now()),
            "vnp_TransactionNo": f"{txn.transaction_no}{len(txn.refund_request_ids):02d}",
            "vnp_TransactionType": kind,
            "vnp_TransactionStatus": protocol.REFUND_STATUS_PROCESSING,
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        }
    )
