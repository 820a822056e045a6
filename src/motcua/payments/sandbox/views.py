"""The sandbox VNPay payment page, mounted at ``/sandbox/vnpay/`` only when ``settings.SANDBOX`` is on."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import services


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """GET: the order (signed query) and three buttons; POST: the buyer's choice → back to the merchant."""
    source = request.GET if request.method == "GET" else request.POST
    params = {str(k): str(v) for k, v in source.items() if k.startswith("vnp_")}
    try:
        order = services.order_check(params)
        if request.method == "POST":
            txn = services.pay(params, request.POST.get("outcome", ""))
            return HttpResponseRedirect(services.return_redirect_url(txn))
    except services.SandboxRefused as refused:
        return render(request, "sandbox_vnpay/pay.html", {"error": str(refused)}, status=400)
    outcomes = [(key, label) for key, (_r, _s, label) in services.OUTCOMES.items()]
    context = {"order": order, "params": sorted(params.items()), "outcomes": outcomes}
    return render(request, "sandbox_vnpay/pay.html", context)
