"""VNPay 2.1.0: the signature (the test vector), the payment URL, the IPN's answers in their documented order,
the return page (display only), and the sandbox gateway end to end with its IPN retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.test import Client
from requests.structures import CaseInsensitiveDict
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import services, tasks
from motcua.payments.constants import EntryKind, EntrySource, PaymentStatus
from motcua.payments.contrib.vnpay import VnpayGateway, protocol
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import GatewayNotice, LedgerEntry, Payment, SandboxVnpayTransaction
from motcua.payments.selectors import dossier_balance
from motcua.portal.tests.submission_factories import login

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db

IPN = "/api/v1/payments/vnpay/ipn/"
SECRET = "MOTCUASANDBOXSECRET0123456789ABCD"


def test_the_signature_matches_the_test_vector() -> None:
    params = {
        "vnp_Amount": "1806000",
        "vnp_Command": "pay",
        "vnp_CreateDate": "20210801153333",
        "vnp_CurrCode": "VND",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_Locale": "vn",
        "vnp_OrderInfo": "Thanh toan don hang :5",
        "vnp_OrderType": "other",
        "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "5",
        "vnp_Version": "2.1.0",
        "vnp_BankCode": "",  # empty: left out
    }
    assert protocol.hash_data(params) == (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1"
        "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5"
        "&vnp_Version=2.1.0"
    )
    assert protocol.sign(params, "TESTSECRETKEY0123456789ABCDEFGHIJ") == (
        "e3690afc136276cc05d43905004c3fad55f8b050cfd25b3d2195f71aadff0db4"
        "4421113a4c6bcdf605397a7616f1dca4206fae94fcb160a9104b76709436ec3a"
    )
    signed = protocol.signed(params, "TESTSECRETKEY0123456789ABCDEFGHIJ")
    assert protocol.verify(
        {**signed, "vnp_SecureHashType": "HmacSHA512"}, "TESTSECRETKEY0123456789ABCDEFGHIJ"
    )
    assert not protocol.verify({**signed, "vnp_Amount": "1806001"}, "TESTSECRETKEY0123456789ABCDEFGHIJ")


def test_check_wants_the_merchant_credentials_outside_the_sandbox(settings: Any) -> None:
    plugin = payment_gateways["vnpay"]
    assert isinstance(plugin, VnpayGateway)
    assert plugin.check() == []  # the sandbox defaults
    settings.SANDBOX = False
    settings.MOTCUA_VNPAY_TMN_CODE = ""
    settings.MOTCUA_VNPAY_HASH_SECRET = ""
    settings.MOTCUA_VNPAY_PAY_URL = "http://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    problems = plugin.check()
    assert "MOTCUA_VNPAY_TMN_CODE is empty" in problems
    assert "MOTCUA_VNPAY_HASH_SECRET is empty" in problems
    assert any("MOTCUA_VNPAY_PAY_URL must be https" in p for p in problems)
    assert not any(SECRET in p for p in problems)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def open_vnpay(dossier: Dossier, user: User) -> tuple[Payment, str]:
    response = client_for(user).post(
        f"/api/v1/dossiers/{dossier.code}/payments/", {"method": "vnpay"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["status"], body["method"]) == (FEE + CHARGE, "pending", "vnpay")
    return Payment.objects.get(pk=body["id"]), body["pay_url"]


def ipn_params(payment: Payment, *, response: str = "00", status: str = "00", **extra: str) -> dict[str, str]:
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Thanh toan",
        "vnp_PayDate": "20250310103000",
        "vnp_ResponseCode": response,
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14012345",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.reference,
    }
    params.update(extra)
    return protocol.signed(params, SECRET)


def send_ipn(params: dict[str, str]) -> dict[str, str]:
    response = Client().get(IPN, params)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"RspCode", "Message"}
    return answer


def credits(dossier: Dossier) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.PAYMENT))


def test_the_payment_url_is_signed_as_documented(awaiting: Dossier, world: World) -> None:
    payment, pay_url = open_vnpay(awaiting, world.officer_a)
    url = urlsplit(pay_url)
    assert (
        f"{url.scheme}://{url.netloc}{url.path}"
        == "http://127.0.0.1:8000/sandbox/vnpay/paymentv2/vpcpay.html"
    )
    params = dict(parse_qsl(url.query))
    assert protocol.verify(params, SECRET)
    assert params["vnp_Amount"] == str((FEE + CHARGE) * 100)
    assert (params["vnp_Version"], params["vnp_Command"], params["vnp_CurrCode"]) == ("2.1.0", "pay", "VND")
    assert params["vnp_TxnRef"] == payment.reference
    assert params["vnp_CreateDate"] == "20250310100000"  # Vietnam time
    assert params["vnp_ExpireDate"] == "20250310101500"
    assert params["vnp_OrderInfo"].isascii()
    assert awaiting.code in params["vnp_OrderInfo"]
    assert params["vnp_ReturnUrl"] == "http://127.0.0.1:8000/thanh-toan/vnpay/ket-qua/"
    assert SECRET not in pay_url


def test_ipn_answers_in_the_documented_order(awaiting: Dossier, world: World) -> None:
    payment, _url = open_vnpay(awaiting, world.officer_a)
    good = ipn_params(payment)
    forged = {**good, "vnp_SecureHash": protocol.sign(good, "NOT-THE-SECRET")}
    # 97 comes first, even for an unknown order and a wrong amount.
    assert send_ipn({**forged, "vnp_TxnRef": "NOPE", "vnp_Amount": "1"})["RspCode"] == "97"
    assert send_ipn({**good, "vnp_Amount": "100"})["RspCode"] == "97"  # changed after signing
    assert send_ipn({**good, "vnp_SecureHash": "ả" * 128})["RspCode"] == "97"  # non-ASCII: a mismatch, not 99
    assert send_ipn(ipn_params(payment, vnp_TxnRef="MC0000000000"))["RspCode"] == "01"
    assert send_ipn(ipn_params(payment, vnp_TmnCode="OTHER001"))["RspCode"] == "01"
    mismatch = ipn_params(payment, vnp_Amount=str(payment.amount * 100 - 100))
    assert send_ipn(mismatch) == {"RspCode": "04", "Message": "Invalid amount"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert credits(awaiting) == []
    assert send_ipn(good) == {"RspCode": "00", "Message": "Confirm Success"}
    assert send_ipn(good) == {"RspCode": "02", "Message": "Order already confirmed"}  # VNPay's retry
    assert send_ipn(ipn_params(payment, response="24", status="02"))["RspCode"] == "02"  # no undoing
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_transaction_no, payment.gateway_bank_code) == (
        PaymentStatus.SUCCEEDED,
        "14012345",
        "NCB",
    )
    (credit,) = credits(awaiting)
    assert (credit.amount, credit.source, credit.source_reference, credit.recorded_by.username) == (
        -(FEE + CHARGE),
        EntrySource.GATEWAY,
        "VNPay 14012345",
        "system:vnpay",
    )
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert awaiting.events.get(action=Action.PAYMENT_RECEIVED).actor.username == "system:vnpay"
    answers = list(GatewayNotice.objects.order_by("pk").values_list("answer_code", flat=True))
    # every notice kept, refused ones too
    assert answers == ["97", "97", "97", "01", "01", "04", "00", "02", "02"]


def test_a_failure_then_a_success_is_credited(awaiting: Dossier, world: World) -> None:
    payment, _url = open_vnpay(awaiting, world.officer_a)
    assert send_ipn(ipn_params(payment, response="51", status="02"))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert credits(awaiting) == []
    assert send_ipn(ipn_params(payment, response="51", status="02"))["RspCode"] == "02"
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT
    assert send_ipn(ipn_params(payment))["RspCode"] == "00"  # the money moved after all
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(credits(awaiting)) == 1
    assert dossier_balance(awaiting).due == 0


@pytest.mark.parametrize("expired_status", [True, False])
def test_a_late_ipn_after_expiry_is_credited(awaiting: Dossier, world: World, expired_status: bool) -> None:
    """The order expired (marked so, or only past its time): VNPay took the money, so the credit stands."""
    from motcua.core import clock

    payment, _url = open_vnpay(awaiting, world.officer_a)
    if expired_status:
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.EXPIRED)
    with clock.frozen(payment.expires_at + (payment.expires_at - payment.created_at)):  # type: ignore[operator]
        assert send_ipn(ipn_params(payment))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(credits(awaiting)) == 1


def test_an_unexpected_error_answers_99_and_writes_nothing(
    awaiting: Dossier, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    payment, _url = open_vnpay(awaiting, world.officer_a)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_move_on_if_paid", broken)
    assert send_ipn(ipn_params(payment)) == {"RspCode": "99", "Message": "Unknown error"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert credits(awaiting) == []
    assert GatewayNotice.objects.get().answer_code == "99"
    monkeypatch.undo()
    assert send_ipn(ipn_params(payment))["RspCode"] == "00"  # VNPay's retry succeeds


class DjangoTransport(requests.adapters.BaseAdapter):
    """The sandbox gateway's IPN handed to Django's test client (motcua on loopback, in-process)."""

    def __init__(self, fail_first: int = 0) -> None:
        super().__init__()
        self.calls = 0
        self.fail_first = fail_first

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        url = urlsplit(str(request.url))
        response = requests.Response()
        response.request = request
        response.url = str(request.url)
        if self.calls <= self.fail_first:
            response.status_code = 502
            response._content = b"Bad Gateway"
            return response
        answer = Client().get(url.path, dict(parse_qsl(url.query)))
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[DjangoTransport]:
    adapter = DjangoTransport()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(tasks, "transport", session)
    return adapter


def test_a_citizen_pays_through_the_sandbox_gateway_end_to_end(
    awaiting: Dossier, world: World, loopback: DjangoTransport, settings: Any
) -> None:
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = "http://testserver/api/v1/payments/vnpay/ipn/"
    citizen = User.objects.create(username="026012345612", kind="citizen", citizen_id="026012345612")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=citizen)
    browser = login(Client(), citizen)  # "Hồ sơ của tôi" → "Thanh toán trực tuyến (VNPay)"
    pay_url = browser.post(f"/ho-so-cua-toi/{awaiting.code}/thanh-toan/")["Location"]
    payment = Payment.objects.get()
    page = browser.get(urlsplit(pay_url).path + "?" + urlsplit(pay_url).query)
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("Thành công", "Hủy", "Không đủ số dư"):
        assert label in text
    assert "25.000" in text
    form = dict(parse_qsl(urlsplit(pay_url).query))
    back = browser.post("/sandbox/vnpay/paymentv2/vpcpay.html", {**form, "outcome": "success"})
    assert back.status_code == 302
    assert back["Location"].startswith("http://127.0.0.1:8000/thanh-toan/vnpay/ket-qua/?")
    # The return page only shows: the payment waits for the IPN.
    shown = browser.get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    assert shown.status_code == 200
    assert "Giao dịch thành công" in shown.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    # The IPN (the worker sends it) settles it and moves the dossier on.
    run_queued_tasks()
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert awaiting.status == Status.PROCESSING
    txn = SandboxVnpayTransaction.objects.get()
    assert (txn.ipn_state, txn.ipn_attempts) == ("delivered", 1)
    # Paying the same order again is refused by the gateway.
    again = browser.post("/sandbox/vnpay/paymentv2/vpcpay.html", {**form, "outcome": "success"})
    assert again.status_code == 400
    assert "đã được thực hiện" in again.content.decode()
    assert len(credits(awaiting)) == 1


def test_the_sandbox_retries_the_ipn_and_a_cancelled_payment_fails(
    awaiting: Dossier, world: World, loopback: DjangoTransport, settings: Any
) -> None:
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = "http://testserver/api/v1/payments/vnpay/ipn/"
    loopback.fail_first = 2  # motcua unreachable twice
    payment, pay_url = open_vnpay(awaiting, world.officer_a)
    form = dict(parse_qsl(urlsplit(pay_url).query))
    back = Client().post("/sandbox/vnpay/paymentv2/vpcpay.html", {**form, "outcome": "cancelled"})
    shown = Client().get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    assert "bạn đã hủy giao dịch" in shown.content.decode()
    run_queued_tasks()
    txn = SandboxVnpayTransaction.objects.get()
    assert (txn.ipn_state, txn.ipn_attempts) == ("delivered", 3)
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_response_code) == (PaymentStatus.FAILED, "24")
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT
    assert credits(awaiting) == []


def test_the_sandbox_refuses_a_forged_order_and_the_return_page_a_forged_result(
    awaiting: Dossier, world: World
) -> None:
    payment, pay_url = open_vnpay(awaiting, world.officer_a)
    form = dict(parse_qsl(urlsplit(pay_url).query))
    tampered = {**form, "vnp_Amount": "100"}
    page = Client().get("/sandbox/vnpay/paymentv2/vpcpay.html", tampered)
    assert page.status_code == 400
    assert "Sai chữ ký" in page.content.decode()
    assert (
        Client().post("/sandbox/vnpay/paymentv2/vpcpay.html", {**tampered, "outcome": "success"}).status_code
        == 400
    )
    assert not SandboxVnpayTransaction.objects.exists()
    forged = {**ipn_params(payment), "vnp_SecureHash": "0" * 128}
    shown = Client().get("/thanh-toan/vnpay/ket-qua/", forged)
    assert shown.status_code == 400
    assert "Chữ ký không hợp lệ" in shown.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_the_hash_secret_appears_in_no_log_page_or_record(
    awaiting: Dossier, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    payment, pay_url = open_vnpay(awaiting, world.officer_a)
    seen = [pay_url]
    seen.append(Client().get(urlsplit(pay_url).path + "?" + urlsplit(pay_url).query).content.decode())
    good = ipn_params(payment)
    for params in ({**good, "vnp_SecureHash": "0" * 128}, good, good):
        seen.append(Client().get(IPN, params).content.decode())
    seen.append(Client().get("/thanh-toan/vnpay/ket-qua/", good).content.decode())
    seen.append(
        client_for(world.officer_a).get(f"/api/v1/dossiers/{awaiting.code}/payments/").content.decode()
    )
    seen.extend(str(n.params) for n in GatewayNotice.objects.all())
    seen.append(caplog.text)
    assert "vnpay_ipn" in caplog.text  # the notices are logged …
    assert all(SECRET not in text for text in seen)  # … without the secret
