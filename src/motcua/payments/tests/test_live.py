"""The sandbox VNPay over real HTTP (a live server): the browser's round trip and the worker's IPN."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments.constants import Method, PaymentStatus
from motcua.payments.models import SandboxVnpayTransaction
from motcua.payments.services import payment_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_pay_over_http_with_the_ipn_from_the_worker(
    awaiting: Dossier, world: World, live_server: Any, settings: Any
) -> None:
    base = live_server.url
    settings.MOTCUA_VNPAY_PAY_URL = f"{base}/sandbox/vnpay/paymentv2/vpcpay.html"
    settings.MOTCUA_VNPAY_RETURN_URL = f"{base}/thanh-toan/vnpay/ket-qua/"
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = f"{base}/api/v1/payments/vnpay/ipn/"
    payment = payment_create(
        dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, client_ip="203.0.113.9"
    )
    browser = requests.Session()
    page = browser.get(payment.pay_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    fields = dict(re.findall(r'<input type="hidden" name="(vnp_[A-Za-z]+)" value="([^"]*)"', page.text))
    assert fields["vnp_TxnRef"] == payment.reference
    back = browser.post(
        payment.pay_url.split("?")[0],
        data={**fields, "csrfmiddlewaretoken": token.group(1), "outcome": "success"},
        headers={"Referer": payment.pay_url},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text[:500]
    shown = browser.get(back.headers["Location"], timeout=10)
    assert "Giao dịch thành công" in shown.text
    run_queued_tasks()  # the worker sends the IPN over HTTP
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert awaiting.status == Status.PROCESSING
    assert SandboxVnpayTransaction.objects.get().ipn_state == "delivered"


def test_pay_at_the_national_platform_over_http_and_refuse_a_forged_notification(
    awaiting: Dossier, world: World, live_server: Any, settings: Any
) -> None:
    """The sandbox platform over real HTTP: its page, the return, the worker's notification (JSON POST)."""
    import html

    from motcua.payments.models import SandboxPaygovTransaction

    base = live_server.url
    settings.MOTCUA_PAYGOV_PAY_URL = f"{base}/sandbox/paygov/thanh-toan/"
    settings.MOTCUA_PAYGOV_RETURN_URL = f"{base}/thanh-toan/paygov/ket-qua/"
    settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL = f"{base}/api/v1/payments/paygov/notify/"
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV)
    browser = requests.Session()
    page = browser.get(payment.pay_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    encoded = re.search(r'name="DuLieu" value="([^"]+)"', page.text)
    assert token is not None
    assert encoded is not None
    back = browser.post(
        settings.MOTCUA_PAYGOV_PAY_URL,
        data={
            "DuLieu": html.unescape(encoded.group(1)),
            "csrfmiddlewaretoken": token.group(1),
            "outcome": "success",
        },
        headers={"Referer": payment.pay_url},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text[:500]
    assert "Giao dịch thành công" in browser.get(back.headers["Location"], timeout=10).text
    forged = browser.post(
        settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL,
        json={
            "MaDoiTac": "MOTCUA-VP",
            "MaTraCuuTT": payment.reference,
            "SoTien": str(payment.amount),
            "TrangThai": "00",
            "ChuKy": "0" * 64,
        },
        timeout=10,
    )
    assert (forged.status_code, forged.json()["MaLoi"]) == (200, "97")
    run_queued_tasks()  # the worker posts the notification over HTTP
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert awaiting.status == Status.PROCESSING
    assert SandboxPaygovTransaction.objects.get().callback_state == "delivered"
