"""The payer's pages, mounted at ``/thanh-toan/`` (config/urls.py)."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("vnpay/ket-qua/", views.vnpay_return, name="vnpay-return"),
    path("paygov/ket-qua/", views.paygov_return, name="paygov-return"),
]
