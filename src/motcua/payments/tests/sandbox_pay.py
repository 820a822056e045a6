"""Paying at a sandbox gateway as the buyer does: their choice on its payment page, then the redirect back to
motcua (the gateway queues its notice: an IPN or a notification, sent by its task)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.test import Client


def pay_vnpay(pay_url: str, outcome: str = "success") -> None:
    """On the sandbox VNPay page of ``pay_url``: ``success``, ``cancelled`` or ``insufficient_funds``."""
    fields = dict(parse_qsl(urlsplit(pay_url).query))
    answer = Client().post("/sandbox/vnpay/paymentv2/vpcpay.html", {**fields, "outcome": outcome})
    assert answer.status_code == 302


def pay_paygov(pay_url: str, outcome: str = "success") -> None:
    """On the sandbox national payment platform's page of ``pay_url`` (its ``DuLieu``), the same choices."""
    encoded = dict(parse_qsl(urlsplit(pay_url).query))["DuLieu"]
    answer = Client().post("/sandbox/paygov/thanh-toan/", {"DuLieu": encoded, "outcome": outcome})
    assert answer.status_code == 302
