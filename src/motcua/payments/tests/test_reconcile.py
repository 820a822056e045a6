"""Payments whose IPN never came: QueryDR at the (sandbox) gateway settles them after their expiry, once."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.core.management import call_command
from django.test import Client
from requests.structures import CaseInsensitiveDict

from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import tasks
from motcua.payments.constants import EntryKind, Method, PaymentStatus
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import GatewayNotice, LedgerEntry, Payment
from motcua.payments.services import payment_create, vnpay_settle_expired

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_vnpay

pytestmark = pytest.mark.django_db


class Loopback(requests.adapters.BaseAdapter):
    """Hands a request (GET with a query, POST with JSON) to Django's test client; ``down``: no answer."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.down:
            raise requests.ConnectionError("motcua is unreachable")
        url = urlsplit(str(request.url))
        client = Client()
        if request.method == "GET":
            answer = client.get(url.path, dict(parse_qsl(url.query)))
        else:
            answer = client.post(url.path, request.body or b"", content_type="application/json")
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = "http://testserver/api/v1/payments/vnpay/ipn/"
    settings.MOTCUA_VNPAY_API_URL = "http://testserver/sandbox/vnpay/merchant_webapi/api/transaction"
    adapter = Loopback()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(tasks, "transport", session)
    monkeypatch.setattr(payment_gateways["vnpay"], "transport", session, raising=False)
    return adapter


def later(payment: Payment) -> dt.datetime:
    assert payment.expires_at is not None
    return payment.expires_at + dt.timedelta(minutes=1)


def test_a_payment_whose_ipn_never_came_is_settled_once(
    awaiting: Dossier, world: World, loopback: Loopback
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    pay_vnpay(payment.pay_url, "success")
    loopback.down = True  # every IPN attempt is lost
    run_queued_tasks()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    loopback.down = False
    assert vnpay_settle_expired(now=payment.expires_at - dt.timedelta(minutes=1))["checked"] == 0  # not yet
    with clock.frozen(later(payment)):
        counts = vnpay_settle_expired()
    assert counts == {"checked": 1, "succeeded": 1, "failed": 0, "expired": 0, "pending": 0, "unavailable": 0}
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.gateway_transaction_no != ""
    assert awaiting.status == Status.PROCESSING
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT).count() == 1
    # The IPN arrives after all: already confirmed, nothing more.
    from motcua.payments.models import SandboxVnpayTransaction

    SandboxVnpayTransaction.objects.update(ipn_state="pending")
    from motcua.payments.tasks import sandbox_vnpay_send_ipn

    sandbox_vnpay_send_ipn.call(SandboxVnpayTransaction.objects.get().pk)
    assert GatewayNotice.objects.latest("pk").answer_code == "02"
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT).count() == 1


def test_unpaid_and_cancelled_orders_expire_and_fail(
    awaiting: Dossier, world: World, loopback: Loopback
) -> None:
    never = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=FEE)
    cancelled = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=CHARGE)
    loopback.down = True
    pay_vnpay(cancelled.pay_url, "cancelled")
    run_queued_tasks()
    loopback.down = False
    with clock.frozen(later(never)):
        counts = vnpay_settle_expired()
    assert (counts["expired"], counts["failed"]) == (1, 1)
    never.refresh_from_db()
    cancelled.refresh_from_db()
    assert (never.status, cancelled.status) == (PaymentStatus.EXPIRED, PaymentStatus.FAILED)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_an_answer_with_a_bad_signature_changes_nothing(
    awaiting: Dossier, world: World, loopback: Loopback, settings: Any
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    loopback.down = True
    pay_vnpay(payment.pay_url, "success")
    run_queued_tasks()
    loopback.down = False
    settings.MOTCUA_SANDBOX_VNPAY_HASH_SECRET = "ANOTHER-SECRET"  # the answer no longer carries our signature
    with clock.frozen(later(payment)):
        counts = vnpay_settle_expired()
    assert counts["unavailable"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_the_command_prints_the_counts(awaiting: Dossier, world: World, loopback: Loopback) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    out = io.StringIO()
    with clock.frozen(later(payment)):
        call_command("reconcile_payments", stdout=out)
    assert json.loads(out.getvalue())["expired"] == 1
