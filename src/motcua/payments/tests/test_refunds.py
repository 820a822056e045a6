"""VNPay refund (2.1.0 merchant API, ``vnp_Command=refund``): the documented checksum order, the sandbox
gateway's answers, and the officer's refund: audited, one ledger entry per refund, never more than was paid."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import refunds, tasks
from motcua.payments.constants import EntryKind, Method, PaymentStatus, RefundStatus
from motcua.payments.contrib.vnpay import protocol
from motcua.payments.gateways import GatewayUnavailable, payment_gateways
from motcua.payments.models import LedgerEntry, Payment, Refund, SandboxVnpayTransaction
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_vnpay
from .test_reconcile import Loopback

pytestmark = pytest.mark.django_db

SECRET = "MOTCUASANDBOXSECRET0123456789ABCD"
API = "/sandbox/vnpay/merchant_webapi/api/transaction"


@pytest.fixture
def loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = "http://testserver/api/v1/payments/vnpay/ipn/"
    settings.MOTCUA_VNPAY_API_URL = f"http://testserver{API}"
    adapter = Loopback()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(tasks, "transport", session)
    monkeypatch.setattr(payment_gateways["vnpay"], "transport", session, raising=False)
    return adapter


@pytest.fixture
def paid(awaiting: Dossier, world: World, loopback: Loopback) -> Payment:
    """A VNPay payment of all the dossier owes, paid at the sandbox gateway and confirmed by its IPN."""
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    pay_vnpay(payment.pay_url, "success")
    run_queued_tasks()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


def test_the_refund_checksum_follows_the_documented_order() -> None:
    params = {
        "vnp_RequestId": "R1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "refund",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TransactionType": "02",
        "vnp_TxnRef": "5",
        "vnp_Amount": "1806000",
        "vnp_TransactionNo": "",
        "vnp_TransactionDate": "20210801153333",
        "vnp_CreateBy": "motcua_a",
        "vnp_CreateDate": "20210802090000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Hoan tien giao dich 5",
    }
    data = (
        "R1|2.1.0|refund|DEMOV210|02|5|1806000||20210801153333|motcua_a|20210802090000|127.0.0.1|"
        "Hoan tien giao dich 5"
    )
    expected = hmac.new(b"TESTSECRETKEY0123456789ABCDEFGHIJ", data.encode(), hashlib.sha512).hexdigest()
    assert (
        protocol.sign_pipe(params, protocol.REFUND_REQUEST_FIELDS, "TESTSECRETKEY0123456789ABCDEFGHIJ")
        == expected
    )


def raw_refund(payment: Payment, **changes: str) -> dict[str, str]:
    params = {
        "vnp_RequestId": changes.pop("vnp_RequestId", "REQ-1"),
        "vnp_Version": "2.1.0",
        "vnp_Command": "refund",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionType": "02",
        "vnp_TxnRef": payment.reference,
        "vnp_Amount": str(payment.amount * 100),
        "vnp_TransactionNo": payment.gateway_transaction_no,
        "vnp_TransactionDate": "20250310100000",
        "vnp_CreateBy": "motcua_a",
        "vnp_CreateDate": "20250311090000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Hoan tien",
    }
    params.update(changes)
    params["vnp_SecureHash"] = protocol.sign_pipe(params, protocol.REFUND_REQUEST_FIELDS, SECRET)
    answer = Client().post(API, params, content_type="application/json").json()
    assert protocol.verify_pipe(answer, protocol.REFUND_RESPONSE_FIELDS, SECRET)
    return answer


def test_the_sandbox_gateway_answers_refunds_as_vnpay_does(paid: Payment) -> None:
    assert raw_refund(paid)["vnp_ResponseCode"] == "00"  # the whole amount, once
    assert raw_refund(paid)["vnp_ResponseCode"] == "94"  # the same request id again
    assert raw_refund(paid, vnp_RequestId="REQ-2")["vnp_ResponseCode"] == "03"  # nothing left to refund
    assert raw_refund(paid, vnp_TxnRef="MC0000000000", vnp_RequestId="REQ-3")["vnp_ResponseCode"] == "91"
    params = {
        "vnp_RequestId": "X",
        "vnp_Command": "refund",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_SecureHash": "0" * 128,
    }
    assert Client().post(API, params, content_type="application/json").json()["vnp_ResponseCode"] == "97"
    txn = SandboxVnpayTransaction.objects.get()
    assert txn.refunded_amount == paid.amount


def test_partial_refunds_then_the_rest(paid: Payment) -> None:
    assert (
        raw_refund(paid, vnp_TransactionType="02", vnp_Amount="100", vnp_RequestId="A")["vnp_ResponseCode"]
        == "03"
    )
    part = raw_refund(paid, vnp_TransactionType="03", vnp_Amount=str(FEE * 100), vnp_RequestId="B")
    assert (part["vnp_ResponseCode"], part["vnp_TransactionType"]) == ("00", "03")
    too_much = raw_refund(paid, vnp_TransactionType="03", vnp_Amount=str(FEE * 100), vnp_RequestId="C")
    assert too_much["vnp_ResponseCode"] == "03"
    rest = raw_refund(paid, vnp_TransactionType="03", vnp_Amount=str(CHARGE * 100), vnp_RequestId="D")
    assert rest["vnp_ResponseCode"] == "00"


def test_an_officer_refunds_a_payment_with_a_reason(paid: Payment, world: World, awaiting: Dossier) -> None:
    before = dossier_balance(awaiting)
    assert before.due == 0
    refund = refunds.refund_request(
        payment=paid, actor=world.officer_a, reason="Hồ sơ bị dừng xử lý", amount=FEE
    )
    assert (refund.status, refund.full, refund.gateway_response_code) == (RefundStatus.SUCCEEDED, False, "00")
    (entry,) = LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.REFUND)
    assert (entry.amount, entry.idempotency_key, entry.note) == (
        FEE,
        f"refund:{refund.request_id}",
        "Hồ sơ bị dừng xử lý",
    )
    assert entry.recorded_by == world.officer_a
    assert dossier_balance(awaiting).refunded == FEE
    assert refunds.refundable(paid) == CHARGE
    # The cancelling receipt names the payment's receipt and the amount given back (receipts service).
    from motcua.payments.models import Receipt

    cancelling = Receipt.objects.get(refund=refund)
    assert (cancelling.kind, cancelling.amount, cancelling.cancels.payment_id) == ("cancelling", FEE, paid.pk)
    actions = list(
        AuditEntry.objects.filter(object_id=paid.reference).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["payment.refund_requested", "payment.refunded"]
    # More than is left is refused before the gateway is asked; the rest goes through.
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund_request(payment=paid, actor=world.officer_a, reason="Thêm", amount=CHARGE + 1)
    assert refused.value.code == "invalid_refund"
    rest = refunds.refund_request(payment=paid, actor=world.leader_a, reason="Hoàn nốt")
    assert (rest.status, rest.amount) == (RefundStatus.SUCCEEDED, CHARGE)
    assert refunds.refundable(paid) == 0
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.REFUND).count() == 2
    # Recording the gateway's answer again writes nothing more.
    refunds.refund_record(refund=rest, accepted=True, code="00", answer={}, actor=world.leader_a)
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.REFUND).count() == 2


def test_who_may_refund_and_what(paid: Payment, world: World, awaiting: Dossier) -> None:
    with pytest.raises(PermissionDenied):
        refunds.refund_request(payment=paid, actor=world.specialist_a, reason="x")
    with pytest.raises(PermissionDenied):
        refunds.refund_request(payment=paid, actor=world.officer_b, reason="x")
    with pytest.raises(ValidationFailed) as no_reason:
        refunds.refund_request(payment=paid, actor=world.officer_a, reason="  ")
    assert no_reason.value.details == {"reason": ["Cần nhập lý do hoàn trả."]}
    assert not Refund.objects.exists()


def test_a_refused_refund_writes_nothing_to_the_ledger(
    paid: Payment, world: World, awaiting: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    SandboxVnpayTransaction.objects.update(refunded_amount=paid.amount)  # refunded at VNPay by other means
    refund = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Trùng")
    assert (refund.status, refund.gateway_response_code) == (RefundStatus.FAILED, "03")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()
    assert refunds.refundable(paid) == paid.amount  # a refused refund frees the amount again

    def down(*args: Any, **kwargs: Any) -> Any:
        raise GatewayUnavailable("timeout")

    monkeypatch.setattr(payment_gateways["vnpay"], "refund", down)
    waiting = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Thử lại")
    assert waiting.status == RefundStatus.PENDING  # it may have been made: an operator checks
    with pytest.raises(Conflict) as busy:
        refunds.refund_request(payment=paid, actor=world.officer_a, reason="Lần nữa")
    assert busy.value.code == "refund_in_progress"
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()


def test_the_admin_settles_a_refund_left_pending(
    paid: Payment, world: World, awaiting: Dossier, monkeypatch: pytest.MonkeyPatch, rf: Any
) -> None:
    from django.contrib.admin.sites import site

    def down(*args: Any, **kwargs: Any) -> Any:
        raise GatewayUnavailable("timeout")

    monkeypatch.setattr(payment_gateways["vnpay"], "refund", down)
    first = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Dừng", amount=FEE)
    admin_page = site._registry[Refund]
    request = rf.post("/admin/")
    request.user = world.leader_p
    admin_page.refund_reject(request, Refund.objects.filter(pk=first.pk))  # type: ignore[attr-defined]
    first.refresh_from_db()
    assert first.status == RefundStatus.FAILED
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()
    again = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Dừng", amount=FEE)  # freed
    admin_page.refund_confirm(request, Refund.objects.filter(pk=again.pk))  # type: ignore[attr-defined]
    again.refresh_from_db()
    assert again.status == RefundStatus.SUCCEEDED
    (entry,) = LedgerEntry.objects.filter(kind=EntryKind.REFUND)
    assert entry.amount == FEE
    actions = set(AuditEntry.objects.filter(object_id=paid.reference).values_list("action", flat=True))
    assert {"payment.refund_rejected", "payment.refunded"} <= actions
