"""The sandbox gateways call motcua back (VNPay's IPN, the platform's notification) outside any transaction.

On SQLite (`make run`) a transaction held open across the call kept the database's write lock, so motcua's own
IPN handler, answering that very call, waited for it until the call timed out: the payment was credited 10 s
late and the attempt was counted as lost. Each test records how many atomic blocks were open while the
callback was on the wire and compares it with the depth the task was called at.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.db import connection

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import Method, PaymentStatus
from motcua.payments.models import Payment, SandboxPaygovTransaction, SandboxVnpayTransaction
from motcua.payments.services import payment_create
from motcua.payments.tasks import sandbox_paygov_send_notify, sandbox_vnpay_send_ipn

from .sandbox_pay import pay_paygov, pay_vnpay
from .test_paygov import LoopbackTransport
from .test_paygov import loopback as paygov_loopback  # noqa: F401
from .test_reconcile import Loopback
from .test_reconcile import loopback as vnpay_loopback  # noqa: F401

pytestmark = pytest.mark.django_db


def depth() -> int:
    return len(connection.atomic_blocks)


def record_depth(adapter: requests.adapters.BaseAdapter, seen: list[int]) -> None:
    send = adapter.send

    def recording(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen.append(depth())
        return send(request, **kwargs)

    adapter.send = recording  # type: ignore[method-assign]


def test_the_vnpay_ipn_is_sent_outside_a_transaction(
    awaiting: Dossier,
    world: World,
    vnpay_loopback: Loopback,  # noqa: F811
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    vnpay_loopback.down = True  # the buyer's choice queues the IPN; keep it from going out yet
    pay_vnpay(payment.pay_url)
    vnpay_loopback.down = False
    seen: list[int] = []
    record_depth(vnpay_loopback, seen)
    assert sandbox_vnpay_send_ipn.call(SandboxVnpayTransaction.objects.get().pk) == "delivered"
    assert seen == [depth()]  # no atomic block of the task's own around the call
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert SandboxVnpayTransaction.objects.get().ipn_attempts == 1


def test_the_platform_notification_is_sent_outside_a_transaction(
    awaiting: Dossier,
    world: World,
    paygov_loopback: LoopbackTransport,  # noqa: F811
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV)
    seen: list[int] = []
    record_depth(paygov_loopback, seen)
    pay_paygov(payment.pay_url)
    txn = SandboxPaygovTransaction.objects.get()
    if txn.callback_state == "pending":  # queued, not run by the request
        sandbox_paygov_send_notify.call(txn.pk)
    txn.refresh_from_db()
    assert txn.callback_state == "delivered"
    assert seen
    assert all(d == depth() for d in seen)
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
