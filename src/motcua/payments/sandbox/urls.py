"""Mounted at ``/sandbox/vnpay/`` only when ``settings.SANDBOX`` is true (config/urls.py)."""

from django.urls import path

from . import api, views

app_name = "sandbox_vnpay"
urlpatterns = [
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
    path("merchant_webapi/api/transaction", api.transaction, name="transaction"),
]
