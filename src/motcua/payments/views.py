"""The page VNPay sends the payer back to (``MOTCUA_VNPAY_RETURN_URL``): display only, nothing is written.

Only the IPN changes a payment (``services.vnpay_ipn``); this page checks the signature and tells the payer,
in Vietnamese, what VNPay said, and where the dossier's payment stands in motcua.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .services import vnpay_return_result


@never_cache
@require_GET
def vnpay_return(request: HttpRequest) -> HttpResponse:
    result = vnpay_return_result(
        params={str(k): str(v) for k, v in request.GET.items() if k.startswith("vnp_")}
    )
    return _gateway_return(request, result, label="VNPay", cancelled="24", insufficient="51")


@never_cache
@require_GET
def paygov_return(request: HttpRequest) -> HttpResponse:
    """Where the national payment platform sends the payer back: display only (``paygov.paygov_return_result``)."""
    from .paygov import paygov_return_result

    result = paygov_return_result(params={str(k): str(v) for k, v in request.GET.items()})
    return _gateway_return(
        request, result, label=result.get("gateway_label") or "PayGov", cancelled="01", insufficient="02"
    )


def _gateway_return(
    request: HttpRequest, result: dict[str, Any], *, label: str, cancelled: str, insufficient: str
) -> HttpResponse:
    """One page for every gateway's return: its own codes for "cancelled" and "insufficient funds"."""
    context = {
        **result,
        "gateway_label": label,
        "cancelled_code": cancelled,
        "insufficient_code": insufficient,
    }
    return render(request, "payments/gateway_return.html", context, status=200 if result["verified"] else 400)
