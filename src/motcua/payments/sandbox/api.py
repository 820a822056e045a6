"""The sandbox VNPay merchant API (``POST /sandbox/vnpay/merchant_webapi/api/transaction``): QueryDR.

Checks the request's pipe-joined signature and answers, signed the same way, what the sandbox gateway knows of
the order: ``00`` with its transaction (status ``00`` paid, ``02`` failed), or ``91`` when no buyer ever paid it.
"""

from __future__ import annotations

import json

from django.conf import settings
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
